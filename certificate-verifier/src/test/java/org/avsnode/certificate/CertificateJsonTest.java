package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CertificateJsonTest {
  private static Certificate sample() {
    Fixture f = Fixture.of(4);
    return f.certify(Fixture.message(1234), List.of(1, 2, 3), 6667);
  }

  @Test
  void writesTheDesignForm() throws Exception {
    Certificate c = sample();
    String json = c.toJson();
    ObjectNode node = (ObjectNode) StrictJson.MAPPER.readTree(json);
    assertThat(node.fieldNames())
        .toIterable()
        .containsExactly(
            "version",
            "message",
            "digest",
            "operatorSet",
            "signers",
            "signedStake",
            "totalStake",
            "thresholdBps",
            "aggregateSignature",
            "aggregateSignatureEip2537");
    assertThat(node.get("version").intValue()).isEqualTo(1);
    assertThat(node.get("message").get("type").textValue()).isEqualTo("FinalityAttestation");
    assertThat(node.get("message").get("rollupId").longValue()).isEqualTo(42);
    assertThat(node.get("message").get("l2BlockNumber").longValue()).isEqualTo(1234);
    assertThat(node.get("message").get("stakeEpoch").longValue()).isEqualTo(77);
    assertThat(node.get("signers").textValue()).isEqualTo("0x0e"); // operators 1, 2, 3
    assertThat(node.get("signedStake").textValue()).isEqualTo("900");
    assertThat(node.get("totalStake").textValue()).isEqualTo("1000");
    assertThat(node.get("thresholdBps").intValue()).isEqualTo(6667);
    assertThat(node.get("aggregateSignature").textValue()).hasSize(2 + 192);
    assertThat(node.get("aggregateSignatureEip2537").textValue()).hasSize(2 + 512);
    assertThat(node.get("operatorSet").get("id").longValue()).isEqualTo(3);
    assertThat(Certificate.fromJson(json)).isEqualTo(c);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        m("unknown top-level field", n -> n.put("extra", 1), "$.extra", "unknown field"),
        m(
            "unknown message field",
            n -> ((ObjectNode) n.get("message")).put("chainId", 1),
            "$.message.chainId",
            "unknown field"),
        m("missing digest", n -> n.remove("digest"), "$.digest", "missing field"),
        m(
            "missing operatorSet.id",
            n -> ((ObjectNode) n.get("operatorSet")).remove("id"),
            "$.operatorSet.id",
            "missing field"),
        m("null signers", n -> n.putNull("signers"), "$.signers", "missing field"),
        m(
            "short digest",
            n -> n.put("digest", "0x" + "00".repeat(31)),
            "$.digest",
            "expected 32 bytes"),
        m("no 0x", n -> n.put("digest", "00".repeat(32)), "$.digest", "must start with 0x"),
        m("odd hex", n -> n.put("signers", "0x0e0"), "$.signers", "odd number of digits"),
        m("bad hex digit", n -> n.put("signers", "0xzz"), "$.signers", "invalid hex digit"),
        m(
            "signature 95 bytes",
            n -> n.put("aggregateSignature", "0x" + "00".repeat(95)),
            "$.aggregateSignature",
            "expected 96 bytes"),
        m(
            "EIP-2537 signature 128 bytes",
            n -> n.put("aggregateSignatureEip2537", "0x" + "00".repeat(128)),
            "$.aggregateSignatureEip2537",
            "expected 256 bytes"),
        m(
            "stake as a number",
            n -> n.put("signedStake", 900),
            "$.signedStake",
            "expected a string"),
        m(
            "stake with leading zero",
            n -> n.put("signedStake", "0900"),
            "$.signedStake",
            "without leading zeros"),
        m("negative stake", n -> n.put("totalStake", "-1"), "$.totalStake", "non-negative decimal"),
        m(
            "stake above uint256",
            n -> n.put("totalStake", java.math.BigInteger.ONE.shiftLeft(256).toString()),
            "$.totalStake",
            "exceeds uint256"),
        m(
            "fractional threshold",
            n -> n.put("thresholdBps", 66.67),
            "$.thresholdBps",
            "expected an integer"),
        m(
            "threshold above uint16",
            n -> n.put("thresholdBps", 70000),
            "$.thresholdBps",
            "out of range"),
        m(
            "epoch above uint32",
            n -> ((ObjectNode) n.get("message")).put("stakeEpoch", 1L << 32),
            "$.message.stakeEpoch",
            "out of range"),
        m(
            "negative block",
            n -> ((ObjectNode) n.get("message")).put("l2BlockNumber", -1),
            "$.message.l2BlockNumber",
            "out of range"),
        m(
            "block number as string",
            n -> ((ObjectNode) n.get("message")).put("l2BlockNumber", "1234"),
            "$.message.l2BlockNumber",
            "expected an integer"),
        m(
            "message not an object",
            n -> n.put("message", "FinalityAttestation"),
            "$.message",
            "expected a JSON object"),
        m(
            "short avs",
            n -> ((ObjectNode) n.get("operatorSet")).put("avs", "0x1234"),
            "$.operatorSet.avs",
            "expected 20 bytes"));
  }

  private static Arguments m(
      String name, Consumer<ObjectNode> edit, String path, String messagePart) {
    return Arguments.of(name, edit, path, messagePart);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedInputGivesATypedErrorNamingTheField(
      String name, Consumer<ObjectNode> edit, String path, String messagePart) {
    ObjectNode node = sample().toJsonNode();
    edit.accept(node);
    String json = node.toString();
    assertThatThrownBy(() -> Certificate.fromJson(json))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((FormatException) e).path()).isEqualTo(path));
  }

  @Test
  void brokenJsonDuplicateKeysAndTrailingGarbage() {
    String json = sample().toJson();
    assertThatThrownBy(() -> Certificate.fromJson(json.substring(0, json.length() / 2)))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Certificate.fromJson(json + " {}"))
        .isInstanceOf(FormatException.class);
    String dup = json.replaceFirst("\"version\" : 1", "\"version\" : 1, \"version\" : 1");
    assertThat(dup).isNotEqualTo(json);
    assertThatThrownBy(() -> Certificate.fromJson(dup))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("Duplicate field");
    assertThatThrownBy(() -> Certificate.fromJson(null)).isInstanceOf(FormatException.class);
    assertThatThrownBy(() -> Certificate.fromJson("   ")).isInstanceOf(FormatException.class);
  }

  @Test
  void uppercaseHexIsAcceptedAndWrittenBackLowercase() throws Exception {
    Certificate c = sample();
    ObjectNode n = c.toJsonNode();
    n.put("digest", "0x" + n.get("digest").textValue().substring(2).toUpperCase());
    assertThat(Certificate.fromJson(n.toString())).isEqualTo(c);
  }
}
