package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded backend on disk records preconfirmations in a journal beside the database and moves
 * them into it in batches. These tests open real databases in a directory, as the node does.
 */
class PreconfirmationJournalTest {
  private static final SlashingDomain DOMAIN = SlashingProtectionRulesTest.DOMAIN;
  private static final byte[] KEY = SlashingProtectionRulesTest.KEY;
  private static final long ROLLUP = 7;

  private static byte[] h(int v) {
    return SlashingProtectionRulesTest.h(v);
  }

  private static Decision preconf(SlashingProtection db, long slot, int tx) {
    return db.checkAndRecord(KEY, new SigningIntent.Preconf(ROLLUP, slot, h(tx), h(10_000 + tx)));
  }

  private static Decision proposal(SlashingProtection db, long slot, int... txs) {
    List<byte[]> hashes = new ArrayList<>();
    for (int t : txs) {
      hashes.add(h(t));
    }
    return db.checkAndRecord(KEY, new SigningIntent.Proposal(ROLLUP, slot, h(20_000), hashes));
  }

  private static List<Path> journalFiles(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(PreconfirmationJournal.PREFIX))
          .sorted()
          .toList();
    }
  }

  private static long journalBytes(Path dir) throws IOException {
    long n = 0;
    for (Path p : journalFiles(dir)) {
      n += Files.size(p);
    }
    return n;
  }

  @Test
  void recordsLeftByAStoppedProcessAreReadBackAndBindTheProposal(@TempDir Path dir)
      throws IOException {
    EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(dir, DOMAIN);
    for (int tx = 1; tx <= 5; tx++) {
      assertThat(preconf(db, 40, tx).isAllowed()).isTrue();
    }
    // five records of 94 bytes in the journal, written before each decision returned
    assertThat(journalBytes(dir)).isEqualTo(5L * PreconfirmationJournal.RECORD_BYTES);
    db.closeWithoutFlush(); // as a kill leaves it: nothing moved into the database
    assertThat(journalBytes(dir)).isEqualTo(5L * PreconfirmationJournal.RECORD_BYTES);

    try (EmbeddedSlashingProtection again = EmbeddedSlashingProtection.open(dir, DOMAIN)) {
      // read back and moved into the database when opened: their file is gone, and the new one
      // is empty
      assertThat(journalFiles(dir)).hasSize(1);
      assertThat(journalBytes(dir)).isZero();
      assertThat(proposal(again, 40, 1, 2, 3, 4).reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
      assertThat(preconf(again, 40, 3).isAllowed()).isTrue(); // a repeat
      assertThat(proposal(again, 40, 1, 2, 3, 4, 5).isAllowed()).isTrue();
      assertThat(preconf(again, 40, 6).reason()).isEqualTo(RefusalReason.PRECONF_NOT_IN_PROPOSAL);
    }
  }

  @Test
  void recordsStillInTheJournalCountForEveryRuleAndTheExport(@TempDir Path dir) {
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(dir, DOMAIN)) {
      assertThat(preconf(db, 50, 1).isAllowed()).isTrue();
      assertThat(preconf(db, 50, 2).isAllowed()).isTrue();
      // before any move into the database (the background move runs every 250 ms: a move in
      // between changes nothing below either)
      assertThat(db.mayHaveSigned(KEY, MessageKind.PRECONFIRMATION, ROLLUP, BigInteger.valueOf(50)))
          .isTrue();
      assertThat(proposal(db, 50, 1).reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
      List<HistoryEntry> exported = db.exportHistory().keys().get(0).entries();
      assertThat(exported)
          .filteredOn(e -> e.kind() == MessageKind.PRECONFIRMATION)
          .extracting(e -> e.subject()[31])
          .containsExactly((byte) 1, (byte) 2);
      db.flushJournal();
      assertThat(proposal(db, 50, 1).reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
      assertThat(db.exportHistory().keys().get(0).entries())
          .filteredOn(e -> e.kind() == MessageKind.PRECONFIRMATION)
          .hasSize(2);
      assertThat(proposal(db, 50, 2, 1).isAllowed()).isTrue();
    }
  }

  @Test
  void aRecordCutOffByAKillEndsItsFileAndTheRecordsBeforeItStay(@TempDir Path dir)
      throws IOException {
    EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(dir, DOMAIN);
    assertThat(preconf(db, 60, 1).isAllowed()).isTrue();
    assertThat(preconf(db, 60, 2).isAllowed()).isTrue();
    db.closeWithoutFlush();
    List<Path> files = journalFiles(dir);
    assertThat(files).hasSize(1);
    // the first 40 bytes of a third record: a write the kill cut off
    byte[] third = PreconfirmationJournal.encode(1, ROLLUP, 60, h(3), h(10_003));
    Files.write(files.get(0), java.util.Arrays.copyOf(third, 40), StandardOpenOption.APPEND);

    try (EmbeddedSlashingProtection again = EmbeddedSlashingProtection.open(dir, DOMAIN)) {
      assertThat(proposal(again, 60, 1).reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
      assertThat(proposal(again, 60, 1, 2).isAllowed()).isTrue();
    }
  }

  @Test
  void aRecordWhoseChecksumFailsIsNotRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(PreconfirmationJournal.PREFIX + "3" + PreconfirmationJournal.SUFFIX);
    byte[] good = PreconfirmationJournal.encode(1, ROLLUP, 70, h(1), h(2));
    byte[] bad = PreconfirmationJournal.encode(1, ROLLUP, 70, h(3), h(4));
    bad[20] ^= 1;
    Files.write(file, concat(good, bad, PreconfirmationJournal.encode(1, ROLLUP, 70, h(5), h(6))));
    List<PreconfirmationJournal.Entry> read = PreconfirmationJournal.read(3, file);
    assertThat(read).hasSize(1);
    assertThat(read.get(0).txHash()).isEqualTo(h(1));
    assertThat(read.get(0).digest()).isEqualTo(h(2));
    assertThat(read.get(0).slot()).isEqualTo(70);
  }

  @Test
  void prunedRecordsAreNotMovedIntoTheDatabaseAndOtherKindsNeverUseTheJournal(@TempDir Path dir)
      throws IOException {
    try (EmbeddedSlashingProtection db = EmbeddedSlashingProtection.open(dir, DOMAIN)) {
      assertThat(preconf(db, 80, 1).isAllowed()).isTrue();
      assertThat(preconf(db, 81, 1).isAllowed()).isTrue();
      db.prune(KEY, MessageKind.PRECONFIRMATION, ROLLUP, BigInteger.valueOf(80));
      db.flushJournal();
      assertThat(journalFiles(dir)).allSatisfy(p -> assertThat(Files.size(p)).isZero());
      assertThat(db.exportHistory().keys().get(0).entries())
          .filteredOn(e -> e.kind() == MessageKind.PRECONFIRMATION)
          .extracting(e -> e.height().longValueExact())
          .containsExactly(81L);
      assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(ROLLUP, 5, h(1))).isAllowed())
          .isTrue();
      assertThat(proposal(db, 90).isAllowed()).isTrue();
      assertThat(journalBytes(dir)).isZero();
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
