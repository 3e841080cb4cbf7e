package org.avsnode.operator.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.operator.quorum.SignedMessage;
import org.junit.jupiter.api.Test;

class SignedMessageJsonTest {

  @Provide
  Arbitrary<SignedMessage<FinalityAttestation>> attestations() {
    var b32 = Arbitraries.bytes().array(byte[].class).ofSize(32);
    return net.jqwik.api.Combinators.combine(
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            b32,
            b32,
            Arbitraries.longs().between(0, 0xffffffffL),
            Arbitraries.bytes().array(byte[].class).ofSize(20),
            Arbitraries.bytes().array(byte[].class).ofSize(96))
        .as(
            (r, n, h, o, e, op, sig) ->
                new SignedMessage<>(new FinalityAttestation(r, n, h, o, e), op, sig));
  }

  @Property(tries = 200)
  void decodeOfEncodeIsIdentity(@ForAll("attestations") SignedMessage<FinalityAttestation> a)
      throws Exception {
    assertThat(SignedMessageJson.decode(SignedMessageJson.encode(a), FinalityAttestation.class))
        .isEqualTo(a);
  }

  @Property(tries = 300)
  void mutatedBytesNeverCrash(
      @ForAll("attestations") SignedMessage<FinalityAttestation> a,
      @ForAll int position,
      @ForAll byte value) {
    byte[] body = SignedMessageJson.encode(a);
    body[Math.floorMod(position, body.length)] = value;
    try {
      SignedMessageJson.decode(body, FinalityAttestation.class);
    } catch (MalformedMessageException expected) {
      // a typed rejection is fine; anything else fails the property
    }
  }

  @Test
  void rejectsUnknownMissingAndMistypedFields() {
    String ok =
        "{\"operator\":\"0x"
            + "11".repeat(20)
            + "\",\"signature\":\"0x"
            + "22".repeat(96)
            + "\",\"message\":{\"type\":\"FinalityAttestation\",\"rollupId\":42,\"l2BlockNumber\":7,\"l2BlockHash\":\"0x"
            + "33".repeat(32)
            + "\",\"outputRoot\":\"0x"
            + "44".repeat(32)
            + "\",\"stakeEpoch\":3}}";
    assertThat(decodes(ok)).isNull();
    assertThat(decodes(ok.replace("\"stakeEpoch\":3", "\"stakeEpoch\":3,\"x\":1")))
        .contains("$.message.x");
    assertThat(decodes(ok.replace(",\"stakeEpoch\":3", ""))).contains("stakeEpoch");
    assertThat(decodes(ok.replace("\"rollupId\":42", "\"rollupId\":\"42\""))).contains("rollupId");
    assertThat(decodes(ok.replace("\"stakeEpoch\":3", "\"stakeEpoch\":4294967296")))
        .contains("$.message");
    assertThat(decodes(ok.replace("0x" + "11".repeat(20), "0x" + "11".repeat(19))))
        .contains("operator");
    assertThat(decodes("[1,2]")).contains("$");
    // a verdict where an attestation is expected, a duplicate key, no type
    assertThat(
            decodes(
                ok.replace(
                    "{\"type\":\"FinalityAttestation\",\"rollupId\":42,\"l2BlockNumber\":7,"
                        + "\"l2BlockHash\":\"0x"
                        + "33".repeat(32)
                        + "\"",
                    "{\"type\":\"OutputVerdict\",\"rollupId\":42,\"outputIndex\":\"7\","
                        + "\"valid\":false")))
        .contains("expected FinalityAttestation, got OutputVerdict");
    assertThat(decodes(ok.replace("{\"operator\"", "{\"operator\":\"0x00\",\"operator\"")))
        .contains("duplicate");
    assertThat(decodes(ok.replace("\"type\":\"FinalityAttestation\",", ""))).contains("type");
    assertThat(decodes("{")).contains("not JSON");
    assertThatThrownBy(() -> SignedMessageJson.decode(new byte[0], FinalityAttestation.class))
        .isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void everyTypeTravelsInTheSameWireForm() throws Exception {
    SignedMessage<OutputVerdict> v =
        new SignedMessage<>(
            new OutputVerdict(7, BigInteger.TWO.pow(255), new byte[32], true, 9),
            new byte[20],
            new byte[96]);
    assertThat(SignedMessageJson.decode(SignedMessageJson.encode(v), OutputVerdict.class))
        .isEqualTo(v);
    assertThat(new String(SignedMessageJson.encode(v), StandardCharsets.UTF_8))
        .contains("\"type\":\"OutputVerdict\"");
  }

  private static String decodes(String json) {
    try {
      SignedMessageJson.decode(json.getBytes(StandardCharsets.UTF_8), FinalityAttestation.class);
      return null;
    } catch (MalformedMessageException e) {
      return e.getMessage();
    }
  }
}
