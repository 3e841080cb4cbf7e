package org.avsnode.squad.l2;

/**
 * The L2 node could not be reached, answered malformed data, or answered with a JSON-RPC error
 * ({@link #rpcError()}: the node understood the request and refused it).
 */
public final class L2RpcException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean rpcError;

  public L2RpcException(String message) {
    this(message, false);
  }

  public L2RpcException(String message, boolean rpcError) {
    super(message, null, false, false);
    this.rpcError = rpcError;
  }

  public boolean rpcError() {
    return rpcError;
  }
}
