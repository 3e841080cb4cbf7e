package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SlashingProtectionRulesTest {
  static final SlashingDomain DOMAIN = SlashingDomain.of(31337, bytes(20, 0x5a));
  static final byte[] KEY = publicKey(0xa1);
  static final byte[] OTHER_KEY = publicKey(0xb2);

  /** A real BLS public key (the interchange reader checks keys like registration does). */
  static byte[] publicKey(int seed) {
    return org.avsnode.bls.BlsSecretKey.keyGen(bytes(32, seed)).publicKey().toBytes();
  }

  private String name;
  private EmbeddedSlashingProtection db;

  @BeforeEach
  void open() {
    name = "rules-" + UUID.randomUUID();
    db = EmbeddedSlashingProtection.inMemory(name, DOMAIN);
  }

  @AfterEach
  void close() {
    db.close();
    EmbeddedSlashingProtection.dropInMemory(name);
  }

  static byte[] bytes(int len, int fill) {
    byte[] b = new byte[len];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  static byte[] h(int v) {
    byte[] b = new byte[32];
    b[28] = (byte) (v >>> 24);
    b[29] = (byte) (v >>> 16);
    b[30] = (byte) (v >>> 8);
    b[31] = (byte) v;
    b[0] = 0x11;
    return b;
  }

  private Decision fin(byte[] key, long height, int content) {
    return db.checkAndRecord(key, new SigningIntent.Finality(7, height, h(content)));
  }

  @Test
  void finalityOneContentPerHeightIdempotentRepeat() {
    assertThat(fin(KEY, 10, 1).isAllowed()).isTrue();
    assertThat(fin(KEY, 10, 1)).isSameAs(Decision.allowedRepeat());
    Decision d = fin(KEY, 10, 2);
    assertThat(d.isAllowed()).isFalse();
    assertThat(d.reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
    // other heights, rollups and keys are independent; lower heights are not slashable
    assertThat(fin(KEY, 9, 2).isAllowed()).isTrue();
    assertThat(fin(OTHER_KEY, 10, 2).isAllowed()).isTrue();
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Finality(8, 10, h(2))).isAllowed())
        .isTrue();
  }

  @Test
  void verdictNeverBothValues() {
    byte[] root = h(99);
    SigningIntent t1 = new SigningIntent.Verdict(1, BigInteger.TEN, root, true, h(1));
    SigningIntent t2 = new SigningIntent.Verdict(1, BigInteger.TEN, root, true, h(2));
    SigningIntent f = new SigningIntent.Verdict(1, BigInteger.TEN, root, false, h(3));
    assertThat(db.checkAndRecord(KEY, t1).isAllowed()).isTrue();
    // same verdict, other stake epoch (other digest): not slashable
    assertThat(db.checkAndRecord(KEY, t2).isAllowed()).isTrue();
    assertThat(db.checkAndRecord(KEY, f).reason()).isEqualTo(RefusalReason.CONFLICTING_VERDICT);
    // another output root at the same index is a different output
    SigningIntent other = new SigningIntent.Verdict(1, BigInteger.TEN, h(98), false, h(4));
    assertThat(db.checkAndRecord(KEY, other).isAllowed()).isTrue();
    BigInteger huge = SigningIntent.UINT256_MAX;
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Verdict(1, huge, root, false, h(5)))
                .isAllowed())
        .isTrue();
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Verdict(1, huge, root, true, h(6))).reason())
        .isEqualTo(RefusalReason.CONFLICTING_VERDICT);
  }

  @Test
  void slotAttestationOneBlockPerSlot() {
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.SlotAttestation(1, 5, h(1), h(10)))
                .isAllowed())
        .isTrue();
    // same block, other stake epoch
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.SlotAttestation(1, 5, h(1), h(11)))
                .isAllowed())
        .isTrue();
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.SlotAttestation(1, 5, h(2), h(12))).reason())
        .isEqualTo(RefusalReason.DOUBLE_SIGN);
  }

  @Test
  void aBatchIsDecidedInOrderAndAnInvalidRequestSpoilsNothing() {
    List<Decision> d =
        db.checkAndRecordAll(
            KEY,
            java.util.Arrays.asList(
                new SigningIntent.Preconf(1, 20, h(101), h(201)),
                new SigningIntent.Finality(7, 5, h(1)),
                new SigningIntent.Finality(7, 5, h(2)),
                null,
                new SigningIntent.Proposal(1, 20, h(1), List.of(h(7))),
                new SigningIntent.Proposal(1, 20, h(2), List.of(h(101))),
                new SigningIntent.Preconf(1, 20, h(8), h(204)),
                new SigningIntent.Finality(7, 5, h(1))));
    assertThat(d.get(0).isAllowed()).isTrue();
    assertThat(d.get(1).isAllowed()).isTrue();
    // the second content at height 5 sees the first, recorded earlier in the same transaction
    assertThat(d.get(2).reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
    assertThat(d.get(3).reason()).isEqualTo(RefusalReason.INVALID_REQUEST);
    assertThat(d.get(4).reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
    assertThat(d.get(5).isAllowed()).isTrue();
    assertThat(d.get(6).reason()).isEqualTo(RefusalReason.PRECONF_NOT_IN_PROPOSAL);
    assertThat(d.get(7)).isSameAs(Decision.allowedRepeat());
    // and it is all durable: a one-at-a-time request afterwards sees it
    assertThat(fin(KEY, 5, 2).reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
    assertThat(db.checkAndRecordAll(KEY, List.of())).isEmpty();
    assertThatThrownBy(() -> db.checkAndRecordAll(new byte[47], List.of()))
        .isInstanceOf(InvalidSigningRequestException.class);
  }

  @Test
  void proposalsAndPreconfirmations() {
    SigningIntent pre1 = new SigningIntent.Preconf(1, 20, h(101), h(201));
    SigningIntent pre2 = new SigningIntent.Preconf(1, 20, h(102), h(202));
    assertThat(db.checkAndRecord(KEY, pre1).isAllowed()).isTrue();
    assertThat(db.checkAndRecord(KEY, pre2).isAllowed()).isTrue();
    assertThat(db.checkAndRecord(KEY, pre1)).isSameAs(Decision.allowedRepeat());
    // a block missing a preconfirmed tx is refused, and nothing is recorded
    Decision missing =
        db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 20, h(1), List.of(h(101), h(7))));
    assertThat(missing.reason()).isEqualTo(RefusalReason.MISSING_PRECONF);
    Decision ok =
        db.checkAndRecord(
            KEY, new SigningIntent.Proposal(1, 20, h(2), List.of(h(7), h(102), h(101))));
    assertThat(ok.isAllowed()).isTrue();
    assertThat(
            db.checkAndRecord(
                    KEY, new SigningIntent.Proposal(1, 20, h(2), List.of(h(7), h(102), h(101))))
                .isAllowed())
        .isTrue();
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 20, h(3), List.of(h(101), h(102))))
                .reason())
        .isEqualTo(RefusalReason.DOUBLE_SIGN);
    // after the proposal: only txs in the block can be preconfirmed
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 20, h(7), h(203))).isAllowed())
        .isTrue();
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 20, h(8), h(204))).reason())
        .isEqualTo(RefusalReason.PRECONF_NOT_IN_PROPOSAL);
    // another slot is independent
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 21, h(8), h(205))).isAllowed())
        .isTrue();
  }

  /**
   * What a node restarted mid-slot asks before it treats a block as someone else's: whether this
   * key may have proposed for the slot. Yes when a proposal is recorded (even one refused later is
   * not recorded: no), or when the slot's history is pruned; no for another slot, rollup or key.
   */
  @Test
  void mayHaveSignedIsYesForARecordOrAPrunedHeightAndRecordsNothing() {
    MessageKind p = MessageKind.SLOT_PROPOSAL;
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(20))).isFalse(); // unknown key
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 20, h(1), List.of())).isAllowed())
        .isTrue();
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(20))).isTrue();
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(21))).isFalse();
    assertThat(db.mayHaveSigned(KEY, p, 2, BigInteger.valueOf(20))).isFalse();
    assertThat(db.mayHaveSigned(OTHER_KEY, p, 1, BigInteger.valueOf(20))).isFalse();
    assertThat(db.mayHaveSigned(KEY, MessageKind.SLOT_ATTESTATION, 1, BigInteger.valueOf(20)))
        .isFalse();
    // a refused proposal leaves nothing behind
    db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 22, h(9), h(10)));
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 22, h(2), List.of())).reason())
        .isEqualTo(RefusalReason.MISSING_PRECONF);
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(22))).isFalse();
    // asking records nothing: the slot can still be proposed
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 21, h(3), List.of())).isAllowed())
        .isTrue();
    // pruned: the database cannot say no any more
    db.prune(KEY, p, 1, BigInteger.valueOf(25));
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(24))).isTrue();
    assertThat(db.mayHaveSigned(KEY, p, 1, BigInteger.valueOf(26))).isFalse();
    // a uint256 height (output indexes)
    BigInteger idx = SigningIntent.UINT256_MAX;
    db.checkAndRecord(KEY, new SigningIntent.Verdict(1, idx, h(3), true, h(4)));
    assertThat(db.mayHaveSigned(KEY, MessageKind.OUTPUT_VERDICT, 1, idx)).isTrue();
    assertThat(db.mayHaveSigned(KEY, p, 1, idx)).as("no slot that high").isFalse();
  }

  @Test
  void pruneRaisesWatermarkForwardOnlyAndRefusesBelow() {
    for (int i = 0; i < 10; i++) {
      assertThat(fin(KEY, i, 1).isAllowed()).isTrue();
    }
    int deleted = db.prune(KEY, MessageKind.FINALITY_ATTESTATION, 7, BigInteger.valueOf(5));
    assertThat(deleted).isEqualTo(6);
    assertThat(db.watermark(KEY, MessageKind.FINALITY_ATTESTATION, 7))
        .contains(BigInteger.valueOf(5));
    // pruned heights can never be signed again, not even the same content
    assertThat(fin(KEY, 5, 1).reason()).isEqualTo(RefusalReason.BELOW_WATERMARK);
    assertThat(fin(KEY, 0, 2).reason()).isEqualTo(RefusalReason.BELOW_WATERMARK);
    assertThat(fin(KEY, 6, 2).reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
    assertThat(fin(KEY, 6, 1).isAllowed()).isTrue();
    // lowering is a no-op
    db.prune(KEY, MessageKind.FINALITY_ATTESTATION, 7, BigInteger.valueOf(2));
    assertThat(db.watermark(KEY, MessageKind.FINALITY_ATTESTATION, 7))
        .contains(BigInteger.valueOf(5));
    // other kinds and rollups untouched
    assertThat(db.watermark(KEY, MessageKind.FINALITY_ATTESTATION, 8)).isEmpty();
    assertThat(db.watermark(KEY, MessageKind.SLOT_PROPOSAL, 7)).isEmpty();
  }

  @Test
  void prunedPreconfHistoryBlocksProposalsOfThoseSlots() {
    db.prune(KEY, MessageKind.PRECONFIRMATION, 1, BigInteger.valueOf(30));
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 30, h(1), List.of())).reason())
        .isEqualTo(RefusalReason.BELOW_WATERMARK);
    assertThat(
            db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 31, h(1), List.of())).isAllowed())
        .isTrue();
    db.prune(KEY, MessageKind.SLOT_PROPOSAL, 1, BigInteger.valueOf(31));
    assertThat(db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 31, h(1), h(2))).reason())
        .isEqualTo(RefusalReason.BELOW_WATERMARK);
  }

  @Test
  void malformedRequestsAreTypedErrors() {
    assertThatThrownBy(() -> new SigningIntent.Finality(1, 1, new byte[31]))
        .isInstanceOf(InvalidSigningRequestException.class);
    assertThatThrownBy(() -> new SigningIntent.Finality(-1, 1, h(1)))
        .isInstanceOf(InvalidSigningRequestException.class);
    assertThatThrownBy(
            () ->
                new SigningIntent.Verdict(
                    1, SigningIntent.UINT256_MAX.add(BigInteger.ONE), h(1), true, h(1)))
        .isInstanceOf(InvalidSigningRequestException.class);
    assertThatThrownBy(
            () -> db.checkAndRecord(new byte[47], new SigningIntent.Finality(1, 1, h(1))))
        .isInstanceOf(InvalidSigningRequestException.class);
  }

  @Test
  void reopeningWithAnotherDomainIsRefused() {
    SlashingDomain other = SlashingDomain.of(1, bytes(20, 0x5a));
    assertThatThrownBy(() -> EmbeddedSlashingProtection.inMemory(name, other))
        .isInstanceOf(SlashingProtectionException.class)
        .hasMessageContaining("another signing domain");
  }

  @Test
  void newerSchemaIsRefusedAtStartUp() throws Exception {
    try (java.sql.Connection c =
            new org.h2.Driver().connect("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", null);
        java.sql.Statement st = c.createStatement()) {
      st.execute(
          "INSERT INTO slashing_schema_version VALUES (99, 'from the future', CURRENT_TIMESTAMP)");
    }
    assertThatThrownBy(() -> EmbeddedSlashingProtection.inMemory(name, DOMAIN))
        .isInstanceOf(SlashingProtectionException.class)
        .hasMessageContaining("newer than this node supports");
  }

  @Test
  void exportImportIntoFreshDbGivesTheSameRefusals() {
    fin(KEY, 3, 1);
    db.checkAndRecord(KEY, new SigningIntent.Verdict(1, BigInteger.TWO, h(50), true, h(51)));
    db.checkAndRecord(KEY, new SigningIntent.Preconf(1, 9, h(60), h(61)));
    db.checkAndRecord(KEY, new SigningIntent.Proposal(1, 9, h(62), List.of(h(60), h(63))));
    db.checkAndRecord(OTHER_KEY, new SigningIntent.SlotAttestation(1, 4, h(70), h(71)));
    db.prune(OTHER_KEY, MessageKind.FINALITY_ATTESTATION, 7, BigInteger.valueOf(100));
    Interchange exported = db.exportHistory();
    String json = InterchangeJson.toString(exported);
    Interchange parsed = InterchangeJson.read(json);
    assertThat(InterchangeJson.toString(parsed)).isEqualTo(json);

    String other = "rules-import-" + UUID.randomUUID();
    try (EmbeddedSlashingProtection fresh = EmbeddedSlashingProtection.inMemory(other, DOMAIN)) {
      ImportReport report = fresh.importHistory(parsed);
      assertThat(report.imported()).isEqualTo(5);
      assertThat(report.conflicts()).isZero();
      // everything that conflicts with the history is refused
      assertThat(fresh.checkAndRecord(KEY, new SigningIntent.Finality(7, 3, h(2))).isAllowed())
          .isFalse();
      assertThat(
              fresh
                  .checkAndRecord(
                      KEY, new SigningIntent.Verdict(1, BigInteger.TWO, h(50), false, h(52)))
                  .isAllowed())
          .isFalse();
      assertThat(
              fresh
                  .checkAndRecord(KEY, new SigningIntent.Proposal(1, 9, h(64), List.of(h(60))))
                  .isAllowed())
          .isFalse();
      assertThat(
              fresh
                  .checkAndRecord(OTHER_KEY, new SigningIntent.SlotAttestation(1, 4, h(72), h(73)))
                  .isAllowed())
          .isFalse();
      assertThat(fresh.checkAndRecord(OTHER_KEY, new SigningIntent.Finality(7, 100, h(1))).reason())
          .isEqualTo(RefusalReason.BELOW_WATERMARK);
      // import closes every imported height (minimal strategy), but higher ones are open
      assertThat(fresh.watermark(KEY, MessageKind.FINALITY_ATTESTATION, 7))
          .contains(BigInteger.valueOf(3));
      assertThat(fresh.checkAndRecord(KEY, new SigningIntent.Finality(7, 4, h(2))).isAllowed())
          .isTrue();
      // importing again is idempotent and never lowers a watermark
      ImportReport again = fresh.importHistory(parsed);
      assertThat(again.imported()).isZero();
      assertThat(fresh.watermark(OTHER_KEY, MessageKind.FINALITY_ATTESTATION, 7))
          .contains(BigInteger.valueOf(100));
    } finally {
      EmbeddedSlashingProtection.dropInMemory(other);
    }
  }

  @Test
  void conflictingImportIsCountedAndClosesTheHeight() {
    fin(KEY, 50, 1);
    Interchange ic =
        new Interchange(
            DOMAIN,
            List.of(
                new Interchange.KeyHistory(
                    KEY,
                    List.of(),
                    List.of(
                        new HistoryEntry(
                            MessageKind.FINALITY_ATTESTATION,
                            7,
                            BigInteger.valueOf(50),
                            null,
                            null,
                            h(2),
                            List.of()),
                        new HistoryEntry(
                            MessageKind.FINALITY_ATTESTATION,
                            7,
                            BigInteger.valueOf(40),
                            null,
                            null,
                            h(2),
                            List.of())))));
    ImportReport r = db.importHistory(ic);
    assertThat(r.conflicts()).isEqualTo(1);
    assertThat(r.imported()).isEqualTo(1);
    assertThat(fin(KEY, 50, 1).reason()).isEqualTo(RefusalReason.BELOW_WATERMARK);
    assertThat(fin(KEY, 50, 2).reason()).isEqualTo(RefusalReason.BELOW_WATERMARK);
    assertThat(fin(KEY, 51, 2).isAllowed()).isTrue();
  }

  @Test
  void importOfAnotherDomainIsRejectedWhole() {
    Interchange ic =
        new Interchange(
            SlashingDomain.of(1, bytes(20, 1)),
            List.of(
                new Interchange.KeyHistory(
                    KEY,
                    List.of(),
                    List.of(
                        new HistoryEntry(
                            MessageKind.FINALITY_ATTESTATION,
                            7,
                            BigInteger.ONE,
                            null,
                            null,
                            h(1),
                            List.of())))));
    assertThatThrownBy(() -> db.importHistory(ic)).isInstanceOf(InterchangeFormatException.class);
    assertThat(db.keys()).isEmpty();
  }

  @Test
  void malformedInterchangeJsonIsATypedError() {
    String sep = "0x" + java.util.HexFormat.of().formatHex(DOMAIN.separator());
    String meta =
        "{\"interchange_format\":\"avs-node-slashing-protection\",\"interchange_format_version\":\"1\",\"domain_separator\":\""
            + sep
            + "\"}";
    for (String bad :
        List.of(
            "",
            "[]",
            "{\"metadata\":" + meta + "}",
            "{\"metadata\":" + meta + ",\"data\":[{\"pubkey\":\"0x12\"}]}",
            "{\"metadata\":" + meta.replace("\"1\"", "\"2\"") + ",\"data\":[]}",
            "{\"metadata\":" + meta + ",\"data\":[],\"extra\":1}",
            "{\"metadata\":"
                + meta
                + ",\"data\":[{\"pubkey\":\"0x"
                + "ab".repeat(48)
                + "\",\"finality_attestations\":[{\"rollup_id\":\"1\",\"l2_block_number\":\"-1\"}]}]}",
            "{\"metadata\":"
                + meta
                + ",\"data\":[{\"pubkey\":\"0x"
                + "ab".repeat(48)
                + "\",\"output_verdicts\":[{\"rollup_id\":\"1\",\"output_index\":\"1\",\"output_root\":\"0x"
                + "00".repeat(32)
                + "\",\"valid\":\"yes\"}]}]}",
            "{\"metadata\":" + meta + ",\"data\":[{\"pubkey\":\"0x" + "zz".repeat(48) + "\"}]}")) {
      assertThatThrownBy(() -> InterchangeJson.read(bad))
          .as(bad)
          .isInstanceOf(InterchangeFormatException.class);
    }
  }

  @Test
  void importValidatesKeysDuplicatesAndPlausibleHeights() {
    String sep = "0x" + java.util.HexFormat.of().formatHex(DOMAIN.separator());
    String meta =
        "{\"interchange_format\":\"avs-node-slashing-protection\","
            + "\"interchange_format_version\":\"1\",\"domain_separator\":\""
            + sep
            + "\"}";
    String key = "0x" + java.util.HexFormat.of().formatHex(KEY);
    java.util.function.Function<String, String> doc =
        records ->
            "{\"metadata\":"
                + meta
                + ",\"data\":[{\"pubkey\":\""
                + key
                + "\",\"finality_attestations\":["
                + records
                + "]}]}";
    assertThat(InterchangeJson.read(doc.apply("{\"rollup_id\":\"1\",\"l2_block_number\":\"5\"}")))
        .isNotNull();
    // 48 bytes that are not a point on the curve: refused like at registration
    String offCurve = doc.apply("").replace(key, "0x" + "ab".repeat(48));
    assertThatThrownBy(() -> InterchangeJson.read(offCurve))
        .isInstanceOf(InterchangeFormatException.class)
        .hasMessageContaining("not a BLS12-381 public key");
    // a repeated key in one object
    String dup =
        doc.apply("{\"rollup_id\":\"1\",\"l2_block_number\":\"5\",\"l2_block_number\":\"6\"}");
    assertThatThrownBy(() -> InterchangeJson.read(dup))
        .isInstanceOf(InterchangeFormatException.class)
        .hasMessageContaining("repeats a key");
    // a watermark that would stop the key from ever signing again
    String huge =
        "{\"metadata\":"
            + meta
            + ",\"data\":[{\"pubkey\":\""
            + key
            + "\",\"watermarks\":[{\"type\":\"FinalityAttestation\",\"rollup_id\":\"1\","
            + "\"height\":\"9223372036854775807\"}]}]}";
    assertThatThrownBy(() -> InterchangeJson.read(huge))
        .isInstanceOf(InterchangeFormatException.class)
        .hasMessageContaining("implausible");
  }

  @Test
  void aConflictAtOrBelowTheWatermarkIsReportedAsAConflict() {
    fin(KEY, 50, 1);
    // raise the watermark to 60 with an import (the record at 50 stays), then import a conflict
    Interchange raise =
        new Interchange(
            DOMAIN,
            List.of(
                new Interchange.KeyHistory(
                    KEY,
                    List.of(
                        new Interchange.Watermark(
                            MessageKind.FINALITY_ATTESTATION, 7, BigInteger.valueOf(60))),
                    List.of())));
    db.importHistory(raise);
    Interchange conflicting =
        new Interchange(
            DOMAIN,
            List.of(
                new Interchange.KeyHistory(
                    KEY,
                    List.of(),
                    List.of(
                        new HistoryEntry(
                            MessageKind.FINALITY_ATTESTATION,
                            7,
                            BigInteger.valueOf(50),
                            null,
                            null,
                            h(2),
                            List.of())))));
    ImportReport r = db.importHistory(conflicting);
    assertThat(r.conflicts()).as(r.toString()).isEqualTo(1);
    assertThat(r.belowWatermark()).isZero();
    assertThat(r.conflictDetails()).anyMatch(d -> d.contains("conflicting FinalityAttestation"));
  }

  @Test
  void aLargeHistoryIsReadInBoundedPiecesAndImportsTheSame() {
    for (int i = 1; i <= 23; i++) {
      fin(KEY, i, i);
    }
    db.prune(KEY, MessageKind.FINALITY_ATTESTATION, 7, BigInteger.valueOf(3));
    String json = InterchangeJson.toString(db.exportHistory());
    List<Interchange> pieces = new java.util.ArrayList<>();
    InterchangeJson.stream(
        new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        5,
        pieces::add);
    assertThat(pieces).hasSize(5); // 20 records in pieces of 5, then the key's end (watermarks)
    assertThat(pieces).allMatch(p -> p.keys().get(0).entries().size() <= 5);
    assertThat(pieces.stream().mapToInt(p -> p.keys().get(0).entries().size()).sum())
        .isEqualTo(InterchangeJson.read(json).keys().get(0).entries().size());
    // metadata after data cannot be streamed: a clear error, not a wrong import
    String late =
        json.replaceFirst(
            "(?s)^\\{\\s*(\"metadata\"\\s*:\\s*\\{.*?\\})\\s*,\\s*(\"data\".*)\\}\\s*$", "{$2,$1}");
    assertThat(late).isNotEqualTo(json);
    assertThatThrownBy(
            () ->
                InterchangeJson.stream(
                    new java.io.ByteArrayInputStream(
                        late.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    5,
                    p -> {}))
        .isInstanceOf(InterchangeFormatException.class)
        .hasMessageContaining("metadata must come before data");
  }
}
