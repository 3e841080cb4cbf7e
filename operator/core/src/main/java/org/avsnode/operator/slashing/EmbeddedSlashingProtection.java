package org.avsnode.operator.slashing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The default backend: an H2 database file in a directory, usable by one process at a time. Two
 * locks guard it: an exclusive {@link FileLock} on {@code slashing-protection.lock} beside the
 * database (taken first; a second process gets a clear {@link DatabaseInUseException}), and H2's
 * own file lock on the database file. Both are OS locks, released if the process dies, so a node
 * killed with SIGKILL can be restarted at once.
 *
 * <p>Every commit is written to the database file before {@link #checkAndRecord} returns ({@code
 * WRITE_DELAY=0}), so a killed process never loses a recorded intent. Preconfirmations, which a
 * SQUAD leader records one per accepted transaction, are appended to a {@link
 * PreconfirmationJournal} beside the database instead (about 94 bytes each, against an H2 chunk of
 * about 23 KB per commit) and moved into the database in batches every 250 ms. Note: neither
 * fsyncs, so an operating-system crash or power loss can lose the last records; see
 * docs/slashing-protection.md.
 */
public final class EmbeddedSlashingProtection extends JdbcSlashingProtection {

  /** File name of the H2 database inside the directory (H2 appends {@code .mv.db}). */
  public static final String DB_NAME = "slashing-protection";

  /** File name of the process lock inside the directory. */
  public static final String LOCK_FILE = "slashing-protection.lock";

  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Path directory;

  private EmbeddedSlashingProtection(
      ConnectionFactory factory,
      int poolSize,
      SlashingDomain domain,
      Path directory,
      FileChannel lockChannel,
      FileLock lock,
      PreconfirmationJournal journal) {
    super(Dialect.H2, factory, poolSize, domain, journal);
    this.directory = directory;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the database in {@code directory}.
   *
   * @throws DatabaseInUseException if another process (or another open instance) holds it
   * @throws SlashingProtectionException if it cannot be opened, has a newer schema, or belongs to
   *     another domain
   */
  public static EmbeddedSlashingProtection open(Path directory, SlashingDomain domain) {
    Path dir = directory.toAbsolutePath().normalize();
    FileChannel ch = null;
    FileLock lock = null;
    try {
      Files.createDirectories(dir);
      ch =
          FileChannel.open(
              dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new DatabaseInUseException(
            "slashing-protection database "
                + dir
                + " is in use by another process (lock "
                + dir.resolve(LOCK_FILE)
                + " is held); only one node process may use an embedded database");
      }
      String url =
          "jdbc:h2:file:"
              + dir.resolve(DB_NAME)
              + ";FILE_LOCK=FS;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE";
      org.h2.Driver driver = new org.h2.Driver();
      ConnectionFactory factory =
          () -> {
            Connection c = driver.connect(url, new Properties());
            if (c == null) {
              throw new SQLException("H2 driver did not accept " + url);
            }
            return c;
          };
      // -Davs.slashing.preconf-journal=false records preconfirmations in the database directly
      // (one commit each): for comparisons in the benchmarks
      PreconfirmationJournal journal =
          "false".equals(System.getProperty("avs.slashing.preconf-journal"))
              ? null
              : PreconfirmationJournal.open(dir);
      EmbeddedSlashingProtection db =
          new EmbeddedSlashingProtection(factory, 4, domain, dir, ch, lock, journal);
      try {
        db.initialize();
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      return db;
    } catch (IOException e) {
      releaseQuietly(lock, ch);
      throw new SlashingProtectionException(
          "cannot open slashing-protection database in " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      releaseQuietly(lock, ch);
      if (e instanceof SlashingProtectionException) {
        throw e;
      }
      throw new SlashingProtectionException(
          "cannot open slashing-protection database in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** An in-memory database for tests; {@code name} identifies it while any instance is open. */
  static EmbeddedSlashingProtection inMemory(String name, SlashingDomain domain) {
    return inMemory(name, domain, (PreconfirmationJournal) null);
  }

  /**
   * An in-memory database for tests whose preconfirmations go through a {@link
   * PreconfirmationJournal} in {@code journalDirectory}, as on disk.
   */
  static EmbeddedSlashingProtection inMemory(
      String name, SlashingDomain domain, Path journalDirectory) {
    try {
      return inMemory(name, domain, PreconfirmationJournal.open(journalDirectory));
    } catch (IOException e) {
      throw new SlashingProtectionException("cannot open the journal: " + e.getMessage(), e);
    }
  }

  private static EmbeddedSlashingProtection inMemory(
      String name, SlashingDomain domain, PreconfirmationJournal journal) {
    String url = "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    org.h2.Driver driver = new org.h2.Driver();
    EmbeddedSlashingProtection db =
        new EmbeddedSlashingProtection(
            () -> driver.connect(url, new Properties()), 2, domain, null, null, null, journal);
    db.initialize();
    return db;
  }

  /** Drops an in-memory database created by {@link #inMemory}. */
  static void dropInMemory(String name) {
    try (Connection c =
            new org.h2.Driver().connect("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", null);
        java.sql.Statement st = c.createStatement()) {
      st.execute("SHUTDOWN");
    } catch (SQLException e) {
      throw new SlashingProtectionException("cannot drop in-memory database " + name, e);
    }
  }

  /** The directory holding the database, or null for an in-memory one. */
  public Path directory() {
    return directory;
  }

  @Override
  void lockKeys(Connection c, long[] sortedLockIds) {
    // One process holds the file lock; the JVM lock stripes serialize keys inside it.
  }

  @Override
  void lockMigration(Connection c) {
    // Same: the process lock is exclusive.
  }

  @Override
  void closeResources() {
    releaseQuietly(lock, lockChannel);
  }

  private static void releaseQuietly(FileLock lock, FileChannel ch) {
    try {
      if (lock != null && lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // closing the channel below releases it as well
    }
    try {
      if (ch != null) {
        ch.close();
      }
    } catch (IOException ignored) {
      // nothing more to do
    }
  }
}
