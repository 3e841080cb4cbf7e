package org.avsnode.operator.slashing;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One signed record as held in the history and in the interchange file. {@code subject} is the
 * outputRoot (verdicts), blockHash (slot attestations) or txHash (preconfirmations) and null for
 * the other kinds; {@code valid} is set only for verdicts; {@code txHashes} only for proposals
 * (empty otherwise). {@code digest} may be null for imported records whose signed digest is not
 * known: such a record still blocks its height, and nothing at that height can be re-signed.
 */
public record HistoryEntry(
    MessageKind kind,
    long rollupId,
    BigInteger height,
    byte[] subject,
    Boolean valid,
    byte[] digest,
    List<byte[]> txHashes) {

  public HistoryEntry {
    if (kind == null) {
      throw new InvalidSigningRequestException("kind must not be null");
    }
    if (rollupId < 0) {
      throw new InvalidSigningRequestException("rollupId must not be negative");
    }
    KindSpec spec = KindSpec.of(kind);
    BigInteger max = spec.maxHeight();
    if (height == null || height.signum() < 0 || height.compareTo(max) > 0) {
      throw new InvalidSigningRequestException("height out of range for " + kind.typeName());
    }
    if (spec.hasSubject()) {
      subject = copy32("subject of " + kind.typeName(), subject);
    } else if (subject != null) {
      throw new InvalidSigningRequestException(kind.typeName() + " has no subject hash");
    }
    if (spec.hasValid() != (valid != null)) {
      throw new InvalidSigningRequestException("'valid' is required for verdicts and only there");
    }
    if (digest != null) {
      digest = copy32("digest", digest);
    }
    List<byte[]> txs = new ArrayList<>();
    if (txHashes != null) {
      if (spec.coverage() != KindSpec.Coverage.PROPOSAL && !txHashes.isEmpty()) {
        throw new InvalidSigningRequestException("only proposals carry tx hashes");
      }
      for (byte[] h : txHashes) {
        txs.add(copy32("txHash", h));
      }
    }
    txHashes = Collections.unmodifiableList(txs);
  }

  /** The record that signing {@code intent} leaves in the history. */
  public static HistoryEntry of(SigningIntent intent) {
    if (intent instanceof SigningIntent.Finality f) {
      return new HistoryEntry(
          f.kind(), f.rollupId(), f.height(), null, null, f.digest(), List.of());
    } else if (intent instanceof SigningIntent.Verdict v) {
      return new HistoryEntry(
          v.kind(), v.rollupId(), v.height(), v.outputRoot(), v.valid(), v.digest(), List.of());
    } else if (intent instanceof SigningIntent.Proposal p) {
      return new HistoryEntry(
          p.kind(), p.rollupId(), p.height(), null, null, p.digest(), p.txHashes());
    } else if (intent instanceof SigningIntent.SlotAttestation a) {
      return new HistoryEntry(
          a.kind(), a.rollupId(), a.height(), a.blockHash(), null, a.digest(), List.of());
    } else {
      SigningIntent.Preconf c = (SigningIntent.Preconf) intent;
      return new HistoryEntry(
          c.kind(), c.rollupId(), c.height(), c.txHash(), null, c.digest(), List.of());
    }
  }

  @Override
  public byte[] subject() {
    return subject == null ? null : subject.clone();
  }

  @Override
  public byte[] digest() {
    return digest == null ? null : digest.clone();
  }

  @Override
  public List<byte[]> txHashes() {
    List<byte[]> out = new ArrayList<>();
    for (byte[] h : txHashes) {
      out.add(h.clone());
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HistoryEntry e)) {
      return false;
    }
    if (txHashes.size() != e.txHashes.size()) {
      return false;
    }
    for (int i = 0; i < txHashes.size(); i++) {
      if (!Arrays.equals(txHashes.get(i), e.txHashes.get(i))) {
        return false;
      }
    }
    return kind == e.kind
        && rollupId == e.rollupId
        && height.equals(e.height)
        && Arrays.equals(subject, e.subject)
        && java.util.Objects.equals(valid, e.valid)
        && Arrays.equals(digest, e.digest);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(kind, rollupId, height, Arrays.hashCode(subject), valid) * 31
        + Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return "HistoryEntry[" + kind.typeName() + " rollupId=" + rollupId + " height=" + height + "]";
  }

  private static byte[] copy32(String name, byte[] b) {
    if (b == null || b.length != 32) {
      throw new InvalidSigningRequestException(name + " must be 32 bytes");
    }
    return b.clone();
  }
}
