package org.avsnode.operator.slashing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The PostgreSQL backend, shared by redundant node instances that hold the same keys. Each
 * check-and-record transaction (READ COMMITTED) first takes {@code pg_advisory_xact_lock} on the
 * key's 64-bit lock id, so instances serialize per key; primary keys on every (key, rollup, height)
 * are the backstop. Schema migration runs under a global advisory lock and refuses a schema newer
 * than this code knows.
 */
public final class PostgresSlashingProtection extends JdbcSlashingProtection {

  /** Advisory lock id serializing schema migration ("AVSSPMIG"). */
  static final long MIGRATION_LOCK = 0x4156535350_4d4947L;

  private PostgresSlashingProtection(ConnectionFactory f, int poolSize, SlashingDomain domain) {
    super(Dialect.POSTGRES, f, poolSize, domain);
  }

  /**
   * Connects to {@code jdbcUrl} ({@code jdbc:postgresql://host:port/db}), migrating an empty
   * database.
   *
   * @param connectionProperties user, password (read from a file or the environment by the caller,
   *     never from the command line), ssl settings
   * @param poolSize connections kept open
   */
  public static PostgresSlashingProtection open(
      String jdbcUrl, Properties connectionProperties, SlashingDomain domain, int poolSize) {
    org.postgresql.Driver driver = new org.postgresql.Driver();
    Properties props = new Properties();
    props.putAll(connectionProperties);
    props.putIfAbsent("ApplicationName", "avs-node slashing protection");
    ConnectionFactory f =
        () -> {
          Connection c = driver.connect(jdbcUrl, props);
          if (c == null) {
            throw new SQLException("not a PostgreSQL JDBC URL");
          }
          return c;
        };
    PostgresSlashingProtection db = new PostgresSlashingProtection(f, poolSize, domain);
    try {
      db.initialize();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  @Override
  void lockKeys(Connection c, long[] sortedLockIds) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      for (long id : sortedLockIds) {
        ps.setLong(1, id);
        ps.execute();
      }
    }
  }

  @Override
  void lockMigration(Connection c) throws SQLException {
    lockKeys(c, new long[] {MIGRATION_LOCK});
  }
}
