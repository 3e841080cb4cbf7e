package org.avsnode.operator.slashing;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** A {@link SigningListener} that counts outcomes per message type and refusal reason. */
public final class SigningCounters implements SigningListener {
  private final Map<MessageKind, LongAdder> signed = new EnumMap<>(MessageKind.class);
  private final Map<MessageKind, LongAdder> repeats = new EnumMap<>(MessageKind.class);
  private final Map<MessageKind, Map<RefusalReason, LongAdder>> refused =
      new EnumMap<>(MessageKind.class);

  public SigningCounters() {
    for (MessageKind k : MessageKind.values()) {
      signed.put(k, new LongAdder());
      repeats.put(k, new LongAdder());
      Map<RefusalReason, LongAdder> m = new EnumMap<>(RefusalReason.class);
      for (RefusalReason r : RefusalReason.values()) {
        m.put(r, new LongAdder());
      }
      refused.put(k, m);
    }
  }

  @Override
  public void onSigned(MessageKind kind, boolean repeat) {
    signed.get(kind).increment();
    if (repeat) {
      repeats.get(kind).increment();
    }
  }

  @Override
  public void onRefused(MessageKind kind, RefusalReason reason) {
    refused.get(kind).get(reason).increment();
  }

  /** Signatures made for {@code kind}, including repeats. */
  public long signed(MessageKind kind) {
    return signed.get(kind).sum();
  }

  /** Signatures of identical, already signed content. */
  public long repeats(MessageKind kind) {
    return repeats.get(kind).sum();
  }

  public long refused(MessageKind kind, RefusalReason reason) {
    return refused.get(kind).get(reason).sum();
  }

  /** All refusals of {@code kind}. */
  public long refused(MessageKind kind) {
    long n = 0;
    for (LongAdder a : refused.get(kind).values()) {
      n += a.sum();
    }
    return n;
  }
}
