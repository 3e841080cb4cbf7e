package org.avsnode.operator.slashing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;

/**
 * The embedded backend's record of preconfirmations not yet moved into the database: an append-only
 * file of fixed-size records beside it. A SQUAD leader records one preconfirmation per accepted
 * transaction, and an H2 commit writes a new chunk of about 23 KB for each, whatever the row; here
 * a record is {@value #RECORD_BYTES} bytes in one {@code write}, made before the signature exists.
 * The database takes the records in batches ({@link JdbcSlashingProtection#flushJournal}), one
 * commit per batch, after which their file is deleted.
 *
 * <p>Durability is the database's: a record is in the operating system once {@link #append} returns
 * (no fsync, as H2 with {@code WRITE_DELAY=0}), so a killed process loses none; an OS crash or
 * power loss can lose the last ones. On opening, every file left behind is read back; a record
 * whose checksum fails ends its file (a write cut off by a kill, whose signature was therefore
 * never made).
 *
 * <p>The rules read the records still here together with the database's rows ({@link #find}, {@link
 * #txs}, {@link #entries}); a record and its row may both exist for a while, which is the same
 * preconfirmation twice and harmless. Appends for one key are serialized by the caller (the key's
 * lock); this class serializes the file.
 *
 * <p>Record layout (big-endian): version (1 byte, {@value #VERSION}), flags (1 byte: bit 0 when a
 * digest is present), key id, rollup id, slot (8 bytes each), transaction hash (32), digest (32,
 * zeros when absent), CRC32C of the preceding 90 bytes (4).
 */
final class PreconfirmationJournal implements AutoCloseable {

  static final String PREFIX = "slashing-protection.preconf.";
  static final String SUFFIX = ".journal";
  static final int RECORD_BYTES = 94;
  private static final byte VERSION = 1;
  private static final System.Logger LOG = System.getLogger(PreconfirmationJournal.class.getName());

  /** One preconfirmation recorded here; {@code segment} is the file that holds it. */
  record Entry(long segment, long keyId, long rollupId, long slot, byte[] txHash, byte[] digest) {
    HistoryEntry history() {
      return new HistoryEntry(
          MessageKind.PRECONFIRMATION,
          rollupId,
          BigInteger.valueOf(slot),
          txHash,
          null,
          digest,
          List.of());
    }
  }

  /** The entries of the files closed for the database, up to and including {@code lastSegment}. */
  record Batch(long lastSegment, List<Entry> entries) {}

  private record SlotKey(long keyId, long rollupId, long slot) {}

  private final Path directory;
  private final Object lock = new Object();
  // (key, rollup, slot) -> tx hash -> entry: every record not yet known to be in the database
  private final Map<SlotKey, Map<ByteBuffer, Entry>> pending = new ConcurrentHashMap<>();
  // guarded by lock
  private final List<Entry> current = new ArrayList<>();
  private final List<Entry> closed = new ArrayList<>();
  private long segment;
  // a RandomAccessFile, not a FileChannel: an interrupt of the thread inside a FileChannel's write
  // closes the channel, which left the journal refusing every later preconfirmation
  private RandomAccessFile out;
  private boolean broken;

  private PreconfirmationJournal(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens the journal in {@code directory}: reads back the records of every file there (they are
   * then pending for the database) and starts a new file after them.
   */
  static PreconfirmationJournal open(Path directory) throws IOException {
    PreconfirmationJournal j = new PreconfirmationJournal(directory);
    TreeMap<Long, Path> files = segments(directory);
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      for (Entry e : read(f.getKey(), f.getValue())) {
        if (j.index(e)) {
          j.closed.add(e);
        }
      }
    }
    j.segment = files.isEmpty() ? 1 : files.lastKey() + 1;
    j.out = openSegment(directory, j.segment);
    return j;
  }

  private static TreeMap<Long, Path> segments(Path directory) throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        String num = n.substring(PREFIX.length(), n.length() - SUFFIX.length());
        try {
          files.put(Long.parseLong(num), p);
        } catch (NumberFormatException e) {
          LOG.log(System.Logger.Level.WARNING, "ignoring unexpected file {0}", p);
        }
      }
    }
    return files;
  }

  private static RandomAccessFile openSegment(Path directory, long segment) throws IOException {
    RandomAccessFile f =
        new RandomAccessFile(directory.resolve(PREFIX + segment + SUFFIX).toFile(), "rw");
    try {
      f.seek(f.length()); // appends
    } catch (IOException e) {
      f.close();
      throw e;
    }
    return f;
  }

  /** The records of one file, up to the first one that does not check. */
  static List<Entry> read(long segment, Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<Entry> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(all);
    while (b.remaining() >= RECORD_BYTES) {
      int start = b.position();
      CRC32C crc = new CRC32C();
      crc.update(all, start, RECORD_BYTES - 4);
      byte version = b.get();
      byte flags = b.get();
      long keyId = b.getLong();
      long rollupId = b.getLong();
      long slot = b.getLong();
      byte[] tx = new byte[32];
      b.get(tx);
      byte[] digest = new byte[32];
      b.get(digest);
      int check = b.getInt();
      if (version != VERSION || check != (int) crc.getValue() || rollupId < 0 || slot < 0) {
        b.position(start);
        break;
      }
      out.add(new Entry(segment, keyId, rollupId, slot, tx, (flags & 1) != 0 ? digest : null));
    }
    if (b.hasRemaining()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}: the last {1} byte(s) are not a whole record (a write cut off when the process"
              + " stopped; its signature was never made): ignored",
          file,
          b.remaining());
    }
    return out;
  }

  static byte[] encode(long keyId, long rollupId, long slot, byte[] txHash, byte[] digest) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_BYTES);
    b.put(VERSION);
    b.put((byte) (digest != null ? 1 : 0));
    b.putLong(keyId).putLong(rollupId).putLong(slot);
    b.put(txHash);
    b.put(digest != null ? digest : new byte[32]);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, RECORD_BYTES - 4);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Adds an entry to the lookup; false when that preconfirmation is there already. */
  private boolean index(Entry e) {
    boolean[] added = new boolean[1];
    // compute, here and in moved: adding to a slot's map and dropping the map once empty are
    // atomic per slot, so an entry is never added to a map that was just dropped
    pending.compute(
        new SlotKey(e.keyId, e.rollupId, e.slot),
        (k, m) -> {
          Map<ByteBuffer, Entry> txs = m != null ? m : new ConcurrentHashMap<>();
          added[0] = txs.putIfAbsent(ByteBuffer.wrap(e.txHash), e) == null;
          return txs;
        });
    return added[0];
  }

  /**
   * Records a preconfirmation: written to the file (in the operating system) before this returns.
   *
   * @throws SlashingProtectionException when it cannot be written; nothing is then recorded, and a
   *     write that could not be undone makes every later append fail until the node restarts
   */
  void append(long keyId, HistoryEntry e) {
    byte[] rec = encode(keyId, e.rollupId(), e.height().longValueExact(), e.subject(), e.digest());
    synchronized (lock) {
      if (broken) {
        throw new SlashingProtectionException(
            "the preconfirmation journal in "
                + directory
                + " failed a write earlier; restart the node to read it back");
      }
      long pos = -1;
      try {
        pos = out.getFilePointer();
        out.write(rec);
      } catch (IOException ex) {
        try {
          if (pos >= 0) {
            out.setLength(pos);
            out.seek(pos);
          } else {
            broken = true;
          }
        } catch (IOException undo) {
          broken = true;
        }
        throw new SlashingProtectionException(
            "cannot write the preconfirmation journal in " + directory + ": " + ex.getMessage(),
            ex);
      }
      Entry entry =
          new Entry(
              segment, keyId, e.rollupId(), e.height().longValueExact(), e.subject(), e.digest());
      if (index(entry)) {
        current.add(entry);
      }
    }
  }

  /** The recorded preconfirmation of {@code txHash} for the slot, if it is still here. */
  Entry find(long keyId, long rollupId, long slot, byte[] txHash) {
    Map<ByteBuffer, Entry> m = pending.get(new SlotKey(keyId, rollupId, slot));
    return m == null ? null : m.get(ByteBuffer.wrap(txHash));
  }

  /** The transactions preconfirmed for the slot whose records are still here. */
  List<byte[]> txs(long keyId, long rollupId, long slot) {
    Map<ByteBuffer, Entry> m = pending.get(new SlotKey(keyId, rollupId, slot));
    if (m == null) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>();
    for (Entry e : m.values()) {
      out.add(e.txHash.clone());
    }
    return out;
  }

  /** Every record of a key still here. */
  List<Entry> entries(long keyId) {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<SlotKey, Map<ByteBuffer, Entry>> en : pending.entrySet()) {
      if (en.getKey().keyId == keyId) {
        out.addAll(en.getValue().values());
      }
    }
    return out;
  }

  /** How many records are still here. */
  int size() {
    int n = 0;
    for (Map<ByteBuffer, Entry> m : pending.values()) {
      n += m.size();
    }
    return n;
  }

  /**
   * Closes the current file (a new one takes later records) and returns every record of the closed
   * files, for the database. Empty when there is nothing to move.
   */
  Batch seal() throws IOException {
    synchronized (lock) {
      if (!current.isEmpty()) {
        RandomAccessFile next = openSegment(directory, segment + 1);
        out.close();
        out = next;
        segment++;
        closed.addAll(current);
        current.clear();
      }
      return new Batch(segment - 1, List.copyOf(closed));
    }
  }

  /**
   * The database holds every record of {@code batch} (committed): they leave the lookup and the
   * closed files are deleted.
   */
  void moved(Batch batch) throws IOException {
    synchronized (lock) {
      closed.subList(0, batch.entries().size()).clear();
    }
    for (Entry e : batch.entries()) {
      SlotKey k = new SlotKey(e.keyId, e.rollupId, e.slot);
      pending.computeIfPresent(
          k, // see index
          (key, m) -> {
            m.remove(ByteBuffer.wrap(e.txHash), e);
            return m.isEmpty() ? null : m;
          });
    }
    for (Map.Entry<Long, Path> f : segments(directory).entrySet()) {
      if (f.getKey() <= batch.lastSegment()) {
        Files.deleteIfExists(f.getValue());
      }
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      out.close();
    }
  }
}
