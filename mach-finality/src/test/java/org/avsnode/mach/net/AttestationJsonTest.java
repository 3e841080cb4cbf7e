package org.avsnode.mach.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.quorum.SignedMessage;
import org.junit.jupiter.api.Test;

class AttestationJsonTest {

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
    assertThat(AttestationJson.decode(AttestationJson.encode(a))).isEqualTo(a);
  }

  @Property(tries = 300)
  void mutatedBytesNeverCrash(
      @ForAll("attestations") SignedMessage<FinalityAttestation> a,
      @ForAll int position,
      @ForAll byte value) {
    byte[] body = AttestationJson.encode(a);
    body[Math.floorMod(position, body.length)] = value;
    try {
      AttestationJson.decode(body);
    } catch (MalformedAttestationException expected) {
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
            + "\",\"message\":{\"rollupId\":42,\"l2BlockNumber\":7,\"l2BlockHash\":\"0x"
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
    assertThat(decodes("{")).contains("not JSON");
    assertThatThrownBy(() -> AttestationJson.decode(new byte[0]))
        .isInstanceOf(MalformedAttestationException.class);
  }

  private static String decodes(String json) {
    try {
      AttestationJson.decode(json.getBytes(StandardCharsets.UTF_8));
      return null;
    } catch (MalformedAttestationException e) {
      return e.getMessage();
    }
  }
}
