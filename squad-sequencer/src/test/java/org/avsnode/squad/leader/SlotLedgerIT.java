package org.avsnode.squad.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.avsnode.squad.l2.L2Rpc;
import org.avsnode.squad.l2.L2TestWallet;
import org.avsnode.squad.preconf.Preconfirmer;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;

/**
 * The leader's admission reads the state after the slot's base block, by its hash, on a real anvil
 * whose head another node moves while the slot is open (the devnet's L2 node is shared): a block
 * mined on top of the base, and the base rolled back. A chaos soak (seed 30121307, 2026-12-07) had
 * a leader read a sender's nonce at {@code latest} while another node had rolled the base back, and
 * preconfirm a second transaction for a nonce the base had already used.
 */
class SlotLedgerIT {
  private static final long CHAIN = 42071;
  private static final SecureRandom RANDOM = new SecureRandom();

  private AnvilProcess anvil;
  private L2Rpc rpc;
  private Credentials user;

  @BeforeEach
  void startAnL2NodeWithAFundedUser() throws Exception {
    anvil = AnvilProcess.builder().chainId(CHAIN).accounts(1).arg("--no-mining").start();
    rpc = new L2Rpc(URI.create(anvil.rpcUrl()), Duration.ofSeconds(10));
    user = Credentials.create(Keys.createEcKeyPair(RANDOM));
    L2TestWallet.fund(rpc, user);
  }

  @AfterEach
  void stopTheL2Node() {
    if (anvil != null) {
      anvil.close();
    }
  }

  private static byte[] transfer(Credentials from, long nonce) {
    return L2TestWallet.transfer(CHAIN, from, nonce);
  }

  private static Preconfirmer.Tx admissionOf(Credentials from, long nonce) {
    return new Preconfirmer.Tx(
        Hash.sha3(transfer(from, nonce)),
        from.getAddress().toLowerCase(Locale.ROOT),
        BigInteger.valueOf(nonce),
        BigInteger.valueOf(21_000),
        L2TestWallet.GAS_PRICE,
        BigInteger.ONE,
        false,
        new byte[0]);
  }

  @Test
  void aBlockMinedOnTopOfTheBaseDoesNotChangeWhatTheSlotAdmits() throws Exception {
    assertThat(rpc.sendRawTransactions(List.of(transfer(user, 0), transfer(user, 1))))
        .containsOnlyNulls();
    rpc.mine();
    L2Rpc.Head base = rpc.latest();
    SlotLedger ledger = new SlotLedger(7, rpc, base);

    // another node mines the sender's nonce 2 on top of the base while the slot is open
    assertThat(rpc.sendRawTransactions(List.of(transfer(user, 2)))).containsOnlyNulls();
    rpc.mine();
    assertThat(rpc.nonce(user.getAddress())).isEqualTo(BigInteger.valueOf(3));

    // the slot's block builds on the base, where the sender's next nonce is 2
    assertThat(ledger.nextNonce(user.getAddress().toLowerCase(Locale.ROOT)))
        .isEqualTo(BigInteger.valueOf(2));
    assertThat(ledger.refuse(7, admissionOf(user, 2))).isNull();
    assertThat(ledger.refuse(7, admissionOf(user, 3))).isNull();
  }

  @Test
  void aRolledBackBaseRefusesRatherThanReadingItsParent() throws Exception {
    assertThat(rpc.sendRawTransactions(List.of(transfer(user, 0)))).containsOnlyNulls();
    rpc.mine();
    L2Rpc.Head base = rpc.latest();
    SlotLedger ledger = new SlotLedger(7, rpc, base);

    // another node drops the base (anvil_rollback), as a backup taking an earlier slot over does
    rpc.rollback(1);
    assertThat(rpc.nonce(user.getAddress())).as("the parent's state").isEqualTo(BigInteger.ZERO);

    // nonce 0 is taken in the base: admitting it again is a promise no block can keep
    assertThat(ledger.refuse(7, admissionOf(user, 0)))
        .as("read at the base's hash, which the node no longer holds")
        .contains("cannot be read");
    assertThat(ledger.refuse(7, admissionOf(user, 1))).contains("cannot be read");
  }
}
