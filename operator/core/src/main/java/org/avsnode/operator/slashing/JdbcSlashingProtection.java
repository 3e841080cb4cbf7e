package org.avsnode.operator.slashing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The rules and the transaction discipline shared by both backends. Every check-and-record runs in
 * one READ COMMITTED transaction that first takes the key's lock (a JVM lock stripe, plus the
 * backend's cross-process lock, see {@link #lockKeys}); unique constraints on every (key, rollup,
 * height) make a second content impossible even if a lock were bypassed.
 */
abstract class JdbcSlashingProtection implements SlashingProtection {

  /** Opens a new JDBC connection. */
  @FunctionalInterface
  interface ConnectionFactory {
    Connection open() throws SQLException;
  }

  @FunctionalInterface
  private interface TxBody<T> {
    T run(Session s) throws SQLException;
  }

  private static final System.Logger LOG = System.getLogger(JdbcSlashingProtection.class.getName());
  private static final int STRIPES = 64;
  private static final int MAX_ATTEMPTS = 4;
  private static final int MAX_CONFLICT_DETAILS = 100;

  private final Dialect dialect;
  private final ConnectionFactory factory;
  private final SlashingDomain domain;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final Semaphore permits;
  private final int poolSize;
  private final BlockingQueue<Session> idle;
  private final Map<ByteBuffer, Long> keyIds = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Where preconfirmations are recorded before the database takes them in batches (the embedded
   * backend on disk); null to record them in the database directly.
   */
  private final PreconfirmationJournal journal;

  /**
   * H2 is not safe against interrupts: one that reaches a thread inside it can close its file (a
   * {@code FileChannel}, which Java closes when a thread inside one of its reads or writes is
   * interrupted: the database closed for every thread), and one that lands in its waits inside a
   * transaction leaves that transaction half-open, after which another thread's insert failed with
   * "An old transaction with the same id is still open" (EmbeddedInterruptIT, 2026-12-07). So for
   * H2 every transaction runs on this one thread, which nothing interrupts: a caller hands its
   * transaction over and waits for it uninterruptibly, keeping its interrupt for afterwards (a
   * stopping duty waits the few milliseconds a transaction takes). Null for PostgreSQL, whose
   * driver talks over a socket that an interrupt does not close.
   */
  private final java.util.concurrent.ExecutorService dbThread;

  private volatile Thread dbThreadItself;

  private final Object flushLock = new Object();
  private java.util.concurrent.ScheduledExecutorService flusher;

  /** How often the journal's records are moved into the database. */
  static final long JOURNAL_FLUSH_MILLIS = 250;

  JdbcSlashingProtection(
      Dialect dialect, ConnectionFactory factory, int poolSize, SlashingDomain domain) {
    this(dialect, factory, poolSize, domain, null);
  }

  JdbcSlashingProtection(
      Dialect dialect,
      ConnectionFactory factory,
      int poolSize,
      SlashingDomain domain,
      PreconfirmationJournal journal) {
    this.journal = journal;
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1");
    }
    this.dialect = dialect;
    this.factory = factory;
    this.domain = Objects.requireNonNull(domain, "domain");
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    this.poolSize = poolSize;
    this.permits = new Semaphore(poolSize, true);
    this.idle = new ArrayBlockingQueue<>(poolSize);
    // -Davs.slashing.h2-isolate=false runs H2's transactions on the callers' threads, as before
    // 2026-12-07, for comparisons in the benchmarks
    this.dbThread =
        dialect == Dialect.H2 && !"false".equals(System.getProperty("avs.slashing.h2-isolate"))
            ? java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "slashing-protection-db");
                  t.setDaemon(true);
                  dbThreadItself = t;
                  return t;
                })
            : null;
  }

  /**
   * Runs {@code work} on {@link #dbThread} (directly when there is none) and waits for it without
   * being interruptible; the caller's interrupt is kept.
   */
  private <T> T isolated(java.util.function.Supplier<T> work) {
    if (dbThread == null) {
      return work.get();
    }
    java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work::get);
    try {
      dbThread.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new SlashingProtectionException("slashing-protection database is closed");
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true; // the transaction goes on; its answer is still this caller's
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error er) {
            throw er;
          }
          throw new SlashingProtectionException(
              "slashing-protection database error: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Migrates the schema and checks (or stores) the domain. Called once by the factories. */
  final void initialize() {
    transact(
        new long[0],
        s -> {
          lockMigration(s.c);
          int before = Migrations.migrate(s.c, dialect);
          if (before < Migrations.LATEST) {
            LOG.log(
                System.Logger.Level.DEBUG,
                "slashing-protection schema migrated from version {0} to {1}",
                before,
                Migrations.LATEST);
          }
          checkOrStoreDomain(s);
          return null;
        });
    if (journal != null) {
      // what a stopped process left in the journal goes into the database first
      flushJournal();
      flusher =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              org.avsnode.operator.time.DaemonThreads.named("slashing-protection-journal"));
      flusher.scheduleWithFixedDelay(
          this::flushQuietly,
          JOURNAL_FLUSH_MILLIS,
          JOURNAL_FLUSH_MILLIS,
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  private void flushQuietly() {
    try {
      flushJournal();
    } catch (RuntimeException e) {
      // the records stay in the journal, where the rules read them, and are tried again
      LOG.log(
          System.Logger.Level.WARNING,
          "moving preconfirmation records into the database failed (kept in the journal): {0}",
          e.toString());
    }
  }

  /**
   * Moves the journal's records into the database in one transaction (holding the locks of the keys
   * involved), then deletes their files. A record at or below its watermark (pruned since) or
   * already in the database is skipped.
   */
  final void flushJournal() {
    if (journal == null) {
      return;
    }
    synchronized (flushLock) {
      PreconfirmationJournal.Batch batch;
      try {
        batch = journal.seal();
      } catch (java.io.IOException e) {
        throw new SlashingProtectionException(
            "cannot start a new preconfirmation journal file: " + e.getMessage(), e);
      }
      if (batch.entries().isEmpty()) {
        return;
      }
      Set<Long> ids = new TreeSet<>();
      for (PreconfirmationJournal.Entry e : batch.entries()) {
        ids.add(e.keyId());
      }
      long[] locks = new long[ids.size()];
      int i = 0;
      for (long id : ids) {
        locks[i++] = lockId(pubkeyOf(id));
      }
      transact(
          locks,
          s -> {
            Map<String, Optional<BigInteger>> marks = new HashMap<>();
            for (PreconfirmationJournal.Entry e : batch.entries()) {
              Optional<BigInteger> wm = marks.get(e.keyId() + "/" + e.rollupId());
              if (wm == null) {
                wm =
                    Optional.ofNullable(
                        watermark(s, e.keyId(), MessageKind.PRECONFIRMATION, e.rollupId()));
                marks.put(e.keyId() + "/" + e.rollupId(), wm);
              }
              HistoryEntry h = e.history();
              if (atOrBelow(h.height(), wm.orElse(null))
                  || findInDatabase(s, e.keyId(), h) != null) {
                continue;
              }
              insert(s, e.keyId(), h);
            }
            return null;
          });
      try {
        journal.moved(batch);
      } catch (java.io.IOException e) {
        // the records are in the database; a file left behind is read back and skipped
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot delete preconfirmation journal files: {0}",
            e.toString());
      }
    }
  }

  /** The public key of a key id (from the cache, else the database). */
  private byte[] pubkeyOf(long id) {
    for (Map.Entry<ByteBuffer, Long> e : keyIds.entrySet()) {
      if (e.getValue() == id) {
        return e.getKey().array().clone();
      }
    }
    byte[] pk =
        transact(
            new long[0],
            s -> {
              PreparedStatement ps = s.ps("SELECT pubkey FROM slashing_key WHERE id = ?");
              ps.setLong(1, id);
              try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBytes(1) : null;
              }
            });
    if (pk == null) {
      throw new SlashingProtectionException(
          "the preconfirmation journal names key id " + id + ", which the database does not hold");
    }
    return pk;
  }

  /** Takes the cross-process locks of the given keys (sorted ascending) for this transaction. */
  abstract void lockKeys(Connection c, long[] sortedLockIds) throws SQLException;

  /** Takes the cross-process lock that serializes schema migration. */
  abstract void lockMigration(Connection c) throws SQLException;

  /** Releases resources beyond the connections (file locks). */
  void closeResources() {}

  @Override
  public SlashingDomain domain() {
    return domain;
  }

  // ---------------------------------------------------------------- check and record

  @Override
  public Decision checkAndRecord(byte[] pubkey, SigningIntent intent) {
    checkPubkey(pubkey);
    Objects.requireNonNull(intent, "intent");
    long keyId = keyId(pubkey);
    return transact(new long[] {lockId(pubkey)}, s -> decide(s, keyId, intent));
  }

  @Override
  public List<Decision> checkAndRecordAll(byte[] pubkey, List<SigningIntent> intents) {
    checkPubkey(pubkey);
    Objects.requireNonNull(intents, "intents");
    // invalid requests are answered one by one, before the transaction, so they cannot roll back
    // the others
    Decision[] out = new Decision[intents.size()];
    HistoryEntry[] entries = new HistoryEntry[intents.size()];
    boolean any = false;
    for (int i = 0; i < out.length; i++) {
      try {
        entries[i] = HistoryEntry.of(Objects.requireNonNull(intents.get(i), "intent"));
        any = true;
      } catch (InvalidSigningRequestException | NullPointerException e) {
        out[i] = Decision.refused(RefusalReason.INVALID_REQUEST, String.valueOf(e.getMessage()));
      }
    }
    if (!any) {
      return List.of(out);
    }
    long keyId = keyId(pubkey);
    Decision[] decided =
        transact(
            new long[] {lockId(pubkey)},
            s -> {
              // a retried transaction starts again from the first intent
              Decision[] d = new Decision[entries.length];
              for (int i = 0; i < entries.length; i++) {
                if (entries[i] != null) {
                  d[i] = decide(s, keyId, entries[i]);
                }
              }
              return d;
            });
    for (int i = 0; i < out.length; i++) {
      if (out[i] == null) {
        out[i] = decided[i];
      }
    }
    return List.of(out);
  }

  /**
   * The rules of every kind, from its {@link KindSpec}: nothing at or below the watermark; a second
   * message at a recorded identity only if it repeats it; and, for proposals and preconfirmations,
   * the coverage rule between the two.
   */
  private Decision decide(Session s, long keyId, SigningIntent intent) throws SQLException {
    return decide(s, keyId, HistoryEntry.of(intent));
  }

  private Decision decide(Session s, long keyId, HistoryEntry e) throws SQLException {
    KindSpec spec = KindSpec.of(e.kind());
    BigInteger wm = watermark(s, keyId, e.kind(), e.rollupId());
    if (atOrBelow(e.height(), wm)) {
      return Decision.refused(
          RefusalReason.BELOW_WATERMARK,
          e.kind().typeName() + " at height " + e.height() + " is at or below the watermark " + wm);
    }
    Optional<MessageKind> related = spec.coveredWith();
    if (related.isPresent()) {
      BigInteger other = watermark(s, keyId, related.get(), e.rollupId());
      if (atOrBelow(e.height(), other)) {
        return Decision.refused(
            RefusalReason.BELOW_WATERMARK,
            related.get().typeName()
                + " history of slot "
                + e.height()
                + " is pruned (watermark "
                + other
                + ")");
      }
    }
    Row existing = find(s, keyId, e);
    if (existing != null) {
      return spec.repeats(e, existing.subject, existing.valid, existing.digest)
          ? Decision.allowedRepeat()
          : Decision.refused(
              spec.refusal(),
              "a different "
                  + e.kind().typeName()
                  + " was already signed at height "
                  + e.height()
                  + (spec.hasValid() ? " (valid=" + existing.valid + ")" : ""));
    }
    Decision coverage =
        switch (spec.coverage()) {
          case PROPOSAL -> proposalCoversPreconfirmations(s, keyId, e);
          case PRECONFIRMATION -> preconfirmationInProposal(s, keyId, e);
          case NONE -> null;
        };
    if (coverage != null) {
      return coverage;
    }
    if (journal != null && e.kind() == MessageKind.PRECONFIRMATION) {
      journal.append(keyId, e); // in the OS before the signature, as a commit would be
    } else {
      insert(s, keyId, e);
    }
    return Decision.allowed();
  }

  /** A proposal that leaves out a transaction this key preconfirmed for the slot is refused. */
  private Decision proposalCoversPreconfirmations(Session s, long keyId, HistoryEntry e)
      throws SQLException {
    Set<ByteBuffer> inBlock = new HashSet<>();
    for (byte[] h : e.txHashes()) {
      inBlock.add(ByteBuffer.wrap(h));
    }
    PreparedStatement ps =
        s.ps("SELECT tx_hash FROM preconfirmation WHERE key_id = ? AND rollup_id = ? AND slot = ?");
    ps.setLong(1, keyId);
    ps.setLong(2, e.rollupId());
    ps.setLong(3, e.height().longValueExact());
    Set<ByteBuffer> preconfirmed = new java.util.LinkedHashSet<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        preconfirmed.add(ByteBuffer.wrap(rs.getBytes(1)));
      }
    }
    if (journal != null) {
      for (byte[] tx : journal.txs(keyId, e.rollupId(), e.height().longValueExact())) {
        preconfirmed.add(ByteBuffer.wrap(tx));
      }
    }
    int missing = 0;
    String firstMissing = null;
    for (ByteBuffer tx : preconfirmed) {
      if (!inBlock.contains(tx)) {
        missing++;
        if (firstMissing == null) {
          firstMissing = hex(tx.array());
        }
      }
    }
    if (missing > 0) {
      return Decision.refused(
          RefusalReason.MISSING_PRECONF,
          missing
              + " preconfirmed transaction(s) missing from the proposal for slot "
              + e.height()
              + ", e.g. "
              + firstMissing);
    }
    return null;
  }

  /**
   * A preconfirmation for a slot whose signed proposal does not hold the transaction is refused.
   */
  private Decision preconfirmationInProposal(Session s, long keyId, HistoryEntry e)
      throws SQLException {
    long slot = e.height().longValueExact();
    PreparedStatement ps =
        s.ps("SELECT 1 FROM slot_proposal WHERE key_id = ? AND rollup_id = ? AND slot = ?");
    ps.setLong(1, keyId);
    ps.setLong(2, e.rollupId());
    ps.setLong(3, slot);
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
    }
    PreparedStatement tx =
        s.ps(
            "SELECT 1 FROM slot_proposal_tx WHERE key_id = ? AND rollup_id = ? AND slot = ? AND"
                + " tx_hash = ?");
    tx.setLong(1, keyId);
    tx.setLong(2, e.rollupId());
    tx.setLong(3, slot);
    tx.setBytes(4, e.subject());
    try (ResultSet rs = tx.executeQuery()) {
      if (!rs.next()) {
        return Decision.refused(
            RefusalReason.PRECONF_NOT_IN_PROPOSAL,
            "the proposal signed for slot " + slot + " does not contain " + hex(e.subject()));
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- watermarks and pruning

  @Override
  public Optional<BigInteger> watermark(byte[] pubkey, MessageKind kind, long rollupId) {
    checkPubkey(pubkey);
    Long keyId = existingKeyId(pubkey);
    if (keyId == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(transact(new long[0], s -> watermark(s, keyId, kind, rollupId)));
  }

  /** A 48-byte key, a kind, and a rollup id and height that are not negative. */
  private static void checkAt(byte[] pubkey, MessageKind kind, long rollupId, BigInteger height) {
    checkPubkey(pubkey);
    Objects.requireNonNull(kind, "kind");
    if (rollupId < 0 || height == null || height.signum() < 0) {
      throw new InvalidSigningRequestException("rollupId and height must not be negative");
    }
  }

  @Override
  public boolean mayHaveSigned(byte[] pubkey, MessageKind kind, long rollupId, BigInteger height) {
    checkAt(pubkey, kind, rollupId, height);
    Long keyId = existingKeyId(pubkey);
    if (keyId == null) {
      return false;
    }
    KindSpec t = KindSpec.of(kind);
    if (!t.uint256Height() && height.bitLength() > 63) {
      return false; // no such height is ever recorded, nor any watermark above it
    }
    return transact(
        new long[0],
        s -> {
          BigInteger wm = watermark(s, keyId, kind, rollupId);
          if (wm != null && height.compareTo(wm) <= 0) {
            return true;
          }
          if (journal != null
              && kind == MessageKind.PRECONFIRMATION
              && !journal.txs(keyId, rollupId, height.longValueExact()).isEmpty()) {
            return true;
          }
          PreparedStatement ps =
              s.ps(
                  "SELECT 1 FROM "
                      + t.table()
                      + " WHERE key_id = ? AND rollup_id = ? AND "
                      + t.heightColumn()
                      + " = ?");
          ps.setLong(1, keyId);
          ps.setLong(2, rollupId);
          setHeight(ps, 3, kind, height);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next();
          }
        });
  }

  @Override
  public int prune(byte[] pubkey, MessageKind kind, long rollupId, BigInteger upToInclusive) {
    checkAt(pubkey, kind, rollupId, upToInclusive);
    long keyId = keyId(pubkey);
    return transact(
        new long[] {lockId(pubkey)},
        s -> {
          raiseWatermark(s, keyId, kind, rollupId, upToInclusive);
          BigInteger wm = watermark(s, keyId, kind, rollupId);
          KindSpec t = KindSpec.of(kind);
          int deleted = 0;
          if (kind == MessageKind.SLOT_PROPOSAL) {
            PreparedStatement tx =
                s.ps(
                    "DELETE FROM slot_proposal_tx WHERE key_id = ? AND rollup_id = ? AND slot <="
                        + " ?");
            tx.setLong(1, keyId);
            tx.setLong(2, rollupId);
            setHeight(tx, 3, kind, clampToLong(kind, wm));
            tx.executeUpdate();
          }
          PreparedStatement del =
              s.ps(
                  "DELETE FROM "
                      + t.table()
                      + " WHERE key_id = ? AND rollup_id = ? AND "
                      + t.heightColumn()
                      + " <= ?");
          del.setLong(1, keyId);
          del.setLong(2, rollupId);
          setHeight(del, 3, kind, clampToLong(kind, wm));
          deleted += del.executeUpdate();
          return deleted;
        });
  }

  private static BigInteger clampToLong(MessageKind kind, BigInteger h) {
    if (!KindSpec.of(kind).uint256Height() && h.bitLength() > 63) {
      return BigInteger.valueOf(Long.MAX_VALUE);
    }
    return h;
  }

  private BigInteger watermark(Session s, long keyId, MessageKind kind, long rollupId)
      throws SQLException {
    PreparedStatement ps =
        s.ps(
            "SELECT height FROM slashing_watermark WHERE key_id = ? AND kind = ? AND rollup_id ="
                + " ?");
    ps.setLong(1, keyId);
    ps.setInt(2, kind.code());
    ps.setLong(3, rollupId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getBigDecimal(1).toBigIntegerExact() : null;
    }
  }

  /** Raises the watermark to {@code height} if that is higher; never lowers it. */
  private boolean raiseWatermark(
      Session s, long keyId, MessageKind kind, long rollupId, BigInteger height)
      throws SQLException {
    BigInteger current = watermark(s, keyId, kind, rollupId);
    if (current == null) {
      PreparedStatement ins =
          s.ps(
              "INSERT INTO slashing_watermark (key_id, kind, rollup_id, height) VALUES (?, ?, ?,"
                  + " ?)");
      ins.setLong(1, keyId);
      ins.setInt(2, kind.code());
      ins.setLong(3, rollupId);
      ins.setBigDecimal(4, new BigDecimal(height));
      ins.executeUpdate();
      return true;
    }
    if (height.compareTo(current) <= 0) {
      return false;
    }
    // The "height < ?" guard keeps the update forward-only even against a concurrent writer.
    PreparedStatement up =
        s.ps(
            "UPDATE slashing_watermark SET height = ? WHERE key_id = ? AND kind = ? AND rollup_id"
                + " = ? AND height < ?");
    BigDecimal h = new BigDecimal(height);
    up.setBigDecimal(1, h);
    up.setLong(2, keyId);
    up.setInt(3, kind.code());
    up.setLong(4, rollupId);
    up.setBigDecimal(5, h);
    return up.executeUpdate() > 0;
  }

  private static boolean atOrBelow(BigInteger height, BigInteger watermark) {
    return watermark != null && height.compareTo(watermark) <= 0;
  }

  // ---------------------------------------------------------------- import and export

  @Override
  public ImportReport importHistory(Interchange interchange) {
    Objects.requireNonNull(interchange, "interchange");
    if (!domain.sameAs(interchange.domain())) {
      throw new InterchangeFormatException(
          "interchange is for another signing domain ("
              + hex(interchange.domain().separator())
              + "), this database belongs to "
              + hex(domain.separator())
              + "; nothing imported");
    }
    Map<ByteBuffer, List<Interchange.KeyHistory>> byKey = new LinkedHashMap<>();
    for (Interchange.KeyHistory kh : interchange.keys()) {
      byKey.computeIfAbsent(ByteBuffer.wrap(kh.pubkey()), k -> new ArrayList<>()).add(kh);
    }
    Map<ByteBuffer, Long> ids = new LinkedHashMap<>();
    List<Long> locks = new ArrayList<>();
    for (ByteBuffer pk : byKey.keySet()) {
      ids.put(pk, keyId(pk.array()));
      locks.add(lockId(pk.array()));
    }
    long[] lockIds = locks.stream().mapToLong(Long::longValue).toArray();
    return transact(
        lockIds,
        s -> {
          int[] c = new int[5]; // imported, present, below, conflicts, raised
          List<String> details = new ArrayList<>();
          for (Map.Entry<ByteBuffer, List<Interchange.KeyHistory>> en : byKey.entrySet()) {
            long keyId = ids.get(en.getKey());
            importKey(s, keyId, en.getKey().array(), en.getValue(), c, details);
          }
          return new ImportReport(byKey.size(), c[0], c[1], c[2], c[3], c[4], details);
        });
  }

  private void importKey(
      Session s,
      long keyId,
      byte[] pubkey,
      List<Interchange.KeyHistory> parts,
      int[] c,
      List<String> details)
      throws SQLException {
    record Scope(MessageKind kind, long rollupId) {}
    Map<Scope, BigInteger> maxHeight = new LinkedHashMap<>();
    Map<Scope, Optional<BigInteger>> before = new HashMap<>();
    for (Interchange.KeyHistory kh : parts) {
      for (Interchange.Watermark w : kh.watermarks()) {
        maxHeight.merge(new Scope(w.kind(), w.rollupId()), w.height(), BigInteger::max);
      }
      for (HistoryEntry e : kh.entries()) {
        Scope scope = new Scope(e.kind(), e.rollupId());
        maxHeight.merge(scope, e.height(), BigInteger::max);
        Optional<BigInteger> wm = before.get(scope);
        if (wm == null) {
          wm = Optional.ofNullable(watermark(s, keyId, e.kind(), e.rollupId()));
          before.put(scope, wm);
        }
        Row r = find(s, keyId, e);
        boolean closed = atOrBelow(e.height(), wm.orElse(null));
        if (r == null && closed) {
          c[2]++; // pruned here: the watermark already refuses that height
          continue;
        }
        if (r == null) {
          insert(s, keyId, e);
          c[0]++;
        } else if (conflicts(e, r)) {
          c[3]++;
          if (details.size() < MAX_CONFLICT_DETAILS) {
            details.add(
                "key "
                    + hex(pubkey).substring(0, 18)
                    + "…: conflicting "
                    + e.kind().typeName()
                    + " rollupId="
                    + e.rollupId()
                    + " height="
                    + e.height()
                    + " (kept the recorded one; height closed by the watermark)");
          }
        } else {
          c[1]++;
        }
      }
    }
    for (Map.Entry<Scope, BigInteger> en : maxHeight.entrySet()) {
      Scope scope = en.getKey();
      BigInteger target = en.getValue();
      BigInteger recorded = maxRecordedHeight(s, keyId, scope.kind(), scope.rollupId());
      if (recorded != null) {
        target = target.max(recorded);
      }
      if (raiseWatermark(s, keyId, scope.kind(), scope.rollupId(), target)) {
        c[4]++;
      }
    }
  }

  private static boolean conflicts(HistoryEntry e, Row r) {
    return KindSpec.of(e.kind()).contradicts(e, r.subject, r.valid, r.digest);
  }

  @Override
  public Interchange exportHistory() {
    Map<Long, byte[]> keys = new LinkedHashMap<>();
    transact(
        new long[0],
        s -> {
          try (ResultSet rs =
              s.ps("SELECT id, pubkey FROM slashing_key ORDER BY id").executeQuery()) {
            while (rs.next()) {
              keys.put(rs.getLong(1), rs.getBytes(2));
            }
          }
          return null;
        });
    long[] locks = keys.values().stream().mapToLong(JdbcSlashingProtection::lockId).toArray();
    return transact(
        locks,
        s -> {
          List<Interchange.KeyHistory> out = new ArrayList<>();
          for (Map.Entry<Long, byte[]> k : keys.entrySet()) {
            out.add(exportKey(s, k.getKey(), k.getValue()));
          }
          return new Interchange(domain, out);
        });
  }

  private Interchange.KeyHistory exportKey(Session s, long keyId, byte[] pubkey)
      throws SQLException {
    List<Interchange.Watermark> wms = new ArrayList<>();
    PreparedStatement w =
        s.ps(
            "SELECT kind, rollup_id, height FROM slashing_watermark WHERE key_id = ? ORDER BY"
                + " kind, rollup_id");
    w.setLong(1, keyId);
    try (ResultSet rs = w.executeQuery()) {
      while (rs.next()) {
        wms.add(
            new Interchange.Watermark(
                MessageKind.fromCode(rs.getInt(1)),
                rs.getLong(2),
                rs.getBigDecimal(3).toBigIntegerExact()));
      }
    }
    Map<String, List<byte[]>> txs = new HashMap<>();
    PreparedStatement t =
        s.ps("SELECT rollup_id, slot, tx_hash FROM slot_proposal_tx WHERE key_id = ?");
    t.setLong(1, keyId);
    try (ResultSet rs = t.executeQuery()) {
      while (rs.next()) {
        txs.computeIfAbsent(rs.getLong(1) + "/" + rs.getLong(2), k -> new ArrayList<>())
            .add(rs.getBytes(3));
      }
    }
    for (List<byte[]> l : txs.values()) {
      l.sort(Arrays::compareUnsigned);
    }
    List<HistoryEntry> entries = new ArrayList<>();
    for (KindSpec spec : KindSpec.ALL.values()) {
      MessageKind kind = spec.kind();
      PreparedStatement ps = s.ps(spec.exportSql());
      ps.setLong(1, keyId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long rollupId = rs.getLong(1);
          BigInteger height = rs.getBigDecimal(2).toBigIntegerExact();
          byte[] subject = rs.getBytes(3);
          Boolean valid = spec.hasValid() ? rs.getBoolean(4) : null;
          byte[] digest = rs.getBytes(5);
          List<byte[]> proposalTxs =
              spec.coverage() == KindSpec.Coverage.PROPOSAL
                  ? txs.getOrDefault(rollupId + "/" + height, List.of())
                  : List.of();
          entries.add(
              new HistoryEntry(kind, rollupId, height, subject, valid, digest, proposalTxs));
        }
      }
    }
    // preconfirmations: the database's and the journal's, in one order whatever their source
    List<HistoryEntry> preconfs = new ArrayList<>();
    Set<String> exported = new HashSet<>();
    for (java.util.Iterator<HistoryEntry> it = entries.iterator(); it.hasNext(); ) {
      HistoryEntry e = it.next();
      if (e.kind() == MessageKind.PRECONFIRMATION) {
        it.remove();
        preconfs.add(e);
        exported.add(e.rollupId() + "/" + e.height() + "/" + hex(e.subject()));
      }
    }
    if (journal != null) {
      Map<Long, Optional<BigInteger>> marks = new HashMap<>();
      for (PreconfirmationJournal.Entry j : journal.entries(keyId)) {
        HistoryEntry e = j.history();
        Optional<BigInteger> wm = marks.get(e.rollupId());
        if (wm == null) {
          wm = Optional.ofNullable(watermark(s, keyId, MessageKind.PRECONFIRMATION, e.rollupId()));
          marks.put(e.rollupId(), wm);
        }
        if (!atOrBelow(e.height(), wm.orElse(null))
            && exported.add(e.rollupId() + "/" + e.height() + "/" + hex(e.subject()))) {
          preconfs.add(e);
        }
      }
    }
    preconfs.sort(
        java.util.Comparator.comparingLong(HistoryEntry::rollupId)
            .thenComparing(HistoryEntry::height)
            .thenComparing(HistoryEntry::subject, Arrays::compareUnsigned));
    entries.addAll(preconfs);
    return new Interchange.KeyHistory(pubkey, wms, entries);
  }

  @Override
  public List<byte[]> keys() {
    return transact(
        new long[0],
        s -> {
          List<byte[]> out = new ArrayList<>();
          try (ResultSet rs = s.ps("SELECT pubkey FROM slashing_key ORDER BY id").executeQuery()) {
            while (rs.next()) {
              out.add(rs.getBytes(1));
            }
          }
          return out;
        });
  }

  // ---------------------------------------------------------------- rows

  /** One recorded row: subject (outputRoot/blockHash/txHash), verdict value, digest. */
  private record Row(byte[] subject, Boolean valid, byte[] digest) {}

  private static void setHeight(PreparedStatement ps, int i, MessageKind kind, BigInteger h)
      throws SQLException {
    if (KindSpec.of(kind).uint256Height()) {
      ps.setBigDecimal(i, new BigDecimal(h));
    } else {
      ps.setLong(i, h.longValueExact());
    }
  }

  /** The recorded row at the entry's identity: the journal's record, else the database's. */
  private Row find(Session s, long keyId, HistoryEntry e) throws SQLException {
    if (journal != null && e.kind() == MessageKind.PRECONFIRMATION) {
      PreconfirmationJournal.Entry j =
          journal.find(keyId, e.rollupId(), e.height().longValueExact(), e.subject());
      if (j != null) {
        return new Row(j.txHash(), null, j.digest());
      }
    }
    return findInDatabase(s, keyId, e);
  }

  private Row findInDatabase(Session s, long keyId, HistoryEntry e) throws SQLException {
    KindSpec spec = KindSpec.of(e.kind());
    PreparedStatement ps = s.ps(spec.findSql());
    ps.setLong(1, keyId);
    ps.setLong(2, e.rollupId());
    setHeight(ps, 3, e.kind(), e.height());
    if (spec.subjectKeyed()) {
      ps.setBytes(4, e.subject());
    }
    try (ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      byte[] subject = rs.getBytes(1);
      boolean v = rs.getBoolean(2);
      Boolean valid = rs.wasNull() ? null : v;
      return new Row(subject, valid, rs.getBytes(3));
    }
  }

  private void insert(Session s, long keyId, HistoryEntry e) throws SQLException {
    KindSpec spec = KindSpec.of(e.kind());
    PreparedStatement ps = s.ps(spec.insertSql());
    int i = 1;
    ps.setLong(i++, keyId);
    ps.setLong(i++, e.rollupId());
    setHeight(ps, i++, e.kind(), e.height());
    if (spec.hasSubject()) {
      ps.setBytes(i++, e.subject());
    }
    if (spec.hasValid()) {
      ps.setBoolean(i++, e.valid());
    }
    ps.setBytes(i, e.digest());
    ps.executeUpdate();
    if (spec.coverage() == KindSpec.Coverage.PROPOSAL && !e.txHashes().isEmpty()) {
      PreparedStatement tx =
          s.ps(
              "INSERT INTO slot_proposal_tx (key_id, rollup_id, slot, tx_hash) VALUES (?, ?, ?,"
                  + " ?)");
      Set<ByteBuffer> seen = new HashSet<>();
      for (byte[] h : e.txHashes()) {
        if (!seen.add(ByteBuffer.wrap(h))) {
          continue;
        }
        tx.setLong(1, keyId);
        tx.setLong(2, e.rollupId());
        tx.setLong(3, e.height().longValueExact());
        tx.setBytes(4, h);
        tx.addBatch();
      }
      tx.executeBatch();
    }
  }

  private BigInteger maxRecordedHeight(Session s, long keyId, MessageKind kind, long rollupId)
      throws SQLException {
    KindSpec t = KindSpec.of(kind);
    PreparedStatement ps =
        s.ps(
            "SELECT MAX("
                + t.heightColumn()
                + ") FROM "
                + t.table()
                + " WHERE key_id = ? AND rollup_id = ?");
    ps.setLong(1, keyId);
    ps.setLong(2, rollupId);
    BigInteger max;
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      BigDecimal d = rs.getBigDecimal(1);
      max = d == null ? null : d.toBigIntegerExact();
    }
    if (journal != null && kind == MessageKind.PRECONFIRMATION) {
      for (PreconfirmationJournal.Entry j : journal.entries(keyId)) {
        if (j.rollupId() == rollupId) {
          BigInteger h = BigInteger.valueOf(j.slot());
          max = max == null ? h : max.max(h);
        }
      }
    }
    return max;
  }

  // ---------------------------------------------------------------- domain and keys

  private void checkOrStoreDomain(Session s) throws SQLException {
    PreparedStatement ps =
        s.ps(
            "SELECT domain_separator, chain_id, verifying_contract FROM slashing_metadata WHERE id"
                + " = 1");
    try (ResultSet rs = ps.executeQuery()) {
      if (rs.next()) {
        byte[] sep = rs.getBytes(1);
        if (!Arrays.equals(sep, domain.separator())) {
          long chainId = rs.getLong(2);
          throw new SlashingProtectionException(
              "slashing-protection database belongs to another signing domain (separator "
                  + hex(sep)
                  + (chainId > 0 ? ", chain id " + chainId : "")
                  + "), configured "
                  + domain
                  + "; refusing to use it");
        }
        return;
      }
    }
    PreparedStatement ins =
        s.ps(
            "INSERT INTO slashing_metadata (id, domain_separator, chain_id, verifying_contract)"
                + " VALUES (1, ?, ?, ?)");
    ins.setBytes(1, domain.separator());
    if (domain.chainId() > 0) {
      ins.setLong(2, domain.chainId());
    } else {
      ins.setNull(2, java.sql.Types.BIGINT);
    }
    ins.setBytes(3, domain.verifyingContract());
    ins.executeUpdate();
  }

  private Long existingKeyId(byte[] pubkey) {
    ByteBuffer k = ByteBuffer.wrap(pubkey.clone());
    Long id = keyIds.get(k);
    if (id != null) {
      return id;
    }
    id = transact(new long[0], s -> selectKeyId(s, pubkey));
    if (id != null) {
      keyIds.put(k, id);
    }
    return id;
  }

  /**
   * The id of a key, inserting its row in a transaction of its own if needed (so a cached id is
   * always committed).
   */
  private long keyId(byte[] pubkey) {
    ByteBuffer k = ByteBuffer.wrap(pubkey.clone());
    Long id = keyIds.get(k);
    if (id != null) {
      return id;
    }
    id =
        transact(
            new long[] {lockId(pubkey)},
            s -> {
              Long found = selectKeyId(s, pubkey);
              if (found != null) {
                return found;
              }
              PreparedStatement ins = s.ps("INSERT INTO slashing_key (pubkey) VALUES (?)");
              ins.setBytes(1, pubkey);
              ins.executeUpdate();
              return selectKeyId(s, pubkey);
            });
    keyIds.put(k, id);
    return id;
  }

  private static Long selectKeyId(Session s, byte[] pubkey) throws SQLException {
    PreparedStatement ps = s.ps("SELECT id FROM slashing_key WHERE pubkey = ?");
    ps.setBytes(1, pubkey);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }

  private static void checkPubkey(byte[] pubkey) {
    if (pubkey == null || pubkey.length != 48) {
      throw new InvalidSigningRequestException(
          "public key must be 48 bytes, got " + (pubkey == null ? "null" : pubkey.length));
    }
  }

  /** A 64-bit lock id per key, for advisory locks and lock stripes. */
  static long lockId(byte[] pubkey) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update("avs-slashing-protection-key-lock".getBytes(StandardCharsets.US_ASCII));
      byte[] h = md.digest(pubkey);
      return ByteBuffer.wrap(h).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  // ---------------------------------------------------------------- transactions and pool

  private <T> T transact(long[] lockIds, TxBody<T> body) {
    if (dbThread != null && Thread.currentThread() == dbThreadItself) {
      // its caller holds the stripes this one would wait for
      throw new IllegalStateException("a slashing-protection transaction inside another");
    }
    long[] sorted = Arrays.stream(lockIds).distinct().sorted().toArray();
    TreeSet<Integer> stripeIdx = new TreeSet<>();
    for (long id : sorted) {
      stripeIdx.add((int) Math.floorMod(id, (long) STRIPES));
    }
    List<ReentrantLock> held = new ArrayList<>();
    try {
      for (int i : stripeIdx) {
        stripes[i].lock();
        held.add(stripes[i]);
      }
      return isolated(() -> attempts(sorted, body));
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) {
        held.get(i).unlock();
      }
    }
  }

  /** The transaction, tried again after a retryable failure; the caller holds the stripes. */
  private <T> T attempts(long[] sorted, TxBody<T> body) {
    SQLException last = null;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Session s = acquire();
      boolean broken = false;
      try {
        if (sorted.length > 0) {
          lockKeys(s.c, sorted);
        }
        T result = body.run(s);
        s.c.commit();
        return result;
      } catch (SQLException e) {
        last = e;
        broken = rollback(s);
        if (!retryable(e)) {
          break;
        }
      } catch (RuntimeException | Error e) {
        broken = rollback(s);
        throw e;
      } finally {
        release(s, broken);
      }
    }
    throw new SlashingProtectionException(
        "slashing-protection database error: " + last.getMessage(), last);
  }

  private static boolean retryable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException se) {
        String state = se.getSQLState();
        if (state != null
            && (state.equals("23505") // unique violation: re-check sees the winner's row
                || state.equals("40001") // serialization failure
                || state.equals("40P01") // deadlock detected
                || state.startsWith("08"))) { // connection exception: new connection
          return true;
        }
      }
    }
    return false;
  }

  /** Rolls back; returns true if the connection is unusable and must be discarded. */
  private static boolean rollback(Session s) {
    try {
      s.c.rollback();
      return !s.c.isValid(2);
    } catch (SQLException e) {
      return true;
    }
  }

  private Session acquire() {
    if (closed) {
      throw new SlashingProtectionException("slashing-protection database is closed");
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SlashingProtectionException("interrupted waiting for a database connection", e);
    }
    Session s = idle.poll();
    if (s != null) {
      return s;
    }
    try {
      Connection c = factory.open();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      return new Session(c);
    } catch (SQLException e) {
      permits.release();
      throw new SlashingProtectionException(
          "cannot connect to the slashing-protection database: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  private void release(Session s, boolean broken) {
    if (broken || closed) {
      s.close();
    } else if (!idle.offer(s)) {
      s.close();
    }
    permits.release();
  }

  @Override
  public void close() {
    close(true);
  }

  /**
   * For tests: closes as a killed process would leave it, with the journal's records not moved into
   * the database (the next opening reads them back).
   */
  void closeWithoutFlush() {
    close(false);
  }

  private void close(boolean flush) {
    if (closed) {
      return;
    }
    if (flusher != null) {
      flusher.shutdown();
      try {
        flusher.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (flush) {
        flushQuietly(); // what is left stays in the journal, read back at the next opening
      }
    }
    closed = true;
    boolean drained = false;
    try {
      // wait for transactions in flight, so nothing is cut off half-way
      drained = permits.tryAcquire(poolSize, 30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      isolated(
          () -> {
            // the last connection's close writes H2's file: on the database's thread as well
            Session s;
            while ((s = idle.poll()) != null) {
              s.close();
            }
            return null;
          });
    } finally {
      if (drained) {
        permits.release(poolSize);
      }
      if (dbThread != null) {
        dbThread.shutdown();
      }
      if (journal != null) {
        try {
          journal.close();
        } catch (java.io.IOException e) {
          LOG.log(System.Logger.Level.DEBUG, "closing the preconfirmation journal failed", e);
        }
      }
      closeResources();
    }
  }

  /** A connection with its prepared statements. Used by one thread at a time. */
  private static final class Session {
    final Connection c;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    Session(Connection c) {
      this.c = c;
    }

    PreparedStatement ps(String sql) throws SQLException {
      PreparedStatement ps = statements.get(sql);
      if (ps == null) {
        ps = c.prepareStatement(sql);
        statements.put(sql, ps);
      } else {
        ps.clearParameters();
      }
      return ps;
    }

    void close() {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing connection failed", e);
      }
    }
  }

  static String hex(byte[] b) {
    return b == null ? "null" : "0x" + HexFormat.of().formatHex(b);
  }
}
