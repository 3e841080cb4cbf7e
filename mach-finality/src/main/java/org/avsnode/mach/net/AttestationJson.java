package org.avsnode.mach.net;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * The wire form of a signed attestation (POST {@code /v1/mach/attestations}):
 *
 * <pre>{@code
 * {"operator": "0x…20 bytes", "signature": "0x…96 bytes",
 *  "message": {"rollupId": 42, "l2BlockNumber": 7, "l2BlockHash": "0x…", "outputRoot": "0x…",
 *              "stakeEpoch": 3}}
 * }</pre>
 *
 * Parsing is strict: unknown or missing fields, wrong types and wrong lengths are rejected with a
 * {@link MalformedAttestationException} naming the field.
 */
public final class AttestationJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> TOP = Set.of("operator", "signature", "message");
  private static final Set<String> MESSAGE =
      Set.of("rollupId", "l2BlockNumber", "l2BlockHash", "outputRoot", "stakeEpoch");

  private AttestationJson() {}

  public static byte[] encode(SignedMessage<FinalityAttestation> a) {
    ObjectNode root = JSON.createObjectNode();
    root.put("operator", hex(a.operator()));
    root.put("signature", hex(a.signature()));
    FinalityAttestation m = a.message();
    ObjectNode msg = root.putObject("message");
    msg.put("rollupId", m.rollupId());
    msg.put("l2BlockNumber", m.l2BlockNumber());
    msg.put("l2BlockHash", hex(m.l2BlockHash()));
    msg.put("outputRoot", hex(m.outputRoot()));
    msg.put("stakeEpoch", m.stakeEpoch());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static SignedMessage<FinalityAttestation> decode(byte[] body)
      throws MalformedAttestationException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new MalformedAttestationException("$", "not JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedAttestationException("$", "must be a JSON object");
    }
    fields(root, TOP, "$");
    JsonNode msg = root.get("message");
    if (!msg.isObject()) {
      throw new MalformedAttestationException("$.message", "must be an object");
    }
    fields(msg, MESSAGE, "$.message");
    byte[] operator = bytes(root, "operator", 20, "$");
    byte[] signature = bytes(root, "signature", 96, "$");
    try {
      FinalityAttestation m =
          new FinalityAttestation(
              number(msg, "rollupId"),
              number(msg, "l2BlockNumber"),
              bytes(msg, "l2BlockHash", 32, "$.message"),
              bytes(msg, "outputRoot", 32, "$.message"),
              number(msg, "stakeEpoch"));
      return new SignedMessage<>(m, operator, signature);
    } catch (IllegalArgumentException e) {
      throw new MalformedAttestationException("$.message", e.getMessage());
    }
  }

  private static void fields(JsonNode node, Set<String> allowed, String path)
      throws MalformedAttestationException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new MalformedAttestationException(path + "." + f, "unknown field");
      }
    }
    for (String f : allowed) {
      if (!node.has(f)) {
        throw new MalformedAttestationException(path + "." + f, "missing");
      }
    }
  }

  private static long number(JsonNode msg, String f) throws MalformedAttestationException {
    JsonNode n = msg.get(f);
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
      throw new MalformedAttestationException("$.message." + f, "must be a non-negative integer");
    }
    return n.asLong();
  }

  private static byte[] bytes(JsonNode node, String f, int size, String path)
      throws MalformedAttestationException {
    JsonNode n = node.get(f);
    String s = n.isTextual() ? n.asText() : "";
    if (!s.startsWith("0x") || s.length() != 2 + 2 * size) {
      throw new MalformedAttestationException(
          path + "." + f, "must be 0x + " + size + " bytes hex");
    }
    try {
      return HexFormat.of().parseHex(s.substring(2));
    } catch (IllegalArgumentException e) {
      throw new MalformedAttestationException(path + "." + f, "bad hex");
    }
  }

  static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }
}
