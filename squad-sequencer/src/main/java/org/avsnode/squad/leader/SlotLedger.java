package org.avsnode.squad.leader;

import java.math.BigInteger;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.avsnode.squad.l2.AccountReads;
import org.avsnode.squad.l2.L2Rpc;
import org.avsnode.squad.l2.L2RpcException;
import org.avsnode.squad.preconf.Preconfirmer;

/**
 * The leader's admission check for one slot: a transaction is preconfirmed only when the block
 * built on {@code base} can hold it, so the promise can be kept. Per sender, nonces must follow
 * each other from the sender's nonce at {@code base}, and the balance at {@code base} must pay
 * every admitted transaction's gas limit at its fee cap plus its value; the block's gas limit
 * bounds the sum of gas limits; the fee cap must cover the next block's highest possible base fee
 * (one EIP-1559 step up, 1/8); the gas limit must cover the intrinsic gas and the calldata floor of
 * EIP-7623. Access lists are refused before this (by the preconfirmer), so their cost never has to
 * be guessed.
 *
 * <p>Every read is of the state after {@code base}, named by its hash. Until 2026-12-07 they were
 * of the L2 node's {@code latest} block, which is not the base while another node sharing the L2
 * node rolls a block back and mines its own (the devnet's L2 node is shared): a chaos soak (seed
 * 30121307) had a leader read a sender's nonce at the rolled-back parent and preconfirm a second
 * transaction for a nonce its base already used, which no block could then hold. When the node no
 * longer holds the base, the read fails and the transaction is refused.
 */
public final class SlotLedger implements Preconfirmer.Admission {
  private static final BigInteger TX_GAS = BigInteger.valueOf(21_000);
  private static final BigInteger CREATE_GAS = BigInteger.valueOf(32_000);

  private final long slot;
  private final AccountReads l2;
  private final byte[] baseHash;
  private final BigInteger blockGasLimit;
  private final BigInteger minFeeCap;
  private final Map<String, SenderState> senders = new ConcurrentHashMap<>();
  private BigInteger gasReserved = BigInteger.ZERO;

  private static final class SenderState {
    boolean loaded;
    BigInteger nextNonce;
    BigInteger balance;
  }

  public SlotLedger(long slot, AccountReads l2, L2Rpc.Head base) {
    this.slot = slot;
    this.l2 = Objects.requireNonNull(l2, "l2");
    this.baseHash = base.hash().clone();
    this.blockGasLimit = base.gasLimit();
    BigInteger fee = base.baseFeePerGas();
    // the next block's base fee rises by at most 1/8 (rounded up)
    this.minFeeCap = fee.add(fee.add(BigInteger.valueOf(7)).divide(BigInteger.valueOf(8)));
  }

  public long slot() {
    return slot;
  }

  @Override
  public String refuse(long slot, Preconfirmer.Tx tx) {
    if (slot != this.slot) {
      return "slot " + slot + " is not open (slot " + this.slot + " is)";
    }
    BigInteger intrinsic = intrinsicGas(tx);
    if (tx.gasLimit().compareTo(intrinsic) < 0) {
      return "gas limit " + tx.gasLimit() + " is below the intrinsic gas " + intrinsic;
    }
    if (tx.maxFeePerGas().compareTo(minFeeCap) < 0) {
      return "fee cap "
          + tx.maxFeePerGas()
          + " is below the next block's base fee bound "
          + minFeeCap;
    }
    BigInteger cost = tx.gasLimit().multiply(tx.maxFeePerGas()).add(tx.value());
    SenderState st = senders.computeIfAbsent(tx.sender(), s -> new SenderState());
    synchronized (st) {
      if (!st.loaded) {
        try {
          st.nextNonce = l2.nonceAfter(tx.sender(), baseHash);
          st.balance = l2.balanceAfter(tx.sender(), baseHash);
        } catch (L2RpcException e) {
          return "the L2 node cannot be read: " + e.getMessage();
        }
        st.loaded = true;
      }
      if (!tx.nonce().equals(st.nextNonce)) {
        return "nonce " + tx.nonce() + ", the sender's next is " + st.nextNonce;
      }
      if (cost.compareTo(st.balance) > 0) {
        return "the sender's balance cannot pay gas limit × fee cap + value";
      }
      synchronized (this) {
        if (gasReserved.add(tx.gasLimit()).compareTo(blockGasLimit) > 0) {
          return "the block's gas is taken";
        }
        gasReserved = gasReserved.add(tx.gasLimit());
      }
      st.nextNonce = st.nextNonce.add(BigInteger.ONE);
      st.balance = st.balance.subtract(cost);
      return null;
    }
  }

  /**
   * The nonce the sender's next transaction must carry in this slot (what a wallet's {@code
   * eth_getTransactionCount(address, "pending")} should answer).
   */
  public BigInteger nextNonce(String sender) throws L2RpcException {
    SenderState st = senders.computeIfAbsent(sender, s -> new SenderState());
    synchronized (st) {
      if (!st.loaded) {
        st.nextNonce = l2.nonceAfter(sender, baseHash);
        st.balance = l2.balanceAfter(sender, baseHash);
        st.loaded = true;
      }
      return st.nextNonce.signum() < 0 ? l2.nonceAfter(sender, baseHash) : st.nextNonce;
    }
  }

  @Override
  public void release(long slot, Preconfirmer.Tx tx) {
    SenderState st = senders.get(tx.sender());
    if (st == null) {
      return;
    }
    synchronized (st) {
      if (st.loaded && st.nextNonce.equals(tx.nonce().add(BigInteger.ONE))) {
        st.nextNonce = tx.nonce();
        st.balance = st.balance.add(tx.gasLimit().multiply(tx.maxFeePerGas()).add(tx.value()));
      } else if (st.loaded) {
        // a later nonce was admitted meanwhile: nothing more from this sender in this slot
        st.nextNonce = BigInteger.valueOf(-1);
      }
      synchronized (this) {
        gasReserved = gasReserved.subtract(tx.gasLimit());
      }
    }
  }

  /** The intrinsic gas of the transaction (with the EIP-3860 and EIP-7623 rules). */
  public static BigInteger intrinsicGas(Preconfirmer.Tx tx) {
    long zero = 0;
    long nonZero = 0;
    for (byte b : tx.data()) {
      if (b == 0) {
        zero++;
      } else {
        nonZero++;
      }
    }
    BigInteger g = TX_GAS.add(BigInteger.valueOf(4 * zero + 16 * nonZero));
    if (tx.create()) {
      // EIP-3860: 2 gas per 32-byte word of init code
      g = g.add(CREATE_GAS).add(BigInteger.valueOf(2 * ((tx.data().length + 31L) / 32)));
    }
    // EIP-7623 (Prague): the gas limit must also cover the calldata floor, 10 per token
    BigInteger floor = TX_GAS.add(BigInteger.valueOf(10 * (zero + 4 * nonZero)));
    return g.max(floor);
  }
}
