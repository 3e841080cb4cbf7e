package org.avsnode.operator.l2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own L2 execution node, over JSON-RPC: block headers ({@code eth_getBlockByNumber})
 * and the message passer's storage root ({@code eth_getProof}), which is all an OP-Stack v0 output
 * root needs. Every failure is an {@link L2Exception}.
 */
public final class L2Client implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RESPONSE_BYTES = 4 << 20;

  private final URI endpoint;
  private final HttpClient http;
  private final Duration timeout;
  private final AtomicLong ids = new AtomicLong();

  public L2Client(URI endpoint, Duration timeout) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    String scheme =
        endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("L2 RPC URL must be http or https: " + redact(endpoint));
    }
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The endpoint without credentials or query, for messages. */
  public String endpoint() {
    return redact(endpoint);
  }

  static String redact(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
  }

  public long blockNumber() {
    return quantity(call("eth_blockNumber", JSON.createArrayNode()), "eth_blockNumber");
  }

  /** The block at {@code number}, or empty when the node does not have it (yet). */
  public Optional<L2Block> block(long number) {
    ArrayNode params = JSON.createArrayNode();
    params.add(hex(number));
    params.add(false);
    return blockOf(call("eth_getBlockByNumber", params), number, endpoint());
  }

  /**
   * The block with hash {@code hash}, or empty when the node does not have it.
   *
   * @throws L2Exception when the node answers with another block than the one asked for
   */
  public Optional<L2Block> blockByHash(byte[] hash) {
    ArrayNode params = JSON.createArrayNode();
    String h = org.web3j.utils.Numeric.toHexString(hash);
    params.add(h);
    params.add(false);
    JsonNode r = call("eth_getBlockByHash", params);
    if (r == null || r.isNull()) {
      return Optional.empty();
    }
    Optional<L2Block> b = blockOf(r, quantity(r.get("number"), "number"), endpoint());
    if (b.isPresent() && !java.util.Arrays.equals(b.get().hash(), hash)) {
      throw new L2Exception(
          "eth_getBlockByHash(" + h + ") from " + endpoint() + " answered another block");
    }
    return b;
  }

  /**
   * The block at {@code number} with the hashes of its transactions in block order (one {@code
   * eth_getBlockByNumber}), or empty when the node does not have it (yet).
   */
  public Optional<BlockTransactions> blockTransactions(long number) {
    ArrayNode params = JSON.createArrayNode();
    params.add(hex(number));
    params.add(false);
    JsonNode r = call("eth_getBlockByNumber", params);
    Optional<L2Block> b = blockOf(r, number, endpoint());
    if (b.isEmpty()) {
      return Optional.empty();
    }
    JsonNode txs = r.get("transactions");
    if (txs == null || !txs.isArray()) {
      throw new L2Exception("block " + number + " from " + endpoint() + " has no transaction list");
    }
    List<byte[]> hashes = new ArrayList<>(txs.size());
    for (JsonNode t : txs) {
      hashes.add(bytes32(t, "transaction hash"));
    }
    return Optional.of(new BlockTransactions(b.get(), hashes));
  }

  /** A block and the hashes of its transactions, in block order. */
  public record BlockTransactions(L2Block block, List<byte[]> transactionHashes) {
    public BlockTransactions {
      transactionHashes = List.copyOf(transactionHashes);
    }
  }

  /** A block from an {@code eth_getBlockByNumber} result; empty for null. */
  static Optional<L2Block> blockOf(JsonNode r, long number, String endpoint) {
    if (r == null || r.isNull()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new L2Block(
              quantity(r.get("number"), "number"),
              bytes32(r.get("hash"), "hash"),
              bytes32(r.get("parentHash"), "parentHash"),
              bytes32(r.get("stateRoot"), "stateRoot"),
              quantity(r.get("timestamp"), "timestamp")));
    } catch (IllegalArgumentException e) {
      throw new L2Exception(
          "malformed block " + number + " from " + endpoint + ": " + e.getMessage());
    }
  }

  /** The storage root of {@code address} at block {@code number} ({@code eth_getProof}). */
  public byte[] storageRoot(String address, long number) {
    ArrayNode params = JSON.createArrayNode();
    params.add(address);
    params.add(JSON.createArrayNode());
    params.add(hex(number));
    JsonNode r = call("eth_getProof", params);
    if (r == null || !r.isObject()) {
      throw new L2Exception("eth_getProof returned no account proof for block " + number);
    }
    return bytes32(r.get("storageHash"), "storageHash");
  }

  /** The output root v0 of a block, with the message passer's storage root at that block. */
  public byte[] outputRoot(L2Block block) {
    byte[] storage = storageRoot(OutputRoot.MESSAGE_PASSER, block.number());
    return OutputRoot.v0(block.stateRoot(), storage, block.hash());
  }

  private JsonNode call(String method, ArrayNode params) {
    ObjectNode req = JSON.createObjectNode();
    req.put("jsonrpc", "2.0");
    req.put("id", ids.incrementAndGet());
    req.put("method", method);
    req.set("params", params);
    HttpResponse<byte[]> resp;
    try {
      resp =
          http.send(
              HttpRequest.newBuilder(endpoint)
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(req)))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new L2Exception(method + " to " + endpoint() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new L2Exception(method + " interrupted", e);
    }
    if (resp.statusCode() != 200) {
      throw new L2Exception(method + " to " + endpoint() + ": HTTP " + resp.statusCode());
    }
    return resultOf(method, resp.body(), endpoint());
  }

  /**
   * The {@code result} of a JSON-RPC response body; every malformed or hostile answer is an {@link
   * L2Exception} (the fuzz target of this parsing is {@code JsonRpcResponseFuzzTest}).
   */
  static JsonNode resultOf(String method, byte[] body, String endpoint) {
    if (body.length > MAX_RESPONSE_BYTES) {
      throw new L2Exception(method + ": response larger than " + MAX_RESPONSE_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new L2Exception(method + ": malformed JSON from " + endpoint);
    }
    if (root == null || !root.isObject()) {
      throw new L2Exception(method + ": not a JSON-RPC response");
    }
    JsonNode err = root.get("error");
    if (err != null && !err.isNull()) {
      throw new L2Exception(method + " failed: " + err.path("message").asText("error"));
    }
    return root.get("result");
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  private static long quantity(JsonNode n, String what) {
    if (n == null || !n.isTextual() || !n.asText().startsWith("0x") || n.asText().length() < 3) {
      throw new L2Exception(what + " is not a hex quantity");
    }
    try {
      return Long.parseUnsignedLong(n.asText().substring(2), 16);
    } catch (NumberFormatException e) {
      throw new L2Exception(what + " is not a hex quantity: " + n.asText());
    }
  }

  private static byte[] bytes32(JsonNode n, String what) {
    if (n == null || !n.isTextual() || n.asText().length() != 66 || !n.asText().startsWith("0x")) {
      throw new L2Exception(what + " is not a 32-byte hex value");
    }
    try {
      return HexFormat.of().parseHex(n.asText().substring(2));
    } catch (IllegalArgumentException e) {
      throw new L2Exception(what + " is not a 32-byte hex value");
    }
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons
  }
}
