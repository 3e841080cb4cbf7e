package org.avsnode.certificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.bls.eip712.TypedMessage;
import org.junit.jupiter.api.Test;

/** One envelope for the message types of DESIGN.md §3: MACH's unchanged, the others beside it. */
class EnvelopeTest {
  private static byte[] b(int v) {
    byte[] out = new byte[32];
    java.util.Arrays.fill(out, (byte) v);
    return out;
  }

  static List<TypedMessage> oneOfEach() {
    return List.of(
        new FinalityAttestation(42, 1234, b(1), b(2), Fixture.EPOCH),
        new OutputVerdict(42, BigInteger.TWO.pow(200), b(3), false, Fixture.EPOCH),
        new SlotProposal(42, 9, b(4), b(5), b(6)),
        new SlotAttestation(42, 9, b(5), Fixture.EPOCH),
        new Preconfirmation(42, 9, b(7)));
  }

  @Test
  void everyTypeSurvivesAJsonRoundTripInsideTheEnvelope() throws Exception {
    Fixture f = Fixture.of(4);
    for (TypedMessage m : oneOfEach()) {
      Certificate c = f.certify(m, List.of(0, 1, 2, 3), 6667);
      Certificate back = Certificate.fromJson(c.toJson());
      assertThat(back).as(m.toString()).isEqualTo(c);
      assertThat(back.messageType()).isEqualTo(MessageTypes.of(m).name());
      assertThat(back.toJson()).isEqualTo(c.toJson());
    }
  }

  @Test
  void machsVersionOneJsonIsUnchanged() throws Exception {
    Fixture f = Fixture.of(4);
    Certificate c = f.certify(Fixture.message(5), List.of(0, 1, 2, 3), 6667);
    String json = c.toJson();
    // field order of DESIGN.md §5, type first in the message
    assertThat(json.replaceAll("\\s", ""))
        .startsWith("{\"version\":1,\"message\":{\"type\":\"FinalityAttestation\",\"rollupId\":")
        .contains("\"outputRoot\":")
        .contains(",\"stakeEpoch\":77},\"digest\":");
  }

  @Test
  void aVerdictCertificateVerifiesOnlyWhereVerdictsAreAccepted() {
    Fixture f = Fixture.of(4);
    OutputVerdict v = new OutputVerdict(42, BigInteger.valueOf(17), b(9), false, Fixture.EPOCH);
    Certificate c = f.certify(v, List.of(1, 2, 3), 6667);
    // a bridge asking for finality never mistakes a verdict for it
    assertThat(CertificateVerifier.verify(c, f.snapshot, Fixture.DOMAIN, VerifierPolicy.defaults()))
        .matches(r -> r.reason().orElseThrow() == RejectionReason.UNSUPPORTED_MESSAGE_TYPE);
    VerifierPolicy verdicts = VerifierPolicy.defaults().withMessageTypes("OutputVerdict");
    assertThat(CertificateVerifier.verify(c, f.snapshot, Fixture.DOMAIN, verdicts))
        .matches(VerificationResult::isValid);
    // the verdict flipped: another digest, the signature no longer matches
    Certificate flipped =
        c.toBuilder()
            .message(new OutputVerdict(42, BigInteger.valueOf(17), b(9), true, Fixture.EPOCH))
            .build();
    assertThat(CertificateVerifier.verify(flipped, f.snapshot, Fixture.DOMAIN, verdicts))
        .matches(r -> r.reason().orElseThrow() == RejectionReason.DIGEST_MISMATCH);
    assertThat(c.rollupId()).isEqualTo(42);
    assertThat(c.height()).isEqualTo(BigInteger.valueOf(17));
    assertThatThrownBy(c::finalityAttestation).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void singleSignerTypesCannotBeCertifiedAndUnknownTypesAreMalformed() {
    assertThat(MessageTypes.certifiable())
        .containsExactlyInAnyOrder("FinalityAttestation", "OutputVerdict", "SlotAttestation");
    assertThatThrownBy(() -> VerifierPolicy.defaults().withMessageTypes("Preconfirmation"))
        .isInstanceOf(IllegalArgumentException.class);
    Fixture f = Fixture.of(4);
    String json =
        f.certify(Fixture.message(5), List.of(0, 1, 2, 3), 6667)
            .toJson()
            .replace("\"FinalityAttestation\"", "\"Unknown\"");
    assertThatThrownBy(() -> Certificate.fromJson(json))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("unknown message type");
    String extra =
        f.certify(Fixture.message(5), List.of(0, 1, 2, 3), 6667)
            .toJson()
            .replace("\"rollupId\"", "\"slot\":1,\"rollupId\"");
    assertThatThrownBy(() -> Certificate.fromJson(extra))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("unknown field");
  }
}
