package org.avsnode.squad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.squad.l2.L2RpcException;
import org.avsnode.squad.preconf.Preconfirmer;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.web3j.utils.Numeric;

/**
 * The operator's standard Ethereum JSON-RPC endpoint for the rollup's users ({@value
 * SquadDuty#RPC_PATH}): {@code eth_sendRawTransaction} (preconfirmed when this node leads the
 * current slot, otherwise forwarded to the leader's endpoint), {@code eth_chainId}, {@code
 * net_version}, {@code squad_getPreconfirmation(txHash)}, the pending nonce from the leader's
 * ledger, and the read methods a wallet needs, passed to the operator's L2 node. Single requests
 * and batches (up to {@value #MAX_BATCH}) are answered per JSON-RPC 2.0; malformed input gets a
 * JSON-RPC error, never a signature.
 */
final class SquadRpc {
  static final int MAX_BATCH = 100;
  static final String FORWARDED_HEADER = "x-squad-forwarded";

  /**
   * A request is forwarded at most twice: to the leader the first node sees, and once more when the
   * slot turned while it travelled.
   */
  static final int MAX_HOPS = 2;

  /** JSON-RPC error codes. */
  static final int PARSE_ERROR = -32700;

  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;
  static final int SERVER_ERROR = -32000;
  static final int TX_REJECTED = -32003;

  /** Read methods passed to the L2 node as they are. */
  static final Set<String> PASSED =
      Set.of(
          "eth_blockNumber",
          "eth_getBalance",
          "eth_getTransactionByHash",
          "eth_getTransactionReceipt",
          "eth_getBlockByNumber",
          "eth_getBlockByHash",
          "eth_getBlockTransactionCountByNumber",
          "eth_getBlockTransactionCountByHash",
          "eth_call",
          "eth_estimateGas",
          "eth_gasPrice",
          "eth_maxPriorityFeePerGas",
          "eth_feeHistory",
          "eth_getCode",
          "eth_getStorageAt",
          "eth_getLogs",
          "eth_syncing",
          "web3_clientVersion");

  /** Methods the endpoint answers itself. */
  static final Set<String> OWN =
      Set.of(
          "eth_chainId",
          "net_version",
          "eth_sendRawTransaction",
          "squad_getPreconfirmation",
          "eth_getTransactionCount");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final java.util.regex.Pattern HEX =
      java.util.regex.Pattern.compile("0x(?:[0-9a-fA-F]{2})+");
  private static final java.util.regex.Pattern ADDRESS =
      java.util.regex.Pattern.compile("0x[0-9a-fA-F]{40}");
  private final SquadDuty duty;
  private final HttpClient http;

  SquadRpc(SquadDuty duty) {
    this.duty = duty;
    this.http = HttpClient.newBuilder().connectTimeout(duty.config().rpcTimeout()).build();
  }

  RouteResponse handle(RouteRequest request) {
    int hops = hops(request);
    JsonNode body;
    try {
      body = JSON.readTree(request.body());
    } catch (IOException e) {
      return answer(error(null, PARSE_ERROR, "parse error"));
    }
    if (body == null) {
      return answer(error(null, PARSE_ERROR, "parse error"));
    }
    if (body.isArray()) {
      if (body.isEmpty() || body.size() > MAX_BATCH) {
        return answer(
            error(null, INVALID_REQUEST, "a batch holds 1 to " + MAX_BATCH + " requests"));
      }
      ArrayNode out = JSON.createArrayNode();
      for (JsonNode one : body) {
        out.add(one(one, hops));
      }
      return answer(out);
    }
    return answer(one(body, hops));
  }

  private JsonNode one(JsonNode req, int hops) {
    if (!req.isObject()) {
      return error(null, INVALID_REQUEST, "not a request object");
    }
    JsonNode id = req.get("id");
    if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
      return error(null, INVALID_REQUEST, "bad id");
    }
    JsonNode m = req.get("method");
    if (m == null || !m.isTextual()) {
      return error(id, INVALID_REQUEST, "no method");
    }
    String method = m.asText();
    JsonNode params = req.get("params");
    if (params != null && !params.isArray()) {
      return error(id, INVALID_PARAMS, "params must be an array");
    }
    ArrayNode p = params == null ? JSON.createArrayNode() : (ArrayNode) params;
    SquadDuty.Running r = duty.running();
    duty.rpcCounter().labels(known(method) ? method : "other").inc();
    if (r == null) {
      return error(id, SERVER_ERROR, "the sequencer is not running");
    }
    try {
      switch (method) {
        case "eth_chainId":
          return result(
              id,
              JSON.getNodeFactory()
                  .textNode(Numeric.encodeQuantity(java.math.BigInteger.valueOf(r.l2ChainId))));
        case "net_version":
          return result(id, JSON.getNodeFactory().textNode(Long.toString(r.l2ChainId)));
        case "eth_sendRawTransaction":
          return sendRaw(r, id, p, (ObjectNode) req, hops);
        case "squad_getPreconfirmation":
          return getPreconfirmation(r, id, p, (ObjectNode) req, hops);
        case "eth_getTransactionCount":
          return transactionCount(r, id, p, (ObjectNode) req, hops);
        default:
          if (PASSED.contains(method)) {
            return passToL2(r, id, (ObjectNode) req);
          }
          return error(id, METHOD_NOT_FOUND, "method not found");
      }
    } catch (L2RpcException e) {
      return error(id, SERVER_ERROR, e.getMessage());
    } catch (IOException e) {
      return error(id, SERVER_ERROR, "L1 read failed: " + e.getMessage());
    }
  }

  private JsonNode sendRaw(SquadDuty.Running r, JsonNode id, ArrayNode p, ObjectNode req, int hops)
      throws IOException {
    if (p.size() != 1 || !p.get(0).isTextual()) {
      return error(id, INVALID_PARAMS, "expected [signedTransactionHex]");
    }
    byte[] raw;
    try {
      String hex = p.get(0).asText();
      if (!HEX.matcher(hex).matches()) {
        throw new IllegalArgumentException();
      }
      raw = Numeric.hexStringToByteArray(hex);
    } catch (RuntimeException e) {
      return error(id, INVALID_PARAMS, "not 0x-prefixed hex");
    }
    long slot = r.currentSlot();
    int leader = r.leaderOf(slot);
    if (leader == LeaderSchedule.NONE) {
      return error(id, SERVER_ERROR, "no leader is known for slot " + slot);
    }
    if (leader == r.selfIndex) {
      long t0 = System.nanoTime();
      Preconfirmer.Outcome out = duty.preconfirm(r, slot, raw);
      if (out == null) {
        return error(
            id,
            SERVER_ERROR,
            "this node leads slot "
                + slot
                + " but has not opened it: "
                + (r.problem == null ? "no answer within the wait" : r.problem));
      }
      if (out instanceof Preconfirmer.Accepted a) {
        if (!duty.awaitHeld(r, a, t0)) {
          return error(
              id,
              SERVER_ERROR,
              "preconfirmed for slot "
                  + a.slot()
                  + " but no peer holds the preconfirmation yet, so no receipt is given; the"
                  + " transaction is in this node's block if it seals the slot; send it again for"
                  + " the receipt");
        }
        return result(id, JSON.getNodeFactory().textNode(Numeric.toHexString(a.txHash())));
      }
      Preconfirmer.Refused f = (Preconfirmer.Refused) out;
      return error(id, TX_REJECTED, "not preconfirmed (" + f.reason() + "): " + f.detail());
    }
    JsonNode answer = forward(r, id, req, leader, slot, hops);
    JsonNode result = answer.get("result");
    if (result != null && result.isTextual()) {
      r.forwardedTo.put(result.asText().toLowerCase(Locale.ROOT), leaderUrl(r, leader));
    }
    return answer;
  }

  private JsonNode getPreconfirmation(
      SquadDuty.Running r, JsonNode id, ArrayNode p, ObjectNode req, int hops) throws IOException {
    if (p.size() != 1 || !p.get(0).isTextual()) {
      return error(id, INVALID_PARAMS, "expected [txHash]");
    }
    String hash = p.get(0).asText().toLowerCase(Locale.ROOT);
    SquadDuty.StoredPreconfirmation s = r.receipts.get(hash);
    if (s != null) {
      ObjectNode o = JSON.createObjectNode();
      o.put("rollupId", duty.config().rollupId());
      o.put("slot", s.slot());
      o.put("txHash", s.txHash());
      o.put("operator", s.operator());
      o.put("publicKey", s.publicKey());
      o.put("signature", s.signature());
      return result(id, o);
    }
    URI leaderUrl = r.forwardedTo.get(hash);
    if (leaderUrl != null && hops < MAX_HOPS) {
      return post(id, req, leaderUrl, hops + 1);
    }
    return result(id, JSON.nullNode());
  }

  private JsonNode transactionCount(
      SquadDuty.Running r, JsonNode id, ArrayNode p, ObjectNode req, int hops)
      throws IOException, L2RpcException {
    if (p.size() < 1 || !p.get(0).isTextual()) {
      return error(id, INVALID_PARAMS, "expected [address, block]");
    }
    boolean pending = p.size() > 1 && "pending".equals(p.get(1).asText());
    if (!pending) {
      return passToL2(r, id, req);
    }
    String address = p.get(0).asText();
    if (!ADDRESS.matcher(address).matches()) {
      return error(id, INVALID_PARAMS, "not an address");
    }
    long slot = r.currentSlot();
    int leader = r.leaderOf(slot);
    if (leader == r.selfIndex || leader == LeaderSchedule.NONE || hops >= MAX_HOPS) {
      return result(id, JSON.getNodeFactory().textNode(duty.pendingNonce(r, slot, address)));
    }
    return forward(r, id, req, leader, slot, hops);
  }

  private JsonNode passToL2(SquadDuty.Running r, JsonNode id, ObjectNode req)
      throws L2RpcException {
    JsonNode answer = r.l2.forward(req);
    if (!answer.has("result") && !answer.has("error")) {
      return error(id, SERVER_ERROR, "the L2 node answered without a result");
    }
    ObjectNode out = answer.deepCopy();
    out.set("id", id == null ? JSON.nullNode() : id);
    return out;
  }

  private JsonNode forward(
      SquadDuty.Running r, JsonNode id, ObjectNode req, int leader, long slot, int hops)
      throws IOException {
    if (hops >= MAX_HOPS) {
      duty.forwardedCounter().labels("too_many_hops").inc();
      return error(
          id, SERVER_ERROR, "forwarded " + hops + " times; this node does not lead slot " + slot);
    }
    URI url = leaderUrl(r, leader);
    if (url == null) {
      duty.forwardedCounter().labels("unknown_leader").inc();
      return error(
          id,
          SERVER_ERROR,
          "slot " + slot + "'s leader " + r.addressOf(leader) + " has no known endpoint");
    }
    return post(id, req, url, hops + 1);
  }

  private URI leaderUrl(SquadDuty.Running r, int leader) throws IOException {
    URI base = duty.config().peers().get(r.addressOf(leader));
    return base == null ? null : base.resolve(SquadDuty.RPC_PATH);
  }

  private JsonNode post(JsonNode id, ObjectNode req, URI url, int hops) {
    try {
      HttpRequest h =
          HttpRequest.newBuilder(url)
              .timeout(duty.config().rpcTimeout().plusMillis(SquadDuty.OPEN_WAIT_MILLIS))
              .header("Content-Type", "application/json")
              .header(FORWARDED_HEADER, Integer.toString(hops))
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(req)))
              .build();
      HttpResponse<InputStream> resp = http.send(h, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        byte[] bytes = in.readNBytes(1 << 20);
        JsonNode answer = JSON.readTree(bytes);
        if (resp.statusCode() != 200 || answer == null || !answer.isObject()) {
          duty.forwardedCounter().labels("bad_answer").inc();
          return error(
              id, SERVER_ERROR, "the leader's endpoint answered HTTP " + resp.statusCode());
        }
        duty.forwardedCounter().labels("ok").inc();
        ObjectNode out = (ObjectNode) answer;
        out.set("id", id == null ? JSON.nullNode() : id);
        return out;
      }
    } catch (IOException e) {
      duty.forwardedCounter().labels("unreachable").inc();
      return error(id, SERVER_ERROR, "the leader's endpoint is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(id, SERVER_ERROR, "interrupted");
    }
  }

  private static int hops(RouteRequest request) {
    String h = request.header(FORWARDED_HEADER).orElse("0").strip();
    try {
      int n = Integer.parseInt(h);
      return n < 0 ? MAX_HOPS : Math.min(n, MAX_HOPS);
    } catch (NumberFormatException e) {
      return MAX_HOPS;
    }
  }

  private static boolean known(String method) {
    return PASSED.contains(method) || OWN.contains(method);
  }

  private static ObjectNode result(JsonNode id, JsonNode result) {
    ObjectNode o = JSON.createObjectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id == null ? JSON.nullNode() : id);
    o.set("result", result);
    return o;
  }

  private static ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode o = JSON.createObjectNode();
    o.put("jsonrpc", "2.0");
    o.set("id", id == null ? JSON.nullNode() : id);
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    return o;
  }

  private static RouteResponse answer(JsonNode body) {
    try {
      return new RouteResponse(
          200, RouteResponse.APPLICATION_JSON, JSON.writeValueAsBytes(body), java.util.Map.of());
    } catch (JsonProcessingException e) {
      return RouteResponse.error(500, "cannot write the answer");
    }
  }
}
