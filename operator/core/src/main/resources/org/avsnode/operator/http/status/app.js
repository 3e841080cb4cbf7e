// The status page: the operators' summaries every few seconds, their activity live from the
// server-sent event stream. Everything is written with textContent: node data is never parsed as
// HTML. Read-only: the page only sends GET requests.
'use strict';

const MAX_ROWS = 25;
const REFRESH_MS = 3000;
const state = { nodes: [], summaries: new Map(), entries: new Map(), live: false };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined) e.setAttribute(k, String(v));
  }
  for (const c of children) {
    e.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? '' : String(c)));
  }
  return e;
}

function badge(status, text, extra) {
  return el('span', Object.assign({ class: 'badge', 'data-status': status }, extra || {}), text || status);
}

function short(hex) {
  return typeof hex === 'string' && hex.length > 14 ? hex.slice(0, 8) + '…' + hex.slice(-4) : (hex || '');
}

function time(ms) {
  return new Date(ms).toLocaleTimeString();
}

function latency(ms) {
  return ms === null || ms === undefined ? '' : ms + ' ms';
}

function percentile(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function addEntry(e) {
  const key = e.node + '#' + e.seq;
  if (!state.entries.has(key)) state.entries.set(key, e);
  while (state.entries.size > 2000) state.entries.delete(state.entries.keys().next().value);
}

async function fetchJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r.json();
}

async function refresh() {
  try {
    state.nodes = await fetchJson('/status/api/nodes');
  } catch (err) {
    document.getElementById('overall').replaceWith(badge('Unreachable', 'unreachable', { id: 'overall' }));
    return;
  }
  await Promise.all(state.nodes.map(async (n) => {
    if (n.offline) {
      state.summaries.set(n.name, { offline: true, reason: n.reason });
      return;
    }
    try {
      const s = await fetchJson(n.base + '/status/api/summary');
      state.summaries.set(n.name, s);
      for (const a of s.activity || []) addEntry(Object.assign({}, a, { node: n.name }));
    } catch (err) {
      state.summaries.set(n.name, { unreachable: true, reason: String(err.message || err) });
    }
  }));
  render();
}

function nodeRow(n) {
  const s = state.summaries.get(n.name) || {};
  const tr = el('tr', { 'data-node': n.name });
  let status = s.status || 'Unknown';
  if (s.offline) status = 'Offline';
  if (s.unreachable) status = 'Unreachable';
  tr.append(el('td', {}, badge(status, null, { class: 'badge node-status' }), ' ', n.name));
  tr.append(el('td', { class: 'mono', title: s.operator || '' }, short(s.operator)));
  const reg = s.registration || {};
  tr.append(el('td', {}, reg.registered === true ? 'yes' : reg.registered === false ? 'no' : '?'));
  const stake = reg.stakeTokens !== undefined
    ? reg.stakeTokens + ' of ' + reg.totalStakeTokens + ' (' + ((reg.shareBps || 0) / 100).toFixed(2) + '%) at epoch ' + reg.epoch
    : '';
  tr.append(el('td', { title: reg.stake ? reg.stake + ' wei' : '' }, stake));
  const duties = el('td');
  for (const svc of s.services || []) {
    duties.append(badge(svc.status, svc.id + ' ' + svc.status, { class: 'badge service', 'data-service': svc.id, title: svc.detail || '' }));
  }
  tr.append(duties);
  const problems = [];
  if (s.offline || s.unreachable) problems.push(s.reason || (s.offline ? 'not running' : 'unreachable'));
  for (const svc of s.services || []) if (svc.status !== 'Up' && svc.detail) problems.push(svc.id + ': ' + svc.detail);
  if (reg.error) problems.push(reg.error);
  tr.append(el('td', { class: 'problems' }, problems.join('; ')));
  return tr;
}

function activityRow(e, withKind) {
  const tr = el('tr', { 'data-kind': e.kind, 'data-level': e.level, 'data-node': e.node });
  tr.append(el('td', {}, time(e.at)), el('td', {}, e.node));
  if (withKind) {
    tr.append(el('td', {}, e.duty + ' ' + e.kind), el('td', {}, e.subject), el('td', {}, e.outcome), el('td', { class: 'mono' }, e.detail));
  } else {
    tr.append(el('td', {}, e.subject), el('td', {}, e.outcome), el('td', {}, latency(e.latencyMillis)), el('td', { class: 'mono' }, e.detail));
  }
  return tr;
}

function fill(tableId, entries, withKind) {
  const body = document.querySelector('#' + tableId + ' tbody');
  body.replaceChildren(...entries.slice(0, MAX_ROWS).map((e) => activityRow(e, withKind)));
}

function stat(label, value) {
  return el('div', { class: 'stat' }, el('b', {}, value), el('span', {}, label));
}

function render() {
  const names = state.nodes.map((n) => n.name);
  document.getElementById('title').textContent = names.length === 1 ? names[0] : names.length + ' operators';
  document.querySelector('#nodes tbody').replaceChildren(...state.nodes.map(nodeRow));
  const statuses = state.nodes.map((n) => {
    const s = state.summaries.get(n.name) || {};
    return s.offline ? 'Offline' : s.unreachable ? 'Down' : (s.status || 'Unknown');
  });
  const overall = statuses.every((x) => x === 'Up') ? 'Up'
    : statuses.every((x) => x === 'Down' || x === 'Offline') ? 'Down' : 'Partial';
  document.getElementById('overall').replaceWith(badge(overall, overall, { id: 'overall' }));

  const all = [...state.entries.values()].sort((a, b) => b.at - a.at || b.seq - a.seq);
  const certs = all.filter((e) => e.kind === 'certificate' || e.kind === 'finalized');
  const verdicts = all.filter((e) => e.duty === 'vital' && e.kind !== 'refused' && e.kind !== 'evidence');
  const slots = all.filter((e) => e.duty === 'squad' && e.kind === 'slot');
  const other = all.filter((e) => !certs.includes(e) && !verdicts.includes(e) && !slots.includes(e) && e.kind !== 'attestation');
  fill('certificates', certs, false);
  fill('verdicts', verdicts, false);
  fill('slots', slots, false);
  document.getElementById('slots-section').hidden = slots.length === 0;
  fill('other', other, true);

  const certLat = all.filter((e) => e.kind === 'certificate' && e.latencyMillis !== null).map((e) => e.latencyMillis);
  const attestations = all.filter((e) => e.kind === 'attestation').length;
  const valid = verdicts.filter((e) => e.kind === 'verdict' && e.outcome === 'VALID').length;
  const invalid = verdicts.filter((e) => e.kind === 'verdict' && e.outcome === 'INVALID').length;
  const abstain = verdicts.filter((e) => e.kind === 'verdict' && e.outcome === 'ABSTAIN').length;
  document.getElementById('stats').replaceChildren(
    stat('certificates seen', String(certs.filter((e) => e.kind === 'certificate').length)),
    stat('certificate latency p50 / p99', certLat.length ? percentile(certLat, 50) + ' / ' + percentile(certLat, 99) + ' ms' : '–'),
    stat('attestations signed (recent)', String(attestations)),
    stat('verdicts VALID / INVALID / ABSTAIN', valid + ' / ' + invalid + ' / ' + abstain),
    stat('alerts', String(all.filter((e) => e.level === 'alert').length)));
}

function connect() {
  const source = new EventSource('/status/api/events');
  const live = document.getElementById('live');
  source.onopen = () => { live.dataset.live = 'true'; live.textContent = 'live'; };
  source.onerror = () => { live.dataset.live = 'false'; live.textContent = 'reconnecting'; };
  source.addEventListener('activity', (msg) => {
    try {
      addEntry(JSON.parse(msg.data));
      render();
    } catch (err) {
      // a malformed event is skipped
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  refresh();
  connect();
  setInterval(refresh, REFRESH_MS);
});
