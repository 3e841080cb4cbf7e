package org.avsnode.operator.chain;

import java.math.BigInteger;

/**
 * A mined transaction.
 *
 * @param transactionHash the hash that was mined (one of the submitted versions)
 * @param blockNumber block that included it
 * @param blockHash that block's hash
 * @param success {@code status == 1}
 * @param gasUsed gas used
 * @param effectiveGasPrice price paid per gas
 */
public record TxReceipt(
    String transactionHash,
    long blockNumber,
    String blockHash,
    boolean success,
    BigInteger gasUsed,
    BigInteger effectiveGasPrice) {}
