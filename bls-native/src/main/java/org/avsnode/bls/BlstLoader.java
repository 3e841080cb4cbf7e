package org.avsnode.bls;

import supranational.blst.P1;

/**
 * Loads the blst native library exactly once. Every entry point of this module calls {@link
 * #ensureLoaded()} first, so a platform without a bundled library fails at the first use with one
 * clear message instead of an {@link UnsatisfiedLinkError} deep inside a call.
 */
final class BlstLoader {
  private static final Throwable FAILURE = load();

  private BlstLoader() {}

  private static Throwable load() {
    try {
      // Touching any blst class runs blstJNI's static initialiser, which extracts and loads the
      // library bundled in the jar for this os.name/os.arch.
      new P1().is_inf();
      return null;
    } catch (LinkageError | RuntimeException e) {
      return e;
    }
  }

  /**
   * @throws BlsException if the native library could not be loaded on this platform
   */
  static void ensureLoaded() {
    if (FAILURE != null) {
      throw new BlsException(failureMessage(), FAILURE);
    }
  }

  /** True when the native library is usable on this machine. */
  static boolean isAvailable() {
    return FAILURE == null;
  }

  static String failureMessage() {
    return "blst native library (tech.pegasys:jblst) could not be loaded for os.name="
        + System.getProperty("os.name")
        + ", os.arch="
        + System.getProperty("os.arch")
        + " (bundled platforms: Linux amd64/aarch64, Mac x86_64/aarch64, Windows amd64): "
        + (FAILURE == null ? "no error" : FAILURE);
  }
}
