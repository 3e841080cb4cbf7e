package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * The slashing-protection database (DESIGN.md §4). It refuses every message that would complete a
 * slashable pair, and records what it allows in the same transaction that checks it: once {@link
 * #checkAndRecord} returns "allowed" the intent is durable, so a crash before the signature is made
 * can only make the node sign less, never twice.
 *
 * <p>Implementations: {@link EmbeddedSlashingProtection} (H2 file, one process) and {@link
 * PostgresSlashingProtection} (shared by redundant instances). All methods are thread-safe.
 */
public interface SlashingProtection extends AutoCloseable {

  /** The signing domain this database belongs to. */
  SlashingDomain domain();

  /**
   * Checks {@code intent} for {@code pubkey} against the history and records it if allowed.
   *
   * @param pubkey the 48-byte compressed BLS public key
   * @throws SlashingProtectionException if the database cannot answer (then sign nothing)
   * @throws InvalidSigningRequestException if the public key is not 48 bytes
   */
  Decision checkAndRecord(byte[] pubkey, SigningIntent intent);

  /**
   * Checks and records several intents of one key in one transaction, in list order, with the same
   * rules as {@link #checkAndRecord} called once per intent in that order: a later intent sees what
   * an earlier one recorded. One commit for the lot is what makes it cheaper (group commit); every
   * "allowed" in the answer is durable when this returns. An intent that is not a valid request is
   * refused with {@link RefusalReason#INVALID_REQUEST} without affecting the others.
   *
   * @return one decision per intent, in the same order
   * @throws SlashingProtectionException if the database cannot answer (then nothing was recorded
   *     and nothing may be signed)
   * @throws InvalidSigningRequestException if the public key is not 48 bytes
   */
  List<Decision> checkAndRecordAll(byte[] pubkey, List<SigningIntent> intents);

  /** The low watermark of (key, kind, rollup), if one was set by pruning or import. */
  Optional<BigInteger> watermark(byte[] pubkey, MessageKind kind, long rollupId);

  /**
   * Whether {@code pubkey} may have signed a message of {@code kind} at {@code height} of {@code
   * rollupId}: a record is held there, or the height is at or below the watermark (its history was
   * pruned or never imported, so the database cannot say no). Read only; records nothing.
   */
  boolean mayHaveSigned(byte[] pubkey, MessageKind kind, long rollupId, BigInteger height);

  /**
   * Raises the watermark of (key, kind, rollup) to {@code upToInclusive} (never lowers it) and
   * deletes the history at or below the resulting watermark.
   *
   * @return the number of records deleted
   */
  int prune(byte[] pubkey, MessageKind kind, long rollupId, BigInteger upToInclusive);

  /** Public keys that have any history or watermark here. */
  List<byte[]> keys();

  /** The whole history, taken under every key's lock. */
  Interchange exportHistory();

  /**
   * Merges {@code interchange} into this database in one transaction holding the locks of every key
   * it names. Refuses (imports nothing) if the domain differs. Records that conflict with the
   * history or with each other are not rejected: the recorded one is kept, and for every (key,
   * type, rollup) present in the file the watermark is raised to the highest height known (imported
   * or recorded), so neither of two conflicting contents can be signed afterwards. Watermarks are
   * never lowered.
   *
   * @throws InterchangeFormatException on a domain mismatch
   */
  ImportReport importHistory(Interchange interchange);

  @Override
  void close();
}
