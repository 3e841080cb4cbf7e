package org.avsnode.squad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.SignatureSet;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Preconfirmations are gossiped at once (DESIGN.md §7), so a leader cannot withhold one it gave a
 * user: the leader posts each, with the raw transaction, to every peer's {@value #PATH}; a node
 * keeps a preconfirmation only when it is for this rollup, for a recent slot, signed by that slot's
 * leader with its registered BLS key over the EIP-712 digest, and the raw transaction hashes to it.
 * Every node then answers {@code squad_getPreconfirmation} for it, and holds the transactions a
 * slot's block must contain.
 */
final class PreconfirmationGossip {
  static final String PATH = "/squad/v1/preconfirmations";

  /** The preconfirmations a node holds for one slot, for a backup that takes the slot over. */
  static final String SLOT_PATH = "/squad/v1/preconfirmations/{slot}";

  /** The largest answer read from a peer for one slot. */
  static final int MAX_PULL_BYTES = 16 << 20;

  static final int MAX_ITEMS = 1_000;

  /** Slots before the current one whose preconfirmations are still taken. */
  static final long RECENT_SLOTS = 64;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(PreconfirmationGossip.class);
  private static final Pattern HEX = Pattern.compile("0x(?:[0-9a-fA-F]{2})+");
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");

  private final SquadDuty duty;
  private final HttpClient http;
  private final Labelled<Counter> received;
  private final Labelled<Counter> sent;
  private final ConcurrentLinkedQueue<Outgoing> outbox = new ConcurrentLinkedQueue<>();

  /** Whether a batch is on its way and not yet held by a peer (the next one waits for it). */
  private final java.util.concurrent.atomic.AtomicBoolean sending =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Posts to each peer not answered yet; a peer with {@link #MAX_IN_FLIGHT} is skipped. */
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> inFlight =
      new ConcurrentHashMap<>();

  /** Posts to one peer that may be unanswered at once; past it, the peer misses the batch. */
  static final int MAX_IN_FLIGHT = 32;

  /** One queued item, and whether a peer holds it yet. */
  private record Outgoing(ObjectNode item, java.util.concurrent.CompletableFuture<Boolean> held) {}

  private final Map<String, BlsPublicKey> keys = new ConcurrentHashMap<>();
  private final Map<String, Long> missing = new ConcurrentHashMap<>();

  PreconfirmationGossip(SquadDuty duty, Labelled<Counter> received, Labelled<Counter> sent) {
    this.duty = duty;
    this.received = received;
    this.sent = sent;
    this.http = HttpClient.newBuilder().connectTimeout(duty.config().rpcTimeout()).build();
  }

  /**
   * Queues a preconfirmation this node signed, {@code operator}, and sends it to every peer at once
   * (or right after the batch on its way). The future completes with true once a peer has kept it
   * (HTTP 200 for a batch it kept whole), at once if this node has no peers, and with false if
   * every peer refused or missed the batch. Until then this node holds the only copy: if it died, a
   * backup that takes the slot over could not include the transaction, and a wallet holding the
   * receipt could have the leader slashed. So the receipt is handed out only after it (see {@link
   * SquadDuty#awaitHeld}).
   */
  java.util.concurrent.CompletableFuture<Boolean> publish(
      long slot, byte[] txHash, String operator, BlsSignature signature, byte[] rawTx) {
    return publish(item(slot, Numeric.toHexString(txHash), operator, signature.toHex(), rawTx));
  }

  /** Queues one item as {@link #PATH} takes it, and sends; see the other overload. */
  private java.util.concurrent.CompletableFuture<Boolean> publish(ObjectNode item) {
    java.util.concurrent.CompletableFuture<Boolean> held =
        new java.util.concurrent.CompletableFuture<>();
    outbox.add(new Outgoing(item, held));
    flush(item.path("operator").asText());
    return held;
  }

  /** The same item again, for a preconfirmation no peer was found holding. */
  java.util.concurrent.CompletableFuture<Boolean> publishAgain(
      SquadDuty.StoredPreconfirmation p, byte[] rawTx) {
    return publish(item(p.slot(), p.txHash(), p.operator(), p.signature(), rawTx));
  }

  /** One item as {@link #PATH} takes it. */
  private ObjectNode item(
      long slot, String txHash, String operator, String signature, byte[] rawTx) {
    ObjectNode o = JSON.createObjectNode();
    o.put("rollupId", duty.config().rollupId());
    o.put("slot", slot);
    o.put("txHash", txHash);
    o.put("operator", operator);
    o.put("signature", signature);
    o.put("rawTx", Numeric.toHexString(rawTx));
    return o;
  }

  /** The outcome label of a refusal ({@code reason: detail}). */
  private static String outcomeOf(String why) {
    int colon = why.indexOf(':');
    return colon < 0 ? why : why.substring(0, colon);
  }

  /**
   * Posts what is queued to every peer but this node, without waiting for the answers; nothing if a
   * batch is on its way and no peer holds it yet (that batch's first keeping peer, or its last
   * answer, sends the next). So a lone preconfirmation goes at once, and under load the queue goes
   * in batches, one round trip apart. Also called every {@value SquadDuty#GOSSIP_MILLIS} ms.
   */
  void flush(String self) {
    if (outbox.isEmpty() || !sending.compareAndSet(false, true)) {
      return;
    }
    List<Map.Entry<String, URI>> peers = new ArrayList<>();
    for (Map.Entry<String, URI> peer : duty.config().peers().entrySet()) {
      if (!peer.getKey().equals(self)) {
        peers.add(peer);
      }
    }
    if (peers.isEmpty()) {
      Outgoing alone;
      while ((alone = outbox.poll()) != null) {
        alone.held().complete(true); // no peer to hold it: nothing to send or wait for
      }
      next(self);
      return;
    }
    List<Outgoing> batch = new ArrayList<>();
    ArrayNode items = JSON.createArrayNode();
    Outgoing o;
    long bytes = 0;
    // at most MAX_ITEMS and about 4 MiB of transactions per post (the intake takes 16 MiB)
    while (batch.size() < MAX_ITEMS && bytes < (4 << 20) && (o = outbox.poll()) != null) {
      batch.add(o);
      items.add(o.item());
      bytes += o.item().path("rawTx").asText().length();
    }
    if (batch.isEmpty()) {
      next(self);
      return;
    }
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(items);
    } catch (IOException e) {
      batch.forEach(b -> b.held().complete(false));
      next(self);
      return;
    }
    int n = batch.size();
    java.util.concurrent.atomic.AtomicInteger left =
        new java.util.concurrent.atomic.AtomicInteger(peers.size());
    java.util.concurrent.atomic.AtomicBoolean released =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            next(self);
          }
        };
    for (Map.Entry<String, URI> peer : peers) {
      java.util.concurrent.atomic.AtomicInteger busy =
          inFlight.computeIfAbsent(
              peer.getKey(), k -> new java.util.concurrent.atomic.AtomicInteger());
      if (busy.incrementAndGet() > MAX_IN_FLIGHT) {
        busy.decrementAndGet();
        sent.labels("skipped").inc(n);
        if (left.decrementAndGet() == 0) {
          batch.forEach(b -> b.held().complete(false));
          release.run();
        }
        continue;
      }
      HttpRequest req =
          HttpRequest.newBuilder(peer.getValue().resolve(PATH))
              .timeout(duty.config().rpcTimeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (resp, err) -> {
                busy.decrementAndGet();
                String outcome =
                    err != null ? "unreachable" : resp.statusCode() == 200 ? "ok" : "refused";
                sent.labels(outcome).inc(n);
                if (resp != null && resp.statusCode() != 200) {
                  String b = resp.body() == null ? "" : resp.body();
                  LOG.warn(
                      "squad: {} refused {} preconfirmation(s): HTTP {} {}",
                      peer.getKey(),
                      n,
                      resp.statusCode(),
                      b.length() > 300 ? b.substring(0, 300) + "…" : b);
                }
                if (resp != null && resp.statusCode() == 200 && keptAll(resp.body(), n)) {
                  batch.forEach(b -> b.held().complete(true));
                  release.run();
                }
                if (left.decrementAndGet() == 0) {
                  batch.forEach(b -> b.held().complete(false)); // no-op once one peer kept it
                  release.run();
                }
              });
    }
  }

  /** Lets the next batch go, and sends it if one is queued. */
  private void next(String self) {
    sending.set(false);
    if (!outbox.isEmpty()) {
      flush(self);
    }
  }

  /** Whether a peer's answer says it kept all {@code n} items of the batch. */
  private static boolean keptAll(String body, int n) {
    try {
      return JSON.readTree(body).path("kept").asInt(-1) == n;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The preconfirmations this node holds for one slot, in the order it took them (the leader's
   * order, for a slot it led), as the items {@link #PATH} takes.
   */
  RouteResponse handleSlot(RouteRequest request) {
    SquadDuty.Running r = duty.running();
    if (r == null) {
      return RouteResponse.error(503, "the sequencer is not running");
    }
    long slot;
    try {
      slot = Long.parseLong(request.pathParam("slot"));
    } catch (NumberFormatException e) {
      slot = -1;
    }
    if (slot < 0) {
      return RouteResponse.error(400, "slot must be a non-negative integer");
    }
    ArrayNode out = JSON.createArrayNode();
    for (SquadDuty.StoredPreconfirmation p : r.promisedInOrder(slot)) {
      byte[] raw = r.held.get(p.txHash());
      if (raw == null) {
        continue;
      }
      out.add(item(slot, p.txHash(), p.operator(), p.signature(), raw));
      if (out.size() >= MAX_ITEMS) {
        break;
      }
    }
    return RouteResponse.json(200, out);
  }

  /**
   * Asks every peer for the preconfirmations it holds for each of {@code slots} (all at once) and
   * keeps those that pass the intake's checks (signed by the slot's leader, the transaction hashing
   * to its hash). A node may have missed some of a leader's gossip (it was restarting, or the post
   * failed), and what it does not hold it cannot put in a block: a backup taking a slot over would
   * leave the leader's promises out (and a follower that holds one would slash the leader for a
   * promise it could not keep), and a leader carrying the promises of slots without a block would
   * break them. Peers that do not answer within {@code wait} are skipped. The number kept that this
   * node did not hold.
   */
  int pull(SquadDuty.Running r, List<Long> slots, java.time.Duration wait, String self) {
    record Ask(
        String peer,
        long slot,
        java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>> answer) {}
    List<Ask> asks = new ArrayList<>();
    for (long slot : slots) {
      for (Map.Entry<String, URI> peer : duty.config().peers().entrySet()) {
        if (peer.getKey().equals(self)) {
          continue;
        }
        HttpRequest req =
            HttpRequest.newBuilder(peer.getValue().resolve(SLOT_PATH.replace("{slot}", "" + slot)))
                .timeout(wait)
                .GET()
                .build();
        asks.add(
            new Ask(
                peer.getKey(),
                slot,
                http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream())));
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    int added = 0;
    for (Ask ask : asks) {
      JsonNode body;
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        HttpResponse<java.io.InputStream> resp =
            ask.answer().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
        try (java.io.InputStream in = resp.body()) {
          if (resp.statusCode() != 200) {
            continue;
          }
          byte[] bytes = in.readNBytes(MAX_PULL_BYTES + 1);
          if (bytes.length > MAX_PULL_BYTES) {
            received.labels("malformed").inc();
            continue;
          }
          body = JSON.readTree(bytes);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        asks.forEach(a -> a.answer().cancel(true));
        break;
      } catch (java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException
          | IOException e) {
        ask.answer().cancel(true);
        LOG.debug(
            "squad: slot {}: {} did not answer for its preconfirmations", ask.slot(), ask.peer());
        continue;
      }
      if (body == null || !body.isArray() || body.size() > MAX_ITEMS) {
        received.labels("malformed").inc();
        continue;
      }
      java.util.Set<String> have = r.promised(ask.slot()).keySet();
      List<JsonNode> items = new ArrayList<>();
      for (JsonNode item : body) {
        String txHash = item.path("txHash").asText("").toLowerCase(Locale.ROOT);
        if (item.path("slot").asLong(-1) != ask.slot()
            || (have.contains(txHash) && r.held.containsKey(txHash))) {
          continue; // another slot's, or held already
        }
        items.add(item);
      }
      for (String why : takeAll(r, items)) {
        if (why == null) {
          added++;
          received.labels("pulled").inc();
        } else {
          received.labels(outcomeOf(why)).inc();
        }
      }
    }
    return added;
  }

  /** The intake of peers' preconfirmations. */
  RouteResponse handle(RouteRequest request) {
    SquadDuty.Running r = duty.running();
    if (r == null) {
      return RouteResponse.error(503, "the sequencer is not running");
    }
    JsonNode body;
    try {
      body = JSON.readTree(request.body());
    } catch (IOException e) {
      received.labels("malformed").inc();
      return RouteResponse.error(400, "not JSON");
    }
    if (body == null || !body.isArray() || body.size() > MAX_ITEMS) {
      received.labels("malformed").inc();
      return RouteResponse.error(400, "expected an array of at most " + MAX_ITEMS + " items");
    }
    List<String> refused = new ArrayList<>();
    int kept = 0;
    List<JsonNode> items = new ArrayList<>();
    for (JsonNode item : body) {
      if (duty.faults().missGossip(item.path("slot").asLong(-1))) {
        continue; // an injected fault: as if this node had been down when it was posted
      }
      items.add(item);
    }
    for (String why : takeAll(r, items)) {
      if (why == null) {
        kept++;
        received.labels("kept").inc();
      } else {
        received.labels(outcomeOf(why)).inc();
        refused.add(why);
      }
    }
    if (!refused.isEmpty()) {
      return RouteResponse.json(400, Map.of("kept", kept, "refused", refused));
    }
    return RouteResponse.ok(Map.of("kept", kept));
  }

  /** An item whose fields and leader are checked; its signature is not yet. */
  private record Candidate(
      BlsPublicKey key,
      byte[] digest,
      BlsSignature signature,
      SquadDuty.StoredPreconfirmation stored,
      byte[] rawTx) {}

  /**
   * Checks and keeps {@code items}: for each, in order, null when it is kept, otherwise {@code
   * reason: detail}. Their signatures are checked together ({@link Bls#batchVerifyByKey}: a post
   * holds one leader's preconfirmations, and one check of the batch costs about a third of checking
   * each); only when the batch fails is each checked alone, to find the bad ones. Nothing is kept
   * before its signature is known good.
   */
  private List<String> takeAll(SquadDuty.Running r, List<JsonNode> items) {
    List<String> out = new ArrayList<>(items.size());
    List<Candidate> candidates = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (JsonNode item : items) {
      Object checked = check(r, item);
      if (checked instanceof Candidate c) {
        candidates.add(c);
        at.add(out.size());
        out.add(null);
      } else {
        out.add((String) checked);
      }
    }
    if (candidates.isEmpty()) {
      return out;
    }
    boolean all =
        candidates.size() > 1
            && Bls.batchVerifyByKey(
                candidates.stream()
                    .map(c -> new SignatureSet(c.key(), c.digest(), c.signature()))
                    .toList());
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      if (all || Bls.verify(c.key(), c.digest(), c.signature())) {
        r.receipts.putIfAbsent(c.stored().txHash(), c.stored());
        r.held.putIfAbsent(c.stored().txHash(), c.rawTx());
        duty.promise(r, c.stored());
      } else {
        out.set(at.get(i), "bad_signature: " + c.stored().txHash());
      }
    }
    return out;
  }

  /** A {@link Candidate} when the item's fields and leader are right; otherwise why not. */
  private Object check(SquadDuty.Running r, JsonNode item) {
    if (!item.isObject()
        || !item.path("rollupId").canConvertToLong()
        || !item.path("slot").canConvertToLong()) {
      return "malformed: fields";
    }
    String txHash = item.path("txHash").asText("").toLowerCase(Locale.ROOT);
    String operator = item.path("operator").asText("").toLowerCase(Locale.ROOT);
    String sig = item.path("signature").asText("");
    String raw = item.path("rawTx").asText("");
    if (!HEX.matcher(txHash).matches()
        || txHash.length() != 66
        || !ADDRESS.matcher(operator).matches()
        || !HEX.matcher(sig).matches()
        || !HEX.matcher(raw).matches()
        || raw.length() > 2 + 2 * duty.config().maxTxBytes()) {
      return "malformed: encoding";
    }
    if (item.get("rollupId").asLong() != duty.config().rollupId()) {
      return "wrong_rollup: " + item.get("rollupId").asLong();
    }
    long slot = item.get("slot").asLong();
    long current = r.currentSlot();
    if (slot < current - RECENT_SLOTS || slot > current + 1 || slot < 0) {
      return "stale: slot " + slot + " (now " + current + ")";
    }
    byte[] rawTx = Numeric.hexStringToByteArray(raw);
    byte[] hash = Numeric.hexStringToByteArray(txHash);
    if (!Arrays.equals(Hash.sha3(rawTx), hash)) {
      return "bad_transaction: the raw transaction does not hash to txHash";
    }
    try {
      int leader = r.leaderOf(slot);
      if (leader == LeaderSchedule.NONE || !r.addressOf(leader).equals(operator)) {
        return "not_leader: " + operator + " does not lead slot " + slot;
      }
      BlsPublicKey key = keyOf(r, operator);
      if (key == null) {
        return "unknown_operator: " + operator;
      }
      BlsSignature signature = BlsSignature.fromHex(sig);
      byte[] digest =
          new Preconfirmation(duty.config().rollupId(), slot, hash).digest(r.signer.domain());
      return new Candidate(
          key,
          digest,
          signature,
          new SquadDuty.StoredPreconfirmation(slot, txHash, sig, operator, key.toHex()),
          rawTx);
    } catch (IOException e) {
      return "l1_unavailable: " + e.getMessage();
    } catch (org.avsnode.bls.BlsEncodingException e) {
      return "bad_signature: " + e.getMessage();
    } catch (RuntimeException e) {
      return "l1_unavailable: " + e.getMessage();
    }
  }

  /**
   * The operator's registered BLS key, read once ({@code AvsRegistry.compressedPubkeyOf}; keys
   * never change after registration) and checked like every key (on the curve, in the subgroup); an
   * operator without a key is asked again at most every 10 s.
   */
  BlsPublicKey keyOf(SquadDuty.Running r, String operator) throws IOException {
    BlsPublicKey k = keys.get(operator);
    if (k != null) {
      return k;
    }
    long now = System.currentTimeMillis();
    Long askedAt = missing.get(operator);
    if (askedAt != null && now - askedAt < 10_000) {
      return null;
    }
    byte[] compressed;
    try {
      compressed = r.registry.bindings().compressedPubkeyOf(operator).send();
    } catch (Exception e) {
      throw new IOException("compressedPubkeyOf: " + e.getMessage(), e);
    }
    if (compressed == null || compressed.length == 0) {
      missing.put(operator, now);
      return null;
    }
    k = BlsPublicKey.fromBytes(compressed);
    keys.put(operator, k);
    return k;
  }
}
