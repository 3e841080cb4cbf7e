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

  /** A database that takes {@code delayMs} per transaction and remembers its batch sizes. */
  static final class SlowDatabase implements SlashingProtection {
    final SlashingProtection db;
    final long delayMs;
    final List<Integer> batches =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    volatile RuntimeException failWith;

    SlowDatabase(SlashingProtection db, long delayMs) {
      this.db = db;
      this.delayMs = delayMs;
    }

    @Override
    public SlashingDomain domain() {
      return db.domain();
    }

    @Override
    public Decision checkAndRecord(byte[] pubkey, SigningIntent intent) {
      return checkAndRecordAll(pubkey, List.of(intent)).get(0);
    }

    @Override
    public List<Decision> checkAndRecordAll(byte[] pubkey, List<SigningIntent> intents) {
      batches.add(intents.size());
      try {
        Thread.sleep(delayMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failWith != null) {
        throw failWith;
      }
      return db.checkAndRecordAll(pubkey, intents);
    }

    @Override
    public java.util.Optional<BigInteger> watermark(byte[] pubkey, MessageKind kind, long rollup) {
      return db.watermark(pubkey, kind, rollup);
    }

    @Override
    public boolean mayHaveSigned(byte[] pubkey, MessageKind kind, long rollup, BigInteger height) {
      return db.mayHaveSigned(pubkey, kind, rollup, height);
    }

    @Override
    public int prune(byte[] pubkey, MessageKind kind, long rollupId, BigInteger upTo) {
      return db.prune(pubkey, kind, rollupId, upTo);
    }

    @Override
    public List<byte[]> keys() {
      return db.keys();
    }

    @Override
    public Interchange exportHistory() {
      return db.exportHistory();
    }

    @Override
    public ImportReport importHistory(Interchange interchange) {
      return db.importHistory(interchange);
    }

    @Override
    public void close() {}
  }

  /**
   * Concurrent callers share database transactions (group commit) and still get exactly the
   * one-at-a-time rules: of two contents per height exactly one is signed, every preconfirmation is
   * signed, and each signature verifies.
   */
  @Test
  void concurrentCallersShareTransactionsAndKeepTheRules() throws Exception {
    SlowDatabase slow = new SlowDatabase(db, 5);
    ProtectedSigner grouped = new ProtectedSigner(sk, slow, EIP712, counters);
    int threads = 8;
    int each = 25;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<int[]>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int variant = t;
        fs.add(
            pool.submit(
                () -> {
                  int[] signedAt = new int[each];
                  for (int i = 0; i < each; i++) {
                    // two threads per height with different contents
                    FinalityAttestation a =
                        new FinalityAttestation(3, i, h(1 + variant % 2), h(2), 5);
                    SigningResult r = grouped.sign(a);
                    if (r.isSigned()) {
                      assertThat(Bls.verify(grouped.publicKey(), a.digest(EIP712), r.signature()))
                          .isTrue();
                      signedAt[i] = 1 + variant % 2;
                    } else {
                      assertThat(r.reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
                    }
                    Preconfirmation p = new Preconfirmation(1, 9, h(10_000 * variant + i));
                    SigningResult pr = grouped.sign(p);
                    assertThat(pr.isSigned()).as(pr.toString()).isTrue();
                    assertThat(Bls.verify(grouped.publicKey(), p.digest(EIP712), pr.signature()))
                        .isTrue();
                  }
                  return signedAt;
                }));
      }
      int[][] got = new int[threads][];
      for (int t = 0; t < threads; t++) {
        got[t] = fs.get(t).get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      for (int i = 0; i < each; i++) {
        java.util.Set<Integer> contents = new java.util.HashSet<>();
        for (int t = 0; t < threads; t++) {
          if (got[t][i] != 0) {
            contents.add(got[t][i]);
          }
        }
        assertThat(contents).as("contents signed at height %d", i).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
    int intents = slow.batches.stream().mapToInt(Integer::intValue).sum();
    assertThat(intents).isEqualTo(threads * each * 2);
    // while one transaction takes 5 ms, the other callers' intents queue for the next one
    assertThat(slow.batches.size()).isLessThan(intents / 2);
    assertThat(slow.batches.stream().mapToInt(Integer::intValue).max().getAsInt())
        .isLessThanOrEqualTo(ProtectedSigner.MAX_BATCH)
        .isGreaterThan(1);
  }

  @Test
  void aFailingBatchRefusesEveryMemberAndReleasesThem() throws Exception {
    SlowDatabase slow = new SlowDatabase(db, 20);
    slow.failWith = new IllegalStateException("boom");
    ProtectedSigner grouped = new ProtectedSigner(sk, slow, EIP712, counters);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<SigningResult>> fs = new java.util.ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int v = t;
        fs.add(pool.submit(() -> grouped.sign(new Preconfirmation(1, 2, h(v)))));
      }
      for (java.util.concurrent.Future<SigningResult> f : fs) {
        SigningResult r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.isSigned()).isFalse();
        assertThat(r.reason()).isEqualTo(RefusalReason.PROTECTION_UNAVAILABLE);
      }
    } finally {
      pool.shutdownNow();
    }
    // nothing was recorded, and the signer works again once the database does
    slow.failWith = null;
    assertThat(grouped.sign(new Preconfirmation(1, 2, h(0))).isSigned()).isTrue();
    assertThat(db.keys()).hasSize(1);
  }
}
