package org.avsnode.operator.slashing;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens the configured slashing-protection backend: PostgreSQL for a {@code jdbc:postgresql:} URL,
 * otherwise the embedded H2 database in {@code <dataPath>/slashing-protection} (the default). One
 * place, so the node, the devnet and the {@code slashing-protection} commands open the same
 * database for the same configuration.
 */
public final class SlashingProtections {
  /** The embedded database's directory under the node's data path. */
  public static final String EMBEDDED_DIR = "slashing-protection";

  private static final int POSTGRES_POOL = 4;

  private SlashingProtections() {}

  /**
   * @param dbUrl null or blank for the embedded default; {@code jdbc:postgresql://...} for a shared
   *     database; {@code jdbc:h2:file:...} is not accepted (the embedded database's file lock lives
   *     beside it, so it is always opened through its directory)
   * @param dataPath the node's data path (used by the embedded backend)
   * @param connection user/password/ssl properties for PostgreSQL (never from the command line)
   */
  public static SlashingProtection open(
      String dbUrl, Path dataPath, SlashingDomain domain, Properties connection) {
    Objects.requireNonNull(domain, "domain");
    if (dbUrl == null || dbUrl.isBlank()) {
      return EmbeddedSlashingProtection.open(embeddedDirectory(dataPath), domain);
    }
    return openPostgres(dbUrl, connection, domain);
  }

  /**
   * Opens a shared PostgreSQL database. Credentials come from {@code connection} or from the URL's
   * {@code user} plus PostgreSQL's password file ({@code ~/.pgpass} or {@code PGPASSFILE}), never
   * from a command line.
   */
  public static SlashingProtection openPostgres(
      String dbUrl, Properties connection, SlashingDomain domain) {
    String url = Objects.requireNonNull(dbUrl, "dbUrl").trim();
    if (!url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      throw new SlashingProtectionException(
          "unsupported slashing-protection database URL (use jdbc:postgresql://host:port/db, or"
              + " leave it unset for the embedded database under the data path)");
    }
    return PostgresSlashingProtection.open(
        url, connection == null ? new Properties() : connection, domain, POSTGRES_POOL);
  }

  /** Where the embedded database of a node with this data path lives. */
  public static Path embeddedDirectory(Path dataPath) {
    return Objects.requireNonNull(dataPath, "dataPath").resolve(EMBEDDED_DIR);
  }
}
