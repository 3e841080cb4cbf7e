package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.avsnode.bls.BlsPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM signs continuously against the embedded (H2 file) database and is killed with SIGKILL
 * at a random moment, at least 100 times. Each restart tries a new, conflicting content for heights
 * already signed before (and then new heights). Nothing conflicting may ever be signed.
 */
class EmbeddedKillNineIT {
  private static final int CYCLES = Integer.getInteger("avs.killnine.cycles", 100);

  @Test
  void killNineAtRandomMomentsNeverLeadsToConflictingSignatures(@TempDir Path tmp)
      throws Exception {
    Path dir = tmp.resolve("db");
    Path key = tmp.resolve("key");
    BlsPublicKey pk = WorkerSupport.writeKey(key);
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    Map<Long, ByteBuffer> signed = new HashMap<>();
    List<WorkerSupport.Signed> all = new ArrayList<>();
    long maxDone = -1;
    int conflicts = 0;
    int retriedHeights = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      int variant = cycle + 1;
      Path out = tmp.resolve("out-" + cycle);
      Path log = tmp.resolve("log-" + cycle);
      long start = maxDone < 0 ? 0 : Math.max(0, maxDone - rnd.nextInt(300));
      retriedHeights += (int) Math.max(0, maxDone - start + 1);
      Process p = null;
      try {
        p = WorkerSupport.start(log, workerArgs(dir, key, out, start, variant));
        WorkerSupport.awaitReady(p, log, 30_000);
        if (cycle == 0) {
          // while the child holds the database, nobody else can open it
          assertThatThrownBy(
                  () ->
                      EmbeddedSlashingProtection.open(
                          dir, ProtectedSigner.slashingDomain(SigningWorker.DOMAIN)))
              .isInstanceOf(DatabaseInUseException.class)
              .hasMessageContaining("in use by another process");
        }
        Thread.sleep(rnd.nextInt(300));
        p.destroyForcibly();
        p.waitFor();
      } finally {
        WorkerSupport.stop(p);
      }
      for (WorkerSupport.Signed s : WorkerSupport.read(out)) {
        assertThat(s.digest())
            .isEqualTo(SigningWorker.attestation(s.height(), variant).digest(SigningWorker.DOMAIN));
        ByteBuffer prev = signed.putIfAbsent(s.height(), ByteBuffer.wrap(s.digest()));
        if (prev != null && !prev.equals(ByteBuffer.wrap(s.digest()))) {
          conflicts++;
        }
        maxDone = Math.max(maxDone, s.height());
        all.add(s);
      }
    }
    System.out.printf(
        "kill -9: %d cycles (seed %d), %d heights signed, %d re-tries of signed heights%n",
        CYCLES, seed, signed.size(), retriedHeights);
    assertThat(conflicts).as("conflicting signatures (seed %d)", seed).isZero();
    assertThat(signed.size()).as("the workers made progress").isGreaterThan(CYCLES);
    WorkerSupport.assertAllVerify(pk, all);
    // the database, reopened, refuses a new content for every height signed
    try (EmbeddedSlashingProtection db =
        EmbeddedSlashingProtection.open(
            dir, ProtectedSigner.slashingDomain(SigningWorker.DOMAIN))) {
      byte[] pubkey = pk.toBytes();
      for (long h : signed.keySet()) {
        byte[] other = SigningWorker.attestation(h, 0).digest(SigningWorker.DOMAIN);
        assertThat(
                db.checkAndRecord(
                        pubkey, new SigningIntent.Finality(SigningWorker.ROLLUP, h, other))
                    .reason())
            .isEqualTo(RefusalReason.DOUBLE_SIGN);
      }
    }
  }

  /**
   * Preconfirmations go to the journal beside the database, not into it, and are moved there in
   * batches. A child JVM signs them continuously (64 a slot, as a SQUAD leader) and is killed at a
   * random moment; each restart goes back over slots already preconfirmed with new transactions.
   * After every kill, each preconfirmation the child signed must still bind its slot: the database,
   * reopened, refuses a proposal of that slot without the transaction.
   */
  @Test
  void killNineWhilePreconfirmingLosesNoRecord(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("db");
    Path key = tmp.resolve("key");
    BlsPublicKey pk = WorkerSupport.writeKey(key);
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    // slot -> every transaction preconfirmed for it
    Map<Long, List<byte[]>> bySlot = new HashMap<>();
    List<WorkerSupport.Signed> all = new ArrayList<>();
    long maxDone = -1;
    int cycles = Math.max(10, CYCLES / 4);
    for (int cycle = 0; cycle < cycles; cycle++) {
      int variant = cycle + 1;
      Path out = tmp.resolve("out-" + cycle);
      Path log = tmp.resolve("log-" + cycle);
      long start = maxDone < 0 ? 0 : Math.max(0, maxDone - rnd.nextInt(300));
      Process p = null;
      try {
        p = WorkerSupport.start(log, workerArgs(dir, key, out, start, variant, "preconf"));
        WorkerSupport.awaitReady(p, log, 30_000);
        Thread.sleep(rnd.nextInt(600));
        p.destroyForcibly();
        p.waitFor();
      } finally {
        WorkerSupport.stop(p);
      }
      List<WorkerSupport.Signed> signed = WorkerSupport.read(out);
      for (WorkerSupport.Signed s : signed) {
        org.avsnode.bls.eip712.Preconfirmation m =
            SigningWorker.preconfirmation(s.height(), variant);
        assertThat(s.digest()).isEqualTo(m.digest(SigningWorker.DOMAIN));
        bySlot.computeIfAbsent(m.slot(), k -> new ArrayList<>()).add(m.txHash());
        maxDone = Math.max(maxDone, s.height());
        all.add(s);
      }
      // reopened as the next node process would: every slot preconfirmed in this cycle refuses a
      // proposal that leaves out the last transaction signed for it (a refusal records nothing)
      try (EmbeddedSlashingProtection db =
          EmbeddedSlashingProtection.open(
              dir, ProtectedSigner.slashingDomain(SigningWorker.DOMAIN))) {
        java.util.Set<Long> slots = new java.util.TreeSet<>();
        for (WorkerSupport.Signed s : signed) {
          slots.add(s.height() / 64);
        }
        for (long slot : slots) {
          List<byte[]> txs = bySlot.get(slot);
          assertThat(
                  db.checkAndRecord(
                          pk.toBytes(),
                          new SigningIntent.Proposal(
                              SigningWorker.ROLLUP,
                              slot,
                              SigningWorker.filled(32, 0x5e),
                              txs.subList(0, txs.size() - 1)))
                      .reason())
              .as("slot %d without its last preconfirmed transaction (seed %d)", slot, seed)
              .isEqualTo(RefusalReason.MISSING_PRECONF);
        }
      }
    }
    System.out.printf(
        "kill -9 while preconfirming: %d cycles (seed %d), %d preconfirmations in %d slots%n",
        cycles, seed, all.size(), bySlot.size());
    assertThat(all.size()).as("the workers made progress").isGreaterThan(cycles);
    WorkerSupport.assertAllVerify(pk, all);
    // and the whole history holds every one of them
    try (EmbeddedSlashingProtection db =
        EmbeddedSlashingProtection.open(
            dir, ProtectedSigner.slashingDomain(SigningWorker.DOMAIN))) {
      java.util.Set<String> recorded = new java.util.HashSet<>();
      for (HistoryEntry e : db.exportHistory().keys().get(0).entries()) {
        if (e.kind() == MessageKind.PRECONFIRMATION) {
          recorded.add(e.height() + "/" + java.util.HexFormat.of().formatHex(e.subject()));
        }
      }
      for (Map.Entry<Long, List<byte[]>> en : bySlot.entrySet()) {
        for (byte[] tx : en.getValue()) {
          assertThat(recorded)
              .as("seed %d", seed)
              .contains(en.getKey() + "/" + java.util.HexFormat.of().formatHex(tx));
        }
      }
    }
  }

  /** A SigningWorker on the H2 database in {@code dir}, signing from {@code start} until killed. */
  private static String[] workerArgs(
      Path dir, Path key, Path out, long start, int variant, String... mode) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "h2",
                dir.toString(),
                key.toString(),
                out.toString(),
                String.valueOf(start),
                "-1",
                String.valueOf(variant)));
    args.addAll(List.of(mode));
    return args.toArray(String[]::new);
  }

  @Test
  void secondOpenInTheSameProcessIsRefusedAndCloseReleases(@TempDir Path tmp) {
    SlashingDomain d = SlashingProtectionRulesTest.DOMAIN;
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(tmp, d)) {
      assertThat(
              db.checkAndRecord(
                      SlashingProtectionRulesTest.KEY,
                      new SigningIntent.Finality(1, 1, SlashingProtectionRulesTest.h(1)))
                  .isAllowed())
          .isTrue();
      assertThatThrownBy(() -> EmbeddedSlashingProtection.open(tmp, d))
          .isInstanceOf(DatabaseInUseException.class);
    }
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(tmp, d)) {
      assertThat(
              db.checkAndRecord(
                      SlashingProtectionRulesTest.KEY,
                      new SigningIntent.Finality(1, 1, SlashingProtectionRulesTest.h(2)))
                  .reason())
          .isEqualTo(RefusalReason.DOUBLE_SIGN);
    }
  }
}
