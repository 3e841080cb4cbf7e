#!/usr/bin/env node
// Compiles every .sol file under <srcDir> with solc-js (standard JSON, evmVersion prague,
// optimizer on, via-IR) and writes <Name>.abi, <Name>.bin and combined.json for every concrete
// contract into <outDir>. Skips the compile when the inputs are unchanged since the last run.
// Usage: node compile.js <solcJsDir> <srcDir> <outDir>
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

function fail(msg) {
  process.stderr.write('compile.js: ' + msg + '\n');
  process.exit(1);
}

if (process.argv.length !== 5) fail('usage: node compile.js <solcJsDir> <srcDir> <outDir>');
const [solcDir, srcDir, outDir] = process.argv.slice(2).map((p) => path.resolve(p));

function listSol(dir, base) {
  let out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(listSol(full, base));
    else if (e.name.endsWith('.sol')) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

const files = listSol(srcDir, srcDir);
if (files.length === 0) fail('no .sol files under ' + srcDir);
const sources = {};
for (const f of files) sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };

const solcPkg = JSON.parse(fs.readFileSync(path.join(solcDir, 'package.json'), 'utf8'));
const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'prague',
    viaIR: true,
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'], '': ['ast'] } },
  },
};

const fingerprint = crypto
  .createHash('sha256')
  .update(solcPkg.version + '\n' + JSON.stringify(input) + '\n' + fs.readFileSync(__filename, 'utf8'))
  .digest('hex');
const stamp = path.join(outDir, '.inputs.sha256');
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === fingerprint) {
  process.stdout.write('compile.js: contracts up to date (' + files.length + ' sources)\n');
  process.exit(0);
}

const solc = require(path.join(solcDir, 'index.js'));
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) {
  if (e.severity !== 'error') process.stderr.write((e.formattedMessage || e.message) + '\n');
}
if (errors.length > 0) fail('solc errors:\n' + errors.map((e) => e.formattedMessage || e.message).join('\n'));

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const combined = {};
const seen = new Set();
for (const file of Object.keys(output.sources)) {
  for (const node of output.sources[file].ast.nodes) {
    if (node.nodeType !== 'ContractDefinition' || node.contractKind !== 'contract' || node.abstract) continue;
    const name = node.name;
    if (seen.has(name)) fail('duplicate contract name ' + name);
    seen.add(name);
    const c = output.contracts[file][name];
    const bin = c.evm.bytecode.object;
    if (bin.includes('__$')) fail(name + ' needs library linking, which the build does not support');
    const runtimeSize = c.evm.deployedBytecode.object.length / 2;
    if (runtimeSize > 24576) fail(name + ' runtime code is ' + runtimeSize + ' bytes, over the EIP-170 limit');
    fs.writeFileSync(path.join(outDir, name + '.abi'), JSON.stringify(c.abi));
    fs.writeFileSync(path.join(outDir, name + '.bin'), bin);
    combined[name] = { source: file, abi: c.abi, bin, runtimeSize };
  }
}
fs.writeFileSync(path.join(outDir, 'combined.json'), JSON.stringify({ solc: solcPkg.version, contracts: combined }));
fs.writeFileSync(stamp, fingerprint);
process.stdout.write(
  'compile.js: solc ' + solcPkg.version + ', ' + files.length + ' sources, ' + seen.size + ' contracts -> ' + outDir + '\n'
);
for (const n of [...seen].sort()) process.stdout.write('  ' + n + ' ' + combined[n].runtimeSize + ' bytes\n');
