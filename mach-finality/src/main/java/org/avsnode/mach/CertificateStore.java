package org.avsnode.mach;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorSetSnapshot;

/**
 * The certificates an aggregator made, per rollup and height, the best (latest published) one per
 * height; bounded to {@code capacity} heights per rollup (the lowest are dropped). Thread-safe.
 */
public final class CertificateStore {
  /** A certificate with the operator set it was made under. */
  public record Entry(Certificate certificate, OperatorSetSnapshot snapshot) {}

  private final int capacity;
  private final Map<Long, ConcurrentSkipListMap<Long, Entry>> byRollup = new ConcurrentHashMap<>();
  private final List<Consumer<Entry>> subscribers = new CopyOnWriteArrayList<>();

  public CertificateStore(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  public void put(Certificate c, OperatorSetSnapshot snapshot) {
    Entry e = new Entry(c, snapshot);
    ConcurrentSkipListMap<Long, Entry> m =
        byRollup.computeIfAbsent(
            c.finalityAttestation().rollupId(), k -> new ConcurrentSkipListMap<>());
    m.put(c.finalityAttestation().l2BlockNumber(), e);
    while (m.size() > capacity) {
      m.pollFirstEntry();
    }
    for (Consumer<Entry> s : subscribers) {
      try {
        s.accept(e);
      } catch (RuntimeException ignored) {
        // a broken subscriber does not stop the others
      }
    }
  }

  public Optional<Entry> get(long rollupId, long l2BlockNumber) {
    var m = byRollup.get(rollupId);
    return m == null ? Optional.empty() : Optional.ofNullable(m.get(l2BlockNumber));
  }

  public Optional<Entry> latest(long rollupId) {
    var m = byRollup.get(rollupId);
    if (m == null) {
      return Optional.empty();
    }
    var last = m.lastEntry();
    return last == null ? Optional.empty() : Optional.of(last.getValue());
  }

  /** Told about every certificate put from now on (for streams). */
  public Runnable subscribe(Consumer<Entry> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }
}
