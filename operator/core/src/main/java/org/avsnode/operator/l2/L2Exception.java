package org.avsnode.operator.l2;

/** The L2 node could not be reached or answered something unusable. */
public class L2Exception extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public L2Exception(String message) {
    super(message);
  }

  public L2Exception(String message, Throwable cause) {
    super(message, cause);
  }
}
