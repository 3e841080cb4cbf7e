package org.avsnode.squad.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.squad.l2.AccountReads;
import org.avsnode.squad.l2.L2Rpc;
import org.avsnode.squad.l2.L2RpcException;
import org.avsnode.squad.preconf.Preconfirmer;
import org.junit.jupiter.api.Test;

/** The leader's admission rules, against a fixed L2 state (no I/O). */
class SlotLedgerTest {
  private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
  private static final BigInteger GWEI = BigInteger.valueOf(1_000_000_000L);

  /** The L2 state at the slot's base: Alice at nonce 5 with 1 ETH; reads are counted. */
  private final Map<String, BigInteger> nonces =
      new HashMap<>(Map.of(ALICE, BigInteger.valueOf(5)));

  private final Map<String, BigInteger> balances =
      new HashMap<>(Map.of(ALICE, BigInteger.TEN.pow(18)));
  private int reads;

  /** The base block's hash; the fake answers only for it, as a node answers by hash. */
  private static final byte[] BASE_HASH = new byte[32];

  static {
    BASE_HASH[0] = (byte) 0xba;
    BASE_HASH[31] = 0x5e;
  }

  private final AccountReads state =
      new AccountReads() {
        @Override
        public BigInteger nonceAfter(String address, byte[] blockHash) throws L2RpcException {
          atBase(blockHash);
          reads++;
          return nonces.getOrDefault(address, BigInteger.ZERO);
        }

        @Override
        public BigInteger balanceAfter(String address, byte[] blockHash) throws L2RpcException {
          atBase(blockHash);
          return balances.getOrDefault(address, BigInteger.ZERO);
        }

        private void atBase(byte[] blockHash) throws L2RpcException {
          if (!java.util.Arrays.equals(blockHash, BASE_HASH)) {
            throw new L2RpcException("Resource not found");
          }
        }
      };

  private SlotLedger ledger(long gasLimit, long baseFeeGwei) {
    L2Rpc.Head base =
        new L2Rpc.Head(
            10,
            BASE_HASH.clone(),
            new byte[32],
            0,
            GWEI.multiply(BigInteger.valueOf(baseFeeGwei)),
            BigInteger.valueOf(gasLimit),
            List.of());
    return new SlotLedger(3, state, base);
  }

  private static Preconfirmer.Tx tx(
      long nonce, long gas, long feeGwei, BigInteger value, byte[] data) {
    return new Preconfirmer.Tx(
        new byte[32],
        ALICE,
        BigInteger.valueOf(nonce),
        BigInteger.valueOf(gas),
        GWEI.multiply(BigInteger.valueOf(feeGwei)),
        value,
        false,
        data);
  }

  private static Preconfirmer.Tx transfer(long nonce) {
    return tx(nonce, 21_000, 10, BigInteger.ONE, new byte[0]);
  }

  @Test
  void noncesMustFollowEachOtherFromTheBase() throws L2RpcException {
    SlotLedger l = ledger(30_000_000, 1);
    assertThat(l.refuse(3, transfer(4))).contains("nonce 4, the sender's next is 5");
    assertThat(l.refuse(3, transfer(6))).contains("nonce 6");
    assertThat(l.refuse(3, transfer(5))).isNull();
    assertThat(l.refuse(3, transfer(5))).as("the same nonce twice").contains("next is 6");
    assertThat(l.refuse(3, transfer(6))).isNull();
    assertThat(l.nextNonce(ALICE)).isEqualTo(BigInteger.valueOf(7));
    assertThat(reads).as("the base state is read once per sender").isEqualTo(1);
  }

  @Test
  void anotherSlotIsRefused() {
    assertThat(ledger(30_000_000, 1).refuse(4, transfer(5))).contains("slot 4 is not open");
  }

  @Test
  void theBalanceMustPayEveryAdmittedTransactionAtItsFeeCap() {
    balances.put(ALICE, GWEI.multiply(BigInteger.valueOf(21_000 * 10 * 2))); // two transfers' worth
    SlotLedger l = ledger(30_000_000, 1);
    assertThat(l.refuse(3, tx(5, 21_000, 10, BigInteger.ZERO, new byte[0]))).isNull();
    assertThat(l.refuse(3, tx(6, 21_000, 10, BigInteger.ZERO, new byte[0]))).isNull();
    assertThat(l.refuse(3, tx(7, 21_000, 10, BigInteger.ZERO, new byte[0]))).contains("balance");
  }

  @Test
  void theBlocksGasLimitBoundsTheSlot() {
    SlotLedger l = ledger(50_000, 1);
    assertThat(l.refuse(3, transfer(5))).isNull();
    assertThat(l.refuse(3, transfer(6))).isNull();
    assertThat(l.refuse(3, transfer(7))).contains("gas is taken");
  }

  @Test
  void theFeeCapMustCoverTheNextBaseFeeBound() {
    SlotLedger l = ledger(30_000_000, 8); // next base fee at most 9 gwei
    assertThat(l.refuse(3, tx(5, 21_000, 8, BigInteger.ZERO, new byte[0]))).contains("fee cap");
    assertThat(l.refuse(3, tx(5, 21_000, 9, BigInteger.ZERO, new byte[0]))).isNull();
  }

  @Test
  void theGasLimitMustCoverIntrinsicGasAndTheCalldataFloor() {
    byte[] data = new byte[100];
    data[0] = 1; // 1 non-zero, 99 zero bytes: intrinsic 21000 + 16 + 396; floor 21000 + 10 * 103
    Preconfirmer.Tx tight = tx(5, 21_412, 10, BigInteger.ZERO, data);
    assertThat(SlotLedger.intrinsicGas(tight)).isEqualTo(BigInteger.valueOf(22_030));
    SlotLedger l = ledger(30_000_000, 1);
    assertThat(l.refuse(3, tight)).contains("intrinsic");
    assertThat(l.refuse(3, tx(5, 22_030, 10, BigInteger.ZERO, data))).isNull();
    Preconfirmer.Tx create =
        new Preconfirmer.Tx(
            new byte[32],
            ALICE,
            BigInteger.ONE,
            BigInteger.ONE,
            GWEI,
            BigInteger.ZERO,
            true,
            new byte[64]);
    // 21000 + 32000 + 64 * 4 + 2 words * 2
    assertThat(SlotLedger.intrinsicGas(create)).isEqualTo(BigInteger.valueOf(53_260));
  }

  @Test
  void aReleasedTransactionGivesItsNonceBack() throws L2RpcException {
    SlotLedger l = ledger(30_000_000, 1);
    assertThat(l.refuse(3, transfer(5))).isNull();
    l.release(3, transfer(5));
    assertThat(l.nextNonce(ALICE)).isEqualTo(BigInteger.valueOf(5));
    assertThat(l.refuse(3, transfer(5))).isNull();
  }
}
