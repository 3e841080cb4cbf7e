package org.avsnode.operator.app.bls;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.avsnode.bls.BlsEncodingException;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.keys.SecretFiles;

/**
 * A plain secret-key file (of {@code bls keygen}, or a secp256k1 key for {@code keys import}): one
 * line, the 32-byte key as 0x-hex, mode 0600. Errors never repeat the file's content; the bytes
 * read are wiped after use.
 */
public final class SecretKeyFile {
  /** Secret keys of both curves are 32 bytes. */
  public static final int SIZE = 32;

  private SecretKeyFile() {}

  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** The file's content for {@code key}: {@code 0x<64 hex digits>\n} (no String copies). */
  static byte[] encode(BlsSecretKey key) {
    byte[] raw = key.toBytes();
    try {
      byte[] out = new byte[2 + 2 * raw.length + 1];
      out[0] = '0';
      out[1] = 'x';
      for (int i = 0; i < raw.length; i++) {
        out[2 + 2 * i] = DIGITS[(raw[i] >> 4) & 0xf];
        out[3 + 2 * i] = DIGITS[raw[i] & 0xf];
      }
      out[out.length - 1] = '\n';
      return out;
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * Reads the key; warns on {@code err} when group or others may access the file.
   *
   * @throws UserException if the file is missing, unreadable or does not hold a valid key
   */
  public static BlsSecretKey read(Path file, PrintWriter err) {
    byte[] raw = readRaw(file, err);
    try {
      return BlsSecretKey.fromBytes(raw);
    } catch (BlsEncodingException e) {
      throw new UserException("secret key file " + file + ": " + e.getMessage());
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /**
   * The 32 bytes of a secret key file (BLS or secp256k1: the format is the same); warns on {@code
   * err} when group or others may access the file. The caller wipes the result.
   *
   * @throws UserException if the file is missing, unreadable or not one line of 64 hex digits
   */
  public static byte[] readRaw(Path file, PrintWriter err) {
    SecretFiles.warnIfLoose(file, "secret key file", err);
    byte[] content = SecretFiles.read(file, "secret key file");
    return parse(file, content);
  }

  /** Parses the content of a key file into 32 bytes, wiping {@code content}. */
  static byte[] parse(Path file, byte[] content) {
    try {
      int start = 0;
      int end = content.length;
      while (start < end && isSpace(content[start])) {
        start++;
      }
      while (end > start && isSpace(content[end - 1])) {
        end--;
      }
      if (end - start >= 2 && content[start] == '0' && (content[start + 1] | 0x20) == 'x') {
        start += 2;
      }
      if (end - start != 2 * SIZE) {
        throw new UserException(
            "secret key file "
                + file
                + ": expected one line with a 32-byte key as 0x-hex (64 hex digits)");
      }
      byte[] raw = new byte[SIZE];
      for (int i = 0; i < SIZE; i++) {
        int hi = Character.digit(content[start + 2 * i] & 0xff, 16);
        int lo = Character.digit(content[start + 2 * i + 1] & 0xff, 16);
        if (hi < 0 || lo < 0) {
          Arrays.fill(raw, (byte) 0);
          throw new UserException("secret key file " + file + ": not hex");
        }
        raw[i] = (byte) ((hi << 4) | lo);
      }
      return raw;
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
