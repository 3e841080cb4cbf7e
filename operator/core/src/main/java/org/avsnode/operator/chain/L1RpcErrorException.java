package org.avsnode.operator.chain;

import java.util.Locale;

/** A JSON-RPC error response: deterministic, never retried. */
public final class L1RpcErrorException extends L1Exception {
  private static final long serialVersionUID = 1L;
  private final int code;
  private final String rpcMessage;
  private final String data;

  public L1RpcErrorException(String method, int code, String rpcMessage, String data) {
    super(
        Kind.RPC_ERROR,
        method,
        method + " failed with JSON-RPC error " + code + ": " + rpcMessage,
        null);
    this.code = code;
    this.rpcMessage = rpcMessage == null ? "" : rpcMessage;
    this.data = unquote(data);
  }

  /** web3j hands the error's data over as raw JSON; a JSON string loses its quotes here. */
  private static String unquote(String raw) {
    if (raw != null && raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
      return raw.substring(1, raw.length() - 1);
    }
    return raw;
  }

  public int code() {
    return code;
  }

  public String rpcMessage() {
    return rpcMessage;
  }

  /** The error's {@code data} (e.g. revert data), or null. */
  public String data() {
    return data;
  }

  private boolean says(String s) {
    return rpcMessage.toLowerCase(Locale.ROOT).contains(s);
  }

  /** The node already has a transaction with this nonce mined. */
  public boolean isNonceTooLow() {
    return says("nonce too low") || says("nonce is too low") || says("already been used");
  }

  /** The node already holds this exact transaction. */
  public boolean isAlreadyKnown() {
    return says("already known") || says("already imported") || says("known transaction");
  }

  /** A replacement did not raise the fees enough. */
  public boolean isUnderpriced() {
    return says("underpriced") || says("fee too low") || says("replacement");
  }

  public boolean isReverted() {
    return code == 3 || says("revert");
  }
}
