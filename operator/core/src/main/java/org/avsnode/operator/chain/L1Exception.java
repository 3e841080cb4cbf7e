package org.avsnode.operator.chain;

/**
 * A failed L1 operation, with a kind the caller can act on. The message is one clear line for the
 * operator; it never contains key material.
 */
public class L1Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** Timeouts, refused connections or 5xx answers, still failing after the retries. */
    UNAVAILABLE,
    /** An HTTP error that retrying cannot fix (4xx other than 429). */
    HTTP_ERROR,
    /** The endpoint answered with something that is not the JSON-RPC response expected. */
    MALFORMED,
    /** A JSON-RPC error response (e.g. execution reverted, nonce too low). */
    RPC_ERROR,
    /** The endpoint serves another chain than the one configured. */
    WRONG_CHAIN,
    /** A transaction got no receipt in time. */
    TX_TIMEOUT
  }

  private final Kind kind;
  private final String method;

  public L1Exception(Kind kind, String method, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.method = method;
  }

  public L1Exception(Kind kind, String method, String message) {
    this(kind, method, message, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The JSON-RPC method, or empty when not tied to one. */
  public String method() {
    return method == null ? "" : method;
  }
}
