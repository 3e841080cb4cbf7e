package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything slashing protection knows about one message kind, in one place: its table and columns,
 * its interchange field names, what identifies a record, and which second message would complete a
 * slashable pair (DESIGN.md §4). The database rules, the interchange reader and writer, export and
 * prune are written once against these descriptions; a new kind is one entry in {@link #ALL} (plus
 * its table in the migrations).
 *
 * @param kind the message kind
 * @param table the history table
 * @param heightColumn the column of the height the kind is indexed by
 * @param heightField the interchange field of that height
 * @param arrayField the interchange array of the kind's records
 * @param subjectColumn the column of the 32-byte subject (output root, block hash, tx hash), or
 *     null when the kind has none
 * @param subjectField the interchange field of the subject, or null
 * @param subjectKeyed the subject is part of the record's identity (several records per height)
 * @param hasValid the record carries a verdict value
 * @param uint256Height the height is a uint256 (output indexes) rather than a uint63
 * @param conflict what makes a second message at the same identity slashable
 * @param refusal the refusal reason for such a second message
 * @param coverage the kind takes part in the preconfirmation/proposal coverage rule
 */
record KindSpec(
    MessageKind kind,
    String table,
    String heightColumn,
    String heightField,
    String arrayField,
    String subjectColumn,
    String subjectField,
    boolean subjectKeyed,
    boolean hasValid,
    boolean uint256Height,
    Conflict conflict,
    RefusalReason refusal,
    Coverage coverage) {

  /** What a second message at a recorded identity must equal to be a harmless repeat. */
  enum Conflict {
    /** The same digest (MACH attestations, SQUAD proposals). */
    DIGEST,
    /** The same subject (SQUAD attestations: one block hash per slot). */
    SUBJECT,
    /** The same verdict value for the output (VITAL). */
    VERDICT,
    /** Any repeat is harmless (preconfirmations are keyed by their transaction). */
    NONE
  }

  /**
   * The rule across two kinds: every transaction a key preconfirmed for a slot must be in the
   * proposal it signs for that slot.
   */
  enum Coverage {
    NONE,
    /** A proposal: refused when it leaves out a recorded preconfirmation of its slot. */
    PROPOSAL,
    /** A preconfirmation: refused when the slot's recorded proposal does not hold the tx. */
    PRECONFIRMATION
  }

  static final Map<MessageKind, KindSpec> ALL = build();

  private static Map<MessageKind, KindSpec> build() {
    Map<MessageKind, KindSpec> m = new EnumMap<>(MessageKind.class);
    put(
        m,
        new KindSpec(
            MessageKind.FINALITY_ATTESTATION,
            "finality_attestation",
            "l2_block_number",
            "l2_block_number",
            "finality_attestations",
            null,
            null,
            false,
            false,
            false,
            Conflict.DIGEST,
            RefusalReason.DOUBLE_SIGN,
            Coverage.NONE));
    put(
        m,
        new KindSpec(
            MessageKind.OUTPUT_VERDICT,
            "output_verdict",
            "output_index",
            "output_index",
            "output_verdicts",
            "output_root",
            "output_root",
            true,
            true,
            true,
            Conflict.VERDICT,
            RefusalReason.CONFLICTING_VERDICT,
            Coverage.NONE));
    put(
        m,
        new KindSpec(
            MessageKind.SLOT_PROPOSAL,
            "slot_proposal",
            "slot",
            "slot",
            "slot_proposals",
            null,
            null,
            false,
            false,
            false,
            Conflict.DIGEST,
            RefusalReason.DOUBLE_SIGN,
            Coverage.PROPOSAL));
    put(
        m,
        new KindSpec(
            MessageKind.SLOT_ATTESTATION,
            "slot_attestation",
            "slot",
            "slot",
            "slot_attestations",
            "block_hash",
            "block_hash",
            false,
            false,
            false,
            Conflict.SUBJECT,
            RefusalReason.DOUBLE_SIGN,
            Coverage.NONE));
    put(
        m,
        new KindSpec(
            MessageKind.PRECONFIRMATION,
            "preconfirmation",
            "slot",
            "slot",
            "preconfirmations",
            "tx_hash",
            "tx_hash",
            true,
            false,
            false,
            Conflict.NONE,
            RefusalReason.DOUBLE_SIGN,
            Coverage.PRECONFIRMATION));
    for (MessageKind k : MessageKind.values()) {
      if (!m.containsKey(k)) {
        throw new IllegalStateException("no slashing-protection description for " + k);
      }
    }
    return m;
  }

  private static void put(Map<MessageKind, KindSpec> m, KindSpec s) {
    m.put(s.kind(), s);
  }

  static KindSpec of(MessageKind kind) {
    return ALL.get(Objects.requireNonNull(kind, "kind"));
  }

  /** The kind whose records the {@link #coverage} rule compares with, if any. */
  Optional<MessageKind> coveredWith() {
    return switch (coverage) {
      case PROPOSAL -> Optional.of(MessageKind.PRECONFIRMATION);
      case PRECONFIRMATION -> Optional.of(MessageKind.SLOT_PROPOSAL);
      case NONE -> Optional.empty();
    };
  }

  boolean hasSubject() {
    return subjectColumn != null;
  }

  /** The largest height of the kind. */
  BigInteger maxHeight() {
    return uint256Height ? SigningIntent.UINT256_MAX : BigInteger.valueOf(Long.MAX_VALUE);
  }

  /**
   * Whether signing {@code candidate} repeats the recorded message harmlessly (else the signature
   * would complete a slashable pair). A recorded digest that is unknown (imported without one)
   * blocks every digest.
   */
  boolean repeats(HistoryEntry candidate, byte[] recSubject, Boolean recValid, byte[] recDigest) {
    return switch (conflict) {
      case DIGEST -> recDigest != null && java.util.Arrays.equals(recDigest, candidate.digest());
      case SUBJECT -> java.util.Arrays.equals(recSubject, candidate.subject());
      case VERDICT -> Objects.equals(recValid, candidate.valid());
      case NONE -> true;
    };
  }

  /**
   * Whether an imported record contradicts the recorded one (both known and different): reported as
   * a conflict, the recorded one kept.
   */
  boolean contradicts(
      HistoryEntry imported, byte[] recSubject, Boolean recValid, byte[] recDigest) {
    return switch (conflict) {
      case DIGEST ->
          recDigest != null
              && imported.digest() != null
              && !java.util.Arrays.equals(recDigest, imported.digest());
      case SUBJECT -> !java.util.Arrays.equals(recSubject, imported.subject());
      case VERDICT -> !Objects.equals(recValid, imported.valid());
      case NONE -> false;
    };
  }

  /** SELECT subject, valid, digest of the record with the candidate's identity. */
  String findSql() {
    return "SELECT "
        + (hasSubject() ? subjectColumn : "NULL")
        + ", "
        + (hasValid ? "valid" : "NULL")
        + ", digest FROM "
        + table
        + " WHERE key_id = ? AND rollup_id = ? AND "
        + heightColumn
        + " = ?"
        + (subjectKeyed ? " AND " + subjectColumn + " = ?" : "");
  }

  String insertSql() {
    StringBuilder cols = new StringBuilder("key_id, rollup_id, " + heightColumn);
    StringBuilder vals = new StringBuilder("?, ?, ?");
    if (hasSubject()) {
      cols.append(", ").append(subjectColumn);
      vals.append(", ?");
    }
    if (hasValid) {
      cols.append(", valid");
      vals.append(", ?");
    }
    cols.append(", digest");
    vals.append(", ?");
    return "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ")";
  }

  /** SELECT rollup_id, height, subject, valid, digest of a key's records, for export. */
  String exportSql() {
    return "SELECT rollup_id, "
        + heightColumn
        + ", "
        + (hasSubject() ? subjectColumn : "NULL")
        + ", "
        + (hasValid ? "valid" : "NULL")
        + ", digest FROM "
        + table
        + " WHERE key_id = ? ORDER BY rollup_id, "
        + heightColumn;
  }
}
