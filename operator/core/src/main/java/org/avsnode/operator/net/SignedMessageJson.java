package org.avsnode.operator.net;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import org.avsnode.bls.eip712.TypedMessage;
import org.avsnode.certificate.FormatException;
import org.avsnode.certificate.MessageTypes;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * The wire form of a signed duty message between operators (attestations to aggregators, verdicts,
 * gossip), for every message type of DESIGN.md §3:
 *
 * <pre>{@code
 * {"operator": "0x…20 bytes", "signature": "0x…96 bytes",
 *  "message": {"type": "FinalityAttestation", "rollupId": 42, "l2BlockNumber": 7,
 *              "l2BlockHash": "0x…", "outputRoot": "0x…", "stakeEpoch": 3}}
 * }</pre>
 *
 * The message object is the certificate envelope's ({@link MessageTypes}). Parsing is strict:
 * unknown, missing or duplicate fields, wrong types and wrong lengths are rejected with a {@link
 * MalformedMessageException} naming the field, and so is a message of another type than the
 * receiving route expects.
 */
public final class SignedMessageJson {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> TOP = Set.of("operator", "signature", "message");

  private SignedMessageJson() {}

  public static byte[] encode(SignedMessage<?> a) {
    ObjectNode root = JSON.createObjectNode();
    root.put("operator", hex(a.operator()));
    root.put("signature", hex(a.signature()));
    MessageTypes.write(a.message(), root.putObject("message"));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses a signed message of type {@code expected}.
   *
   * @throws MalformedMessageException for anything but that wire form
   */
  public static <M extends TypedMessage> SignedMessage<M> decode(byte[] body, Class<M> expected)
      throws MalformedMessageException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new MalformedMessageException("$", "not JSON (or a duplicate key)");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedMessageException("$", "must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP.contains(f)) {
        throw new MalformedMessageException("$." + f, "unknown field");
      }
    }
    for (String f : TOP) {
      if (!root.has(f)) {
        throw new MalformedMessageException("$." + f, "missing");
      }
    }
    JsonNode msg = root.get("message");
    if (!msg.isObject()) {
      throw new MalformedMessageException("$.message", "must be an object");
    }
    byte[] operator = bytes(root, "operator", 20);
    byte[] signature = bytes(root, "signature", 96);
    TypedMessage m;
    try {
      m = MessageTypes.read("$.message", (ObjectNode) msg);
    } catch (FormatException e) {
      throw new MalformedMessageException("$.message", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException("$.message", String.valueOf(e.getMessage()));
    }
    if (!expected.isInstance(m)) {
      throw new MalformedMessageException(
          "$.message.type",
          "expected " + expected.getSimpleName() + ", got " + MessageTypes.of(m).name());
    }
    return new SignedMessage<>(expected.cast(m), operator, signature);
  }

  private static byte[] bytes(JsonNode node, String f, int size) throws MalformedMessageException {
    JsonNode n = node.get(f);
    String s = n.isTextual() ? n.asText() : "";
    if (!s.startsWith("0x") || s.length() != 2 + 2 * size) {
      throw new MalformedMessageException("$." + f, "must be 0x + " + size + " bytes hex");
    }
    try {
      return HexFormat.of().parseHex(s.substring(2));
    } catch (IllegalArgumentException e) {
      throw new MalformedMessageException("$." + f, "bad hex");
    }
  }

  static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }
}
