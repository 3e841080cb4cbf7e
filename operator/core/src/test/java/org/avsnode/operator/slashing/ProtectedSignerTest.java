package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.bls.eip712.SlotProposal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProtectedSignerTest {
  static final byte[] CONTRACT = SlashingProtectionRulesTest.bytes(20, 0x42);
  static final Eip712Domain EIP712 = Eip712Domain.avsNode(17000, CONTRACT);

  private String name;
  private EmbeddedSlashingProtection db;
  private BlsSecretKey sk;
  private SigningCounters counters;
  private ProtectedSigner signer;

  @BeforeEach
  void setUp() {
    name = "signer-" + UUID.randomUUID();
    db = EmbeddedSlashingProtection.inMemory(name, ProtectedSigner.slashingDomain(EIP712));
    sk = BlsSecretKey.random(new SecureRandom());
    counters = new SigningCounters();
    signer = new ProtectedSigner(sk, db, EIP712, counters);
  }

  @AfterEach
  void tearDown() {
    db.close();
    EmbeddedSlashingProtection.dropInMemory(name);
  }

  static byte[] h(int v) {
    return SlashingProtectionRulesTest.h(v);
  }

  @Test
  void slashingDomainSeparatorMatchesEip712DomainSeparator() {
    assertThat(ProtectedSigner.slashingDomain(EIP712).separator()).isEqualTo(EIP712.separator());
    assertThat(SlashingDomain.of(1, CONTRACT).separator())
        .isEqualTo(Eip712Domain.avsNode(1, CONTRACT).separator());
  }

  @Test
  void signsTheRecomputedDigestAndRefusesConflicts() {
    FinalityAttestation a = new FinalityAttestation(3, 100, h(1), h(2), 5);
    SigningResult r = signer.sign(a);
    assertThat(r.isSigned()).isTrue();
    assertThat(r.digest()).isEqualTo(a.digest(EIP712));
    assertThat(Bls.verify(signer.publicKey(), a.digest(EIP712), r.signature())).isTrue();
    // identical content: same signature (deterministic), counted as a repeat
    SigningResult again = signer.sign(new FinalityAttestation(3, 100, h(1), h(2), 5));
    assertThat(again.signature().toBytes()).isEqualTo(r.signature().toBytes());
    assertThat(counters.repeats(MessageKind.FINALITY_ATTESTATION)).isEqualTo(1);
    // any field change at the same height is a different content
    for (FinalityAttestation c :
        List.of(
            new FinalityAttestation(3, 100, h(9), h(2), 5),
            new FinalityAttestation(3, 100, h(1), h(9), 5),
            new FinalityAttestation(3, 100, h(1), h(2), 6))) {
      SigningResult refused = signer.sign(c);
      assertThat(refused.isSigned()).isFalse();
      assertThat(refused.reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
      assertThatThrownBy(refused::signature).isInstanceOf(IllegalStateException.class);
    }
    assertThat(counters.signed(MessageKind.FINALITY_ATTESTATION)).isEqualTo(2);
    assertThat(counters.refused(MessageKind.FINALITY_ATTESTATION, RefusalReason.DOUBLE_SIGN))
        .isEqualTo(3);
  }

  @Test
  void allMessageTypes() {
    OutputVerdict v = new OutputVerdict(1, BigInteger.valueOf(12), h(3), true, 4);
    assertThat(signer.sign(v).isSigned()).isTrue();
    assertThat(signer.sign(new OutputVerdict(1, BigInteger.valueOf(12), h(3), false, 4)).reason())
        .isEqualTo(RefusalReason.CONFLICTING_VERDICT);

    Preconfirmation p = new Preconfirmation(1, 40, h(77));
    SigningResult pr = signer.sign(p);
    assertThat(Bls.verify(signer.publicKey(), p.digest(EIP712), pr.signature())).isTrue();
    SlotProposal missing = new SlotProposal(1, 40, h(4), h(5), h(6));
    assertThat(signer.sign(missing, List.of(h(78))).reason())
        .isEqualTo(RefusalReason.MISSING_PRECONF);
    assertThat(signer.sign(missing, List.of(h(78), h(77))).isSigned()).isTrue();
    assertThat(signer.sign(new SlotProposal(1, 40, h(4), h(8), h(6)), List.of(h(77))).reason())
        .isEqualTo(RefusalReason.DOUBLE_SIGN);
    assertThat(signer.sign(new Preconfirmation(1, 40, h(79))).reason())
        .isEqualTo(RefusalReason.PRECONF_NOT_IN_PROPOSAL);

    assertThat(signer.sign(new SlotAttestation(1, 40, h(5), 4)).isSigned()).isTrue();
    assertThat(signer.sign(new SlotAttestation(1, 40, h(6), 4)).reason())
        .isEqualTo(RefusalReason.DOUBLE_SIGN);
  }

  @Test
  void malformedMessagesAndDatabaseFailuresAreRefusals() {
    SigningResult bad = signer.sign((FinalityAttestation) null);
    assertThat(bad.reason()).isEqualTo(RefusalReason.INVALID_REQUEST);
    SigningResult badTxs =
        signer.sign(new SlotProposal(1, 1, h(1), h(2), h(3)), List.of(new byte[3]));
    assertThat(badTxs.reason()).isEqualTo(RefusalReason.INVALID_REQUEST);
    db.close();
    SigningResult closed = signer.sign(new FinalityAttestation(3, 1, h(1), h(2), 5));
    assertThat(closed.reason()).isEqualTo(RefusalReason.PROTECTION_UNAVAILABLE);
    assertThat(closed.isSigned()).isFalse();
  }

  @Test
  void refusesADatabaseOfAnotherDomain() {
    Eip712Domain other = Eip712Domain.avsNode(1, CONTRACT);
    assertThatThrownBy(() -> new ProtectedSigner(sk, db, other, null))
        .isInstanceOf(SlashingProtectionException.class);
  }

  @Test
  void toStringNeverShowsTheSecretKey() {
    String secretHex = HexFormat.of().formatHex(sk.toBytes());
    assertThat(signer.toString()).doesNotContain(secretHex).contains(signer.publicKey().toHex());
  }
}
