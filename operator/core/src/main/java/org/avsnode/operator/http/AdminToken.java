package org.avsnode.operator.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token of the {@code /admin} endpoints. Read from a file; when the operator configures
 * none, {@code <data-path>/admin-token} is created at first start with mode 0600 and 32 random
 * bytes. Comparison is constant-time (over SHA-256 digests, so the length leaks nothing either).
 * The token itself is never logged.
 */
public final class AdminToken {
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
  public static final String DEFAULT_FILE_NAME = "admin-token";
  static final int MIN_LENGTH = 16;

  private final byte[] digest;
  private final Path file;

  private AdminToken(String token, Path file) {
    this.digest = sha256(token.getBytes(StandardCharsets.UTF_8));
    this.file = file;
  }

  /** The file the token was read from (for the log line telling operators where it is). */
  public Path file() {
    return file;
  }

  /**
   * Loads the token from {@code configured} (which must exist), or from {@code
   * <dataPath>/admin-token}, creating it when missing.
   *
   * @throws IllegalArgumentException (one clear line) when the file is missing, unreadable or the
   *     token too short
   */
  public static AdminToken load(Path configured, Path dataPath) {
    Path file = configured != null ? configured : dataPath.resolve(DEFAULT_FILE_NAME);
    try {
      if (configured == null && !Files.exists(file)) {
        create(file);
      }
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("admin token file " + file + " does not exist");
      }
      warnIfReadableByOthers(file);
      String token = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (token.length() < MIN_LENGTH) {
        throw new IllegalArgumentException(
            "admin token in " + file + " is shorter than " + MIN_LENGTH + " characters");
      }
      return new AdminToken(token, file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read or create admin token file " + file + ": " + e.getMessage(), e);
    }
  }

  /** A token from memory (tests, embedding). */
  public static AdminToken of(String token) {
    if (token == null || token.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("admin token shorter than " + MIN_LENGTH + " characters");
    }
    return new AdminToken(token, null);
  }

  /** Whether an {@code Authorization} header value carries this token. */
  public boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null) {
      return false;
    }
    String h = authorizationHeader.trim();
    if (h.length() < 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return false;
    }
    byte[] given = sha256(h.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(given, digest);
  }

  private static void create(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = HexFormat.of().formatHex(random);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(
          tmp,
          PosixFilePermissions.asFileAttribute(
              Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    try {
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      Files.deleteIfExists(tmp);
    }
    LOG.info("created admin token file {} (mode 0600)", file);
  }

  private static void warnIfReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ)) {
        LOG.warn(
            "admin token file {} is readable by group or others ({}); chmod 600 it",
            file,
            PosixFilePermissions.toString(p));
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to check
    }
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
