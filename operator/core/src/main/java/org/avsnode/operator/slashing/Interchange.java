package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A slashing-protection history in transport form (see {@link InterchangeJson} for the JSON).
 *
 * @param domain the signing domain; import refuses a history of another domain
 * @param keys per key, its watermarks and signed records
 */
public record Interchange(SlashingDomain domain, List<KeyHistory> keys) {
  /** The only interchange format version this code reads and writes. */
  public static final int FORMAT_VERSION = 1;

  public Interchange {
    if (domain == null) {
      throw new InterchangeFormatException("interchange has no domain");
    }
    keys = Collections.unmodifiableList(new ArrayList<>(keys));
  }

  /** A low watermark: every height at or below {@code height} is closed for signing. */
  public record Watermark(MessageKind kind, long rollupId, BigInteger height) {
    public Watermark {
      if (kind == null || rollupId < 0 || height == null || height.signum() < 0) {
        throw new InterchangeFormatException("malformed watermark");
      }
    }
  }

  /** History of one BLS public key (48 bytes, compressed G1). */
  public record KeyHistory(byte[] pubkey, List<Watermark> watermarks, List<HistoryEntry> entries) {
    public KeyHistory {
      if (pubkey == null || pubkey.length != 48) {
        throw new InterchangeFormatException("pubkey must be 48 bytes");
      }
      pubkey = pubkey.clone();
      watermarks = Collections.unmodifiableList(new ArrayList<>(watermarks));
      entries = Collections.unmodifiableList(new ArrayList<>(entries));
    }

    @Override
    public byte[] pubkey() {
      return pubkey.clone();
    }
  }
}
