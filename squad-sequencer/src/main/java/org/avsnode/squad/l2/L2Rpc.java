package org.avsnode.squad.l2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.web3j.utils.Numeric;

/**
 * The sequencer's JSON-RPC client of its L2 node: the reads it builds on (head block, nonces,
 * balances), the writes that make a block (submitting the sealed transactions, mining one block)
 * and a pass-through for the read methods a wallet asks the operator's endpoint. Answers are
 * bounded in size and checked for shape; a malformed answer is an {@link L2RpcException}, never a
 * wrong value.
 */
public final class L2Rpc implements AccountReads {
  /** Largest answer read from the L2 node (a wallet's eth_getLogs included). */
  public static final int MAX_ANSWER_BYTES = 8 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final Duration timeout;
  private final HttpClient http;
  private final AtomicLong ids = new AtomicLong();

  /** The block a slot builds on. */
  public record Head(
      long number,
      byte[] hash,
      byte[] parentHash,
      long timestamp,
      BigInteger baseFeePerGas,
      BigInteger gasLimit,
      List<byte[]> txHashes) {}

  public L2Rpc(URI endpoint, Duration timeout) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public long chainId() throws L2RpcException {
    return quantity(call("eth_chainId", List.of()), "eth_chainId").longValueExact();
  }

  /** The latest block, with its transaction hashes in order. */
  public Head latest() throws L2RpcException {
    return head(call("eth_getBlockByNumber", List.of("latest", false)), "latest");
  }

  /** Block {@code number}, or null when the node does not have it. */
  public Head block(long number) throws L2RpcException {
    JsonNode r =
        call(
            "eth_getBlockByNumber",
            List.of(Numeric.encodeQuantity(BigInteger.valueOf(number)), false));
    return r.isNull() ? null : head(r, "block " + number);
  }

  /** The block with {@code hash}, or null when the node does not have it. */
  public Head blockByHash(byte[] hash) throws L2RpcException {
    String h = Numeric.toHexString(hash);
    JsonNode r = call("eth_getBlockByHash", List.of(h, false));
    return r.isNull() ? null : head(r, "block " + h);
  }

  /** The account's nonce at the node's current head ({@code latest}). */
  public BigInteger nonce(String address) throws L2RpcException {
    return quantity(
        call("eth_getTransactionCount", List.of(address, "latest")), "eth_getTransactionCount");
  }

  /** The account's balance at the node's current head ({@code latest}). */
  public BigInteger balance(String address) throws L2RpcException {
    return quantity(call("eth_getBalance", List.of(address, "latest")), "eth_getBalance");
  }

  @Override
  public BigInteger nonceAfter(String address, byte[] blockHash) throws L2RpcException {
    return quantity(
        call("eth_getTransactionCount", List.of(address, byHash(blockHash))),
        "eth_getTransactionCount");
  }

  @Override
  public BigInteger balanceAfter(String address, byte[] blockHash) throws L2RpcException {
    return quantity(call("eth_getBalance", List.of(address, byHash(blockHash))), "eth_getBalance");
  }

  /**
   * EIP-1898's block parameter for one block by hash, which must be on the node's canonical chain:
   * a dropped block is an error (anvil: "Resource not found"), never another block's state.
   */
  private static Map<String, Object> byHash(byte[] blockHash) {
    if (blockHash == null || blockHash.length != 32) {
      throw new IllegalArgumentException("a block hash is 32 bytes");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("blockHash", Numeric.toHexString(blockHash));
    m.put("requireCanonical", true);
    return m;
  }

  /** Mines one block now (anvil's {@code evm_mine}, the devnet's L2 runs with automine off). */
  public void mine() throws L2RpcException {
    call("evm_mine", List.of());
  }

  /**
   * Empties the node's transaction pool (anvil's {@code anvil_dropAllTransactions}): what a leader
   * handed it during a slot and did not mine is gone, so the next block mined holds only what is
   * sent after this.
   */
  public void dropPool() throws L2RpcException {
    call("anvil_dropAllTransactions", List.of());
  }

  /**
   * Drops the top {@code depth} blocks (anvil's {@code anvil_rollback}): the L2 node returns to the
   * chain L1 committed. anvil's clock goes back with the blocks (the next block would be stamped as
   * many seconds in the past as the dropped ones spanned, and a block mined again on the same
   * parent could even repeat a dropped one's hash): it is set back to the wall clock.
   */
  public void rollback(int depth) throws L2RpcException {
    call("anvil_rollback", List.of(depth));
    call("anvil_setTime", List.of(System.currentTimeMillis() / 1000));
  }

  /**
   * Sends a JSON-RPC request object as it came from a wallet (id and all) and returns the node's
   * answer object as it is.
   */
  public JsonNode forward(ObjectNode request) throws L2RpcException {
    return post(request);
  }

  private JsonNode call(String method, List<?> params) throws L2RpcException {
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("id", ids.incrementAndGet());
    req.put("method", method);
    ArrayNode p = req.putArray("params");
    for (Object o : params) {
      p.add(JSON.valueToTree(o));
    }
    JsonNode answer = post(req);
    JsonNode error = answer.get("error");
    if (error != null && !error.isNull()) {
      String message = error.path("message").asText("error");
      throw new L2RpcException(method + ": " + clip(message), true);
    }
    if (!answer.has("result")) {
      throw new L2RpcException(method + ": an answer without a result");
    }
    return answer.get("result");
  }

  /**
   * Hands many signed transactions to the pool in JSON-RPC batches of up to 500, in order. Returns,
   * per transaction, null when the node took it, or the node's error message.
   *
   * @throws L2RpcException when the node cannot be reached or answers malformed data
   */
  public List<String> sendRawTransactions(List<byte[]> rawTxs) throws L2RpcException {
    List<String> out = new ArrayList<>(rawTxs.size());
    for (JsonNode a : batched("eth_sendRawTransaction", rawTxs)) {
      if (a == null) {
        out.add("no answer for this transaction");
        continue;
      }
      JsonNode error = a.get("error");
      out.add(error == null || error.isNull() ? null : clip(error.path("message").asText("error")));
    }
    return out;
  }

  /**
   * The signed transactions with these hashes as the node holds them ({@code
   * eth_getRawTransactionByHash}, in JSON-RPC batches of up to 500), in order; null for one the
   * node does not know, or whose answer is not that hash's transaction.
   *
   * @throws L2RpcException when the node cannot be reached or gives no batch answer
   */
  public List<byte[]> rawTransactions(List<byte[]> hashes) throws L2RpcException {
    List<byte[]> out = new ArrayList<>(hashes.size());
    List<JsonNode> answers = batched("eth_getRawTransactionByHash", hashes);
    for (int i = 0; i < hashes.size(); i++) {
      JsonNode result = answers.get(i) == null ? null : answers.get(i).get("result");
      byte[] raw = null;
      if (result != null && result.isTextual() && result.asText().startsWith("0x")) {
        try {
          raw = Numeric.hexStringToByteArray(result.asText());
        } catch (RuntimeException e) {
          // not hex: left out, as an unknown transaction
        }
      }
      // a transaction is its hash's preimage: any other answer is not the one asked for
      boolean ok =
          raw != null && java.util.Arrays.equals(org.web3j.crypto.Hash.sha3(raw), hashes.get(i));
      out.add(ok ? raw : null);
    }
    return out;
  }

  /**
   * Calls {@code method} once per parameter (hex-encoded), in JSON-RPC batches of up to 500, and
   * returns each call's answer object in order (null when the batch answer has none for it).
   *
   * @throws L2RpcException when the node cannot be reached or a batch is not answered as one
   */
  private List<JsonNode> batched(String method, List<byte[]> params) throws L2RpcException {
    List<JsonNode> out = new ArrayList<>(params.size());
    for (int from = 0; from < params.size(); from += 500) {
      int to = Math.min(params.size(), from + 500);
      ArrayNode batch = JSON.createArrayNode();
      long first = ids.getAndAdd(to - from) + 1;
      for (int i = from; i < to; i++) {
        ObjectNode req = batch.addObject();
        req.put("jsonrpc", "2.0");
        req.put("id", first + (i - from));
        req.put("method", method);
        req.putArray("params").add(Numeric.toHexString(params.get(i)));
      }
      JsonNode answer = post(batch, method + " (batch)");
      if (!answer.isArray()) {
        throw new L2RpcException(method + " (batch): not a batch answer");
      }
      java.util.Map<Long, JsonNode> byId = new java.util.HashMap<>();
      for (JsonNode a : answer) {
        byId.putIfAbsent(a.path("id").asLong(-1), a);
      }
      for (int i = from; i < to; i++) {
        out.add(byId.get(first + (i - from)));
      }
    }
    return out;
  }

  private JsonNode post(ObjectNode request) throws L2RpcException {
    return post(request, request.path("method").asText("?"));
  }

  private JsonNode post(com.fasterxml.jackson.databind.node.ContainerNode<?> request, String method)
      throws L2RpcException {
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new L2RpcException(method + ": " + e.getMessage());
    }
    HttpRequest req =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<InputStream> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new L2RpcException(
          method + ": L2 node unreachable (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new L2RpcException(method + ": interrupted");
    }
    try (InputStream in = resp.body()) {
      byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
      if (bytes.length > MAX_ANSWER_BYTES) {
        throw new L2RpcException(method + ": answer larger than " + MAX_ANSWER_BYTES + " bytes");
      }
      if (resp.statusCode() != 200) {
        throw new L2RpcException(method + ": HTTP " + resp.statusCode());
      }
      JsonNode answer = JSON.readTree(bytes);
      if (answer == null || !(answer.isObject() || (answer.isArray() && request.isArray()))) {
        throw new L2RpcException(method + ": not a JSON-RPC answer");
      }
      return answer;
    } catch (L2RpcException e) {
      throw e;
    } catch (IOException e) {
      throw new L2RpcException(method + ": malformed answer");
    }
  }

  private static Head head(JsonNode b, String what) throws L2RpcException {
    if (b == null || !b.isObject()) {
      throw new L2RpcException("block " + what + ": not a block");
    }
    List<byte[]> txs = new ArrayList<>();
    JsonNode list = b.get("transactions");
    if (list == null || !list.isArray()) {
      throw new L2RpcException("block " + what + ": no transaction list");
    }
    for (JsonNode t : list) {
      txs.add(word(t, "transaction hash"));
    }
    JsonNode baseFee = b.get("baseFeePerGas");
    return new Head(
        quantity(b.get("number"), "number").longValueExact(),
        word(b.get("hash"), "hash"),
        word(b.get("parentHash"), "parentHash"),
        quantity(b.get("timestamp"), "timestamp").longValueExact(),
        baseFee == null || baseFee.isNull() ? BigInteger.ZERO : quantity(baseFee, "baseFeePerGas"),
        quantity(b.get("gasLimit"), "gasLimit"),
        txs);
  }

  private static byte[] word(JsonNode n, String what) throws L2RpcException {
    if (n == null || !n.isTextual()) {
      throw new L2RpcException(what + ": missing");
    }
    try {
      byte[] b = Numeric.hexStringToByteArray(n.asText());
      if (b.length != 32) {
        throw new L2RpcException(what + ": not 32 bytes");
      }
      return b;
    } catch (RuntimeException e) {
      throw new L2RpcException(what + ": not hex");
    }
  }

  private static BigInteger quantity(JsonNode n, String what) throws L2RpcException {
    if (n == null || !n.isTextual()) {
      throw new L2RpcException(what + ": not a quantity");
    }
    try {
      BigInteger v = Numeric.decodeQuantity(n.asText());
      if (v.bitLength() > 256) {
        throw new L2RpcException(what + ": out of range");
      }
      return v;
    } catch (RuntimeException e) {
      throw new L2RpcException(what + ": not a quantity");
    }
  }

  private static String clip(String s) {
    String one = s.replaceAll("[\\r\\n]+", " ");
    return one.length() > 200 ? one.substring(0, 200) + "…" : one;
  }
}
