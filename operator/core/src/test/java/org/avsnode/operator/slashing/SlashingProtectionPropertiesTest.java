package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random request sequences, with restarts of the database object, prunes and re-imports of its own
 * export: whatever happens, no two different contents are ever allowed for one height, verdicts
 * never take both values, preconfirmed transactions are always in the slot's proposal, and
 * watermarks only rise.
 */
class SlashingProtectionPropertiesTest {
  static final SlashingDomain DOMAIN = SlashingProtectionRulesTest.DOMAIN;
  static final MessageKind[] KINDS = MessageKind.values();

  /** kind 0..4 (index into MessageKind), key 0..1, rollup 0..1, height 0..5, content 0..3. */
  record Op(int type, int kind, int key, int rollup, int height, int content, int txMask) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.frequency(
                    net.jqwik.api.Tuple.of(80, 0), // sign
                    net.jqwik.api.Tuple.of(6, 1), // restart
                    net.jqwik.api.Tuple.of(7, 2), // prune
                    net.jqwik.api.Tuple.of(7, 3)), // export + re-import
                Arbitraries.integers().between(0, KINDS.length - 1),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 15))
            .as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(120);
  }

  private static byte[] key(int k) {
    return SlashingProtectionRulesTest.publicKey(0x80 + k);
  }

  private static byte[] h(int v) {
    return SlashingProtectionRulesTest.h(v);
  }

  private static SigningIntent intent(Op o) {
    long rollup = o.rollup();
    long height = o.height();
    byte[] digest = h(1000 * o.kind() + 100 * o.content() + o.txMask());
    switch (KINDS[o.kind()]) {
      case FINALITY_ATTESTATION:
        return new SigningIntent.Finality(rollup, height, h(1000 + o.content()));
      case OUTPUT_VERDICT:
        // content parity = verdict value; root fixed per height so conflicts happen often
        return new SigningIntent.Verdict(
            rollup, BigInteger.valueOf(height), h(77), o.content() % 2 == 0, digest);
      case SLOT_ATTESTATION:
        return new SigningIntent.SlotAttestation(rollup, height, h(500 + o.content()), digest);
      case SLOT_PROPOSAL:
        List<byte[]> txs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          if ((o.txMask() & (1 << t)) != 0) {
            txs.add(h(900 + t));
          }
        }
        return new SigningIntent.Proposal(rollup, height, h(2000 + o.txMask()), txs);
      default:
        return new SigningIntent.Preconf(rollup, height, h(900 + o.content()), digest);
    }
  }

  @Property(tries = 100)
  void neverTwoContentsAndWatermarksOnlyRise(@ForAll("ops") List<Op> ops) {
    neverTwoContents(ops, null);
  }

  /**
   * The same with preconfirmations recorded in a {@link PreconfirmationJournal}: a restart is a
   * clean close, a close that leaves the journal's records where a killed process leaves them (read
   * back at the next opening), or no restart but a move of the records into the database.
   */
  @Property(tries = 100)
  void neverTwoContentsWithThePreconfirmationJournal(@ForAll("ops") List<Op> ops)
      throws java.io.IOException {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("journal-prop");
    try {
      neverTwoContents(ops, dir);
    } finally {
      deleteTree(dir);
    }
  }

  static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }

  private static EmbeddedSlashingProtection open(String name, java.nio.file.Path journal) {
    return journal == null
        ? EmbeddedSlashingProtection.inMemory(name, DOMAIN)
        : EmbeddedSlashingProtection.inMemory(name, DOMAIN, journal);
  }

  private void neverTwoContents(List<Op> ops, java.nio.file.Path journal) {
    String name = "prop-" + UUID.randomUUID();
    EmbeddedSlashingProtection db = open(name, journal);
    // what was allowed, per (key, kind, rollup, height[, root]): content identity
    Map<String, String> allowed = new HashMap<>();
    Map<String, Set<Integer>> preconfs = new HashMap<>();
    Map<String, Integer> proposalTxMask = new HashMap<>();
    Map<String, BigInteger> watermarks = new HashMap<>();
    try {
      for (Op o : ops) {
        switch (o.type()) {
          case 1 -> {
            if (journal != null && o.content() == 2) {
              db.flushJournal();
            } else {
              if (journal != null && o.content() == 1) {
                db.closeWithoutFlush();
              } else {
                db.close();
              }
              db = open(name, journal);
            }
          }
          case 2 ->
              db.prune(key(o.key()), KINDS[o.kind()], o.rollup(), BigInteger.valueOf(o.height()));
          case 3 -> {
            Interchange ic = InterchangeJson.read(InterchangeJson.toString(db.exportHistory()));
            ImportReport r = db.importHistory(ic);
            assertThat(r.conflicts()).isZero();
          }
          default -> {
            SigningIntent in = intent(o);
            Decision d = db.checkAndRecord(key(o.key()), in);
            if (d.isAllowed()) {
              String slot = o.key() + "/" + o.rollup() + "/" + o.height();
              String id = o.key() + "/" + in.kind() + "/" + o.rollup() + "/" + o.height();
              String content =
                  switch (in.kind()) {
                    case OUTPUT_VERDICT -> String.valueOf(o.content() % 2);
                    case SLOT_ATTESTATION, FINALITY_ATTESTATION -> String.valueOf(o.content());
                    case SLOT_PROPOSAL -> String.valueOf(o.txMask());
                    case PRECONFIRMATION -> "tx" + o.content() + "@" + o.key();
                  };
              if (in.kind() == MessageKind.PRECONFIRMATION) {
                preconfs.computeIfAbsent(slot, k -> new HashSet<>()).add(o.content());
              } else {
                String before = allowed.putIfAbsent(id, content);
                assertThat(before == null || before.equals(content))
                    .as("two contents allowed for %s: %s and %s", id, before, content)
                    .isTrue();
              }
              if (in.kind() == MessageKind.SLOT_PROPOSAL) {
                proposalTxMask.put(slot, o.txMask());
              }
              Integer mask = proposalTxMask.get(slot);
              if (mask != null) {
                for (int t : preconfs.getOrDefault(slot, Set.of())) {
                  assertThat(mask & (1 << t))
                      .as("preconfirmed tx %d missing from proposal of %s", t, slot)
                      .isNotZero();
                }
              }
            }
          }
        }
        for (int k = 0; k < 2; k++) {
          for (MessageKind kind : KINDS) {
            for (int r = 0; r < 2; r++) {
              String id = k + "/" + kind + "/" + r;
              Optional<BigInteger> wm = db.watermark(key(k), kind, r);
              BigInteger before = watermarks.get(id);
              if (before != null) {
                assertThat(wm).as("watermark %s disappeared", id).isPresent();
                assertThat(wm.get()).as("watermark %s lowered", id).isGreaterThanOrEqualTo(before);
              }
              wm.ifPresent(w -> watermarks.put(id, w));
            }
          }
        }
      }
    } finally {
      db.close();
      EmbeddedSlashingProtection.dropInMemory(name);
    }
  }

  /**
   * Group commit changes nothing: the same requests, recorded in random batches of one key, get the
   * decisions they get one at a time, and leave the same history behind.
   */
  @Property(tries = 100)
  void batchesDecideLikeOneAtATime(@ForAll("ops") List<Op> ops, @ForAll("cuts") List<Integer> cuts)
      throws java.io.IOException {
    String one = "prop-one-" + UUID.randomUUID();
    String batched = "prop-batch-" + UUID.randomUUID();
    // the batched one records preconfirmations in a journal, so the two histories also compare
    // the journal with the database
    java.nio.file.Path journal = java.nio.file.Files.createTempDirectory("journal-batch");
    EmbeddedSlashingProtection a = EmbeddedSlashingProtection.inMemory(one, DOMAIN);
    EmbeddedSlashingProtection b = EmbeddedSlashingProtection.inMemory(batched, DOMAIN, journal);
    try {
      List<Op> signs = ops.stream().filter(o -> o.type() == 0).toList();
      int i = 0;
      int c = 0;
      while (i < signs.size()) {
        // a batch: consecutive requests of one key, its length from the random cuts
        int key = signs.get(i).key();
        int len = 1 + cuts.get(c++ % cuts.size());
        List<SigningIntent> batch = new ArrayList<>();
        while (i < signs.size() && batch.size() < len && signs.get(i).key() == key) {
          batch.add(intent(signs.get(i++)));
        }
        List<Decision> together = b.checkAndRecordAll(key(key), batch);
        assertThat(together).hasSize(batch.size());
        for (int j = 0; j < batch.size(); j++) {
          Decision alone = a.checkAndRecord(key(key), batch.get(j));
          assertThat(together.get(j).reason())
              .as("request %s of a batch of %d", batch.get(j), batch.size())
              .isEqualTo(alone.reason());
          assertThat(together.get(j).isAllowed()).isEqualTo(alone.isAllowed());
        }
      }
      assertThat(InterchangeJson.toString(b.exportHistory()))
          .isEqualTo(InterchangeJson.toString(a.exportHistory()));
    } finally {
      a.close();
      b.close();
      EmbeddedSlashingProtection.dropInMemory(one);
      EmbeddedSlashingProtection.dropInMemory(batched);
      deleteTree(journal);
    }
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 12).list().ofMinSize(1).ofMaxSize(20);
  }
}
