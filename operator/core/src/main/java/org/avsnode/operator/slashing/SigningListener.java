package org.avsnode.operator.slashing;

/**
 * Told about every outcome of {@link ProtectedSigner}, for metrics (signatures made / refused per
 * type and reason). Implementations must be fast, thread-safe and must not throw.
 */
public interface SigningListener {

  /** A listener that ignores everything. */
  SigningListener NONE =
      new SigningListener() {
        @Override
        public void onSigned(MessageKind kind, boolean repeat) {}

        @Override
        public void onRefused(MessageKind kind, RefusalReason reason) {}
      };

  /**
   * A signature was produced.
   *
   * @param repeat true if the identical content had been signed before
   */
  void onSigned(MessageKind kind, boolean repeat);

  /** Signing was refused. */
  void onRefused(MessageKind kind, RefusalReason reason);
}
