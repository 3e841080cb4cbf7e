package org.avsnode.operator.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Files that hold secrets (keystores, passwords): read with one-line errors, checked for who else
 * may read them, and written owner-only (0600) in owner-only directories (0700), atomically (a
 * temporary file, fsync, then a hard link that fails if the target exists, so an existing key is
 * never overwritten and a crash never leaves a half-written key behind).
 */
public final class SecretFiles {
  static final Set<PosixFilePermission> OWNER_RW =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  static final Set<PosixFilePermission> OWNER_RWX =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private SecretFiles() {}

  private static boolean posix(Path p) {
    Path probe = p.toAbsolutePath();
    return probe.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Creates the directory (and parents) if missing; a directory this call creates gets mode 0700.
   * An existing directory keeps its mode.
   */
  public static Path ensurePrivateDirectory(Path dir) {
    try {
      if (Files.isDirectory(dir)) {
        return dir;
      }
      if (Files.exists(dir)) {
        throw new KeyFileException(dir + " exists and is not a directory");
      }
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (posix(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
        // the umask may have removed bits we asked for; set exactly 0700
        Files.setPosixFilePermissions(dir, OWNER_RWX);
      } else {
        Files.createDirectory(dir);
      }
      return dir;
    } catch (FileAlreadyExistsException e) {
      return dir; // created concurrently
    } catch (IOException e) {
      throw new KeyFileException("cannot create directory " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Writes a new owner-only (0600) file; refuses to overwrite an existing one.
   *
   * @throws KeyFileException if {@code target} exists or cannot be written
   */
  public static void writeNewSecretFile(Path target, byte[] content) {
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new KeyFileException(target + " already exists; refusing to overwrite it");
    }
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new KeyFileException("directory " + dir + " does not exist");
    }
    Path tmp = null;
    try {
      FileAttribute<?>[] attrs =
          posix(dir)
              ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_RW)}
              : new FileAttribute<?>[0];
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(content);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (UnsupportedOperationException | FileSystemException e) {
        Files.move(tmp, target); // no hard links on this file system: move without replacing
        tmp = null;
      }
      syncDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException(target + " already exists; refusing to overwrite it");
    } catch (IOException e) {
      throw new KeyFileException("cannot write " + target + ": " + e.getMessage());
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // best effort: a leftover temporary file holds the same content, mode 0600
        }
      }
    }
  }

  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // not every platform can open a directory for fsync; the file itself is synced
    }
  }

  /** Prints a warning on {@code err} when group or others may access {@code file}. */
  public static void warnIfLoose(Path file, String what, java.io.PrintWriter err) {
    looseMode(file)
        .ifPresent(
            mode -> {
              err.println(
                  "warning: "
                      + what
                      + " "
                      + file
                      + " is accessible by group/others (mode "
                      + mode
                      + "); run: chmod "
                      + (Files.isDirectory(file) ? "700 " : "600 ")
                      + file);
              err.flush();
            });
  }

  /**
   * The file's bytes.
   *
   * @throws KeyFileException if it is missing or unreadable
   */
  public static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new KeyFileException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new KeyFileException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  /**
   * The password in a password file: UTF-8; trailing line endings are not part of it.
   *
   * @throws KeyFileException for a missing or unreadable file, bad UTF-8 or an empty password
   */
  public static String readPassword(Path file) {
    byte[] bytes = read(file, "password file");
    String password;
    try {
      password =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new KeyFileException("password file " + file + " is not UTF-8 text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int end = password.length();
    while (end > 0 && (password.charAt(end - 1) == '\n' || password.charAt(end - 1) == '\r')) {
      end--;
    }
    password = password.substring(0, end);
    if (password.isEmpty()) {
      throw new KeyFileException("password file " + file + " is empty");
    }
    return password;
  }

  /**
   * The permissions of a file in {@code ls} style (e.g. {@code rw-r--r--}) when group or others can
   * access it; empty when only the owner can, or the file system has no POSIX modes.
   */
  public static Optional<String> looseMode(Path file) {
    try {
      PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
      if (view == null) {
        return Optional.empty();
      }
      Set<PosixFilePermission> perms = view.readAttributes().permissions();
      boolean loose = perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"));
      return loose ? Optional.of(PosixFilePermissions.toString(perms)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Refuses a secret file that group or others may access.
   *
   * @throws KeyFileException naming the file, its mode and the fix
   */
  public static void requireOwnerOnly(Path file, String what) {
    looseMode(file)
        .ifPresent(
            mode -> {
              throw new KeyFileException(
                  what
                      + " "
                      + file
                      + " is accessible by group/others (mode "
                      + mode
                      + "); run: chmod 600 "
                      + file);
            });
  }
}
