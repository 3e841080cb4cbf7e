package org.avsnode.squad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.utils.Numeric;

/**
 * Slot proposals are gossiped too: the node that signs a {@code SlotProposal} (a leader sealing its
 * slot, or a backup taking one over) posts it with its signature to every peer's {@value #PATH}. A
 * node keeps the first proposal it sees per operator and slot, once the signature verifies with the
 * operator's registered BLS key; a second, different proposal by the same operator for the same
 * slot is the SQUAD double proposal, and the node submits both to the slashing coordinator ({@code
 * slashSquadDoubleProposal}), once, after checking that nobody did.
 */
final class ProposalGossip {
  static final String PATH = "/squad/v1/proposals";
  private static final Logger LOG = LoggerFactory.getLogger(ProposalGossip.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern WORD = Pattern.compile("0x[0-9a-fA-F]{64}");
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]{40}");
  private static final Pattern HEX = Pattern.compile("0x(?:[0-9a-fA-F]{2})+");

  private final SquadDuty duty;
  private final HttpClient http;
  private final Labelled<Counter> received;
  private final SlashingEvidence evidence;

  /** A proposal kept: the message and its signature. */
  record Signed(SlotProposal proposal, BlsSignature signature) {}

  private final Map<String, Signed> first = SquadDuty.boundedMap(16_384);

  ProposalGossip(SquadDuty duty, Labelled<Counter> received, Labelled<Counter> evidence) {
    this.duty = duty;
    this.received = received;
    this.evidence = new SlashingEvidence("double proposal", evidence);
    this.http = HttpClient.newBuilder().connectTimeout(duty.config().rpcTimeout()).build();
  }

  /** Posts a proposal this node signed to every peer, without waiting for the answers. */
  void publish(SlotProposal p, BlsSignature signature, String self) {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(toJson(p, signature, self));
    } catch (IOException e) {
      return;
    }
    for (Map.Entry<String, URI> peer : duty.config().peers().entrySet()) {
      if (peer.getKey().equals(self)) {
        continue;
      }
      http.sendAsync(
          HttpRequest.newBuilder(peer.getValue().resolve(PATH))
              .timeout(duty.config().rpcTimeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  static ObjectNode toJson(SlotProposal p, BlsSignature signature, String operator) {
    ObjectNode o = JSON.createObjectNode();
    o.put("rollupId", p.rollupId());
    o.put("slot", p.slot());
    o.put("parentHash", Numeric.toHexString(p.parentHash()));
    o.put("blockHash", Numeric.toHexString(p.blockHash()));
    o.put("txListHash", Numeric.toHexString(p.txListHash()));
    o.put("operator", operator);
    o.put("signature", signature.toHex());
    return o;
  }

  /** The intake: one proposal object. */
  RouteResponse handle(RouteRequest request) {
    SquadDuty.Running r = duty.running();
    if (r == null) {
      return RouteResponse.error(503, "the sequencer is not running");
    }
    JsonNode o;
    try {
      o = JSON.readTree(request.body());
    } catch (IOException e) {
      received.labels("malformed").inc();
      return RouteResponse.error(400, "not JSON");
    }
    String why = take(r, o);
    if (why != null) {
      received
          .labels(why.substring(0, why.indexOf(':') < 0 ? why.length() : why.indexOf(':')))
          .inc();
      return RouteResponse.error(400, why);
    }
    return RouteResponse.ok(Map.of("kept", 1));
  }

  /** Null when the proposal is kept (or is a repeat); otherwise {@code reason: detail}. */
  private String take(SquadDuty.Running r, JsonNode o) {
    if (o == null
        || !o.isObject()
        || !o.path("rollupId").canConvertToLong()
        || !o.path("slot").canConvertToLong()) {
      return "malformed: fields";
    }
    String operator = o.path("operator").asText("").toLowerCase(Locale.ROOT);
    String sig = o.path("signature").asText("");
    for (String f : new String[] {"parentHash", "blockHash", "txListHash"}) {
      if (!WORD.matcher(o.path(f).asText("")).matches()) {
        return "malformed: " + f;
      }
    }
    if (!ADDRESS.matcher(operator).matches() || !HEX.matcher(sig).matches()) {
      return "malformed: encoding";
    }
    if (o.get("rollupId").asLong() != duty.config().rollupId()) {
      return "wrong_rollup: " + o.get("rollupId").asLong();
    }
    long slot = o.get("slot").asLong();
    long current = r.currentSlot();
    if (slot < 0 || slot < current - PreconfirmationGossip.RECENT_SLOTS || slot > current + 1) {
      return "stale: slot " + slot + " (now " + current + ")";
    }
    SlotProposal p =
        new SlotProposal(
            duty.config().rollupId(),
            slot,
            Numeric.hexStringToByteArray(o.get("parentHash").asText()),
            Numeric.hexStringToByteArray(o.get("blockHash").asText()),
            Numeric.hexStringToByteArray(o.get("txListHash").asText()));
    try {
      BlsPublicKey key = duty.gossip().keyOf(r, operator);
      if (key == null) {
        return "unknown_operator: " + operator;
      }
      BlsSignature signature = BlsSignature.fromHex(sig);
      if (!Bls.verify(key, p.digest(r.signer.domain()), signature)) {
        return "bad_signature: slot " + slot;
      }
      String k = operator + "/" + slot;
      Signed kept = first.putIfAbsent(k, new Signed(p, signature));
      received.labels("kept").inc();
      if (kept != null && !sameProposal(kept.proposal(), p)) {
        doubleProposal(r, operator, kept, new Signed(p, signature));
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "l1_unavailable: " + e.getMessage();
    }
  }

  private static boolean sameProposal(SlotProposal a, SlotProposal b) {
    return Arrays.equals(a.parentHash(), b.parentHash())
        && Arrays.equals(a.blockHash(), b.blockHash())
        && Arrays.equals(a.txListHash(), b.txListHash());
  }

  /** Two different proposals of one operator for one slot: the evidence, staggered, once. */
  private void doubleProposal(SquadDuty.Running r, String operator, Signed a, Signed b) {
    long slot = a.proposal().slot();
    LOG.warn(
        "squad: DOUBLE PROPOSAL: {} signed two different proposals for slot {}", operator, slot);
    evidence.submitOnce(
        r,
        operator + "/" + slot,
        new SlashingEvidence.Offence() {
          @Override
          public boolean alreadyUsed() throws IOException {
            return r.contracts.doubleProposalSlashed(operator, duty.config().rollupId(), slot);
          }

          @Override
          public String callData() {
            return r.contracts.slashDoubleProposalCall(
                operator,
                a.proposal(),
                a.signature().toEip2537(),
                b.proposal(),
                b.signature().toEip2537());
          }
        });
  }
}
