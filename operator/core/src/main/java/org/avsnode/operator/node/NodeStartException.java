package org.avsnode.operator.node;

/** The node cannot start for a reason the operator can fix; the message is one clear line. */
public final class NodeStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NodeStartException(String message) {
    super(message);
  }

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
