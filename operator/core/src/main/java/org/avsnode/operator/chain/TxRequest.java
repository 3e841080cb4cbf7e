package org.avsnode.operator.chain;

import java.math.BigInteger;
import java.util.Objects;

/**
 * A transaction to send.
 *
 * @param to recipient contract or account
 * @param value wei sent along
 * @param data call data, {@code 0x}-prefixed hex
 * @param gasLimit gas limit, or null to estimate (plus 20%)
 */
public record TxRequest(String to, BigInteger value, String data, BigInteger gasLimit) {
  public TxRequest {
    Objects.requireNonNull(to, "to");
    value = value == null ? BigInteger.ZERO : value;
    data = data == null || data.isEmpty() ? "0x" : data;
    if (value.signum() < 0) {
      throw new IllegalArgumentException("negative value");
    }
  }

  public static TxRequest call(String to, String data) {
    return new TxRequest(to, BigInteger.ZERO, data, null);
  }
}
