package org.avsnode.squad.preconf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.operator.metrics.SignerMetrics;
import org.avsnode.operator.node.ScopedSigner;
import org.avsnode.operator.slashing.EmbeddedSlashingProtection;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.spi.DutySigner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;

/**
 * The leader's preconfirmations through the node's real signer and an embedded slashing-protection
 * database on disk: well-formed transactions for this chain are preconfirmed once and kept in
 * order; everything else is refused without a signature; once the slot's proposal is signed, the
 * database refuses a preconfirmation the block does not hold, even after a restart.
 */
class PreconfirmerIT {
  private static final long CHAIN = 901;
  private static final long ROLLUP = 42;
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;
  private BlsSecretKey key;
  private Eip712Domain domain;
  private EmbeddedSlashingProtection db;
  private DutySigner signer;
  private Credentials user;

  @BeforeEach
  void open() throws Exception {
    key = BlsSecretKey.random(RANDOM);
    domain = Eip712Domain.avsNode(31_337, new byte[20]);
    db = EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain));
    signer =
        new ScopedSigner(
            new ProtectedSigner(key, db, domain, SigningListener.NONE),
            "squad",
            SignerMetrics.NOOP);
    user = Credentials.create(Keys.createEcKeyPair(RANDOM));
  }

  @AfterEach
  void close() {
    db.close();
  }

  private byte[] tx1559(long chainId, long nonce) {
    RawTransaction t =
        RawTransaction.createTransaction(
            chainId,
            BigInteger.valueOf(nonce),
            BigInteger.valueOf(21_000),
            "0x000000000000000000000000000000000000dead",
            BigInteger.ONE,
            "",
            BigInteger.ONE,
            BigInteger.TEN);
    return TransactionEncoder.signMessage(t, chainId, user);
  }

  private byte[] legacy(Long chainId, long nonce) {
    RawTransaction t =
        RawTransaction.createEtherTransaction(
            BigInteger.valueOf(nonce),
            BigInteger.TEN,
            BigInteger.valueOf(21_000),
            "0x000000000000000000000000000000000000dead",
            BigInteger.ONE);
    return chainId == null
        ? TransactionEncoder.signMessage(t, user)
        : TransactionEncoder.signMessage(t, chainId, user);
  }

  @Test
  void transactionsForThisChainArePreconfirmedOnceAndKeptInOrder() {
    Preconfirmer p = new Preconfirmer(signer, ROLLUP, CHAIN, 4096, 100);
    byte[] a = tx1559(CHAIN, 0);
    byte[] b = legacy(CHAIN, 1);
    Preconfirmer.Accepted ra = (Preconfirmer.Accepted) p.preconfirm(7, a);
    Preconfirmer.Accepted rb = (Preconfirmer.Accepted) p.preconfirm(7, b);
    assertThat(ra.repeat()).isFalse();
    assertThat(ra.txHash()).isEqualTo(Hash.sha3(a));
    assertThat(ra.sender()).isEqualToIgnoringCase(user.getAddress());
    assertThat(rb.sender()).isEqualToIgnoringCase(user.getAddress());
    // the signature is the operator's over the EIP-712 Preconfirmation digest
    byte[] digest = new Preconfirmation(ROLLUP, 7, Hash.sha3(a)).digest(domain);
    assertThat(Bls.verify(key.publicKey(), digest, ra.signature())).isTrue();
    byte[] otherSlot = new Preconfirmation(ROLLUP, 8, Hash.sha3(a)).digest(domain);
    assertThat(Bls.verify(key.publicKey(), otherSlot, ra.signature())).isFalse();
    // asking again gives the same receipt
    Preconfirmer.Accepted again = (Preconfirmer.Accepted) p.preconfirm(7, a);
    assertThat(again.repeat()).isTrue();
    assertThat(again.signature().toBytes()).isEqualTo(ra.signature().toBytes());
    assertThat(p.accepted(7))
        .extracting(x -> Arrays.hashCode(x.txHash()))
        .containsExactly(Arrays.hashCode(Hash.sha3(a)), Arrays.hashCode(Hash.sha3(b)));
    assertThat(p.accepted(8)).isEmpty();
  }

  @Test
  void badTransactionsAreRefusedWithoutASignature() {
    Preconfirmer p = new Preconfirmer(signer, ROLLUP, CHAIN, 300, 2);
    assertRefused(p.preconfirm(1, new byte[0]), Preconfirmer.Reason.MALFORMED);
    assertRefused(p.preconfirm(1, new byte[] {1, 2, 3}), Preconfirmer.Reason.MALFORMED);
    byte[] unsigned =
        TransactionEncoder.encode(
            RawTransaction.createEtherTransaction(
                BigInteger.ZERO,
                BigInteger.TEN,
                BigInteger.valueOf(21_000),
                "0x000000000000000000000000000000000000dead",
                BigInteger.ONE));
    assertRefused(p.preconfirm(1, unsigned), Preconfirmer.Reason.MALFORMED);
    assertRefused(p.preconfirm(1, tx1559(CHAIN + 1, 0)), Preconfirmer.Reason.WRONG_CHAIN);
    assertRefused(p.preconfirm(1, legacy(CHAIN + 1, 0)), Preconfirmer.Reason.WRONG_CHAIN);
    assertRefused(p.preconfirm(1, legacy(null, 0)), Preconfirmer.Reason.WRONG_CHAIN);
    byte[] forged = tx1559(CHAIN, 0);
    // r = 0: no sender can be recovered
    byte[] zeroR = forged.clone();
    Arrays.fill(zeroR, zeroR.length - 66, zeroR.length - 34, (byte) 0);
    Preconfirmer.Outcome bad = p.preconfirm(1, zeroR);
    assertThat(bad).isInstanceOf(Preconfirmer.Refused.class);
    assertThat(((Preconfirmer.Refused) bad).reason())
        .isIn(Preconfirmer.Reason.BAD_SIGNATURE, Preconfirmer.Reason.MALFORMED);
    assertRefused(p.preconfirm(1, new byte[301]), Preconfirmer.Reason.TOO_LARGE);
    // two fit in a slot
    assertThat(p.preconfirm(1, tx1559(CHAIN, 1))).isInstanceOf(Preconfirmer.Accepted.class);
    assertThat(p.preconfirm(1, tx1559(CHAIN, 2))).isInstanceOf(Preconfirmer.Accepted.class);
    assertRefused(p.preconfirm(1, tx1559(CHAIN, 3)), Preconfirmer.Reason.SLOT_FULL);
    // transactions a slot carries from earlier ones take its places: one left of two
    p.reserve(3, 1);
    assertThat(p.preconfirm(3, tx1559(CHAIN, 5))).isInstanceOf(Preconfirmer.Accepted.class);
    assertRefused(p.preconfirm(3, tx1559(CHAIN, 6)), Preconfirmer.Reason.SLOT_FULL);
    // a sealed slot takes nothing more
    assertThat(p.seal(2)).isEmpty();
    assertRefused(p.preconfirm(2, tx1559(CHAIN, 4)), Preconfirmer.Reason.SLOT_SEALED);
    assertThat(p.accepted(1)).hasSize(2);
  }

  @Test
  void afterTheProposalIsSignedTheDatabaseRefusesWhatTheBlockDoesNotHold() {
    Preconfirmer p = new Preconfirmer(signer, ROLLUP, CHAIN, 4096, 100);
    byte[] a = tx1559(CHAIN, 0);
    p.preconfirm(5, a);
    List<byte[]> block = new ArrayList<>();
    for (Preconfirmer.Pending x : p.seal(5)) {
      block.add(x.txHash());
    }
    byte[] txListHash = Hash.sha3(block.get(0));
    // a proposal that leaves out the preconfirmed transaction is refused
    assertThat(
            signer
                .sign(
                    new SlotProposal(
                        ROLLUP, 5, new byte[32], Hash.sha3(new byte[] {9}), Hash.sha3(new byte[0])),
                    List.of())
                .isSigned())
        .isFalse();
    assertThat(
            signer
                .sign(
                    new SlotProposal(
                        ROLLUP, 5, new byte[32], Hash.sha3(new byte[] {1}), txListHash),
                    block)
                .isSigned())
        .isTrue();
    // a restarted node has lost the in-memory seal; the database still refuses a new promise
    Preconfirmer restarted = new Preconfirmer(signer, ROLLUP, CHAIN, 4096, 100);
    Preconfirmer.Outcome late = restarted.preconfirm(5, tx1559(CHAIN, 1));
    assertRefused(late, Preconfirmer.Reason.SIGNER_REFUSED);
    // the one it holds is still confirmed
    assertThat(restarted.preconfirm(5, a)).isInstanceOf(Preconfirmer.Accepted.class);
  }

  private static void assertRefused(Preconfirmer.Outcome o, Preconfirmer.Reason reason) {
    assertThat(o).isInstanceOf(Preconfirmer.Refused.class);
    assertThat(((Preconfirmer.Refused) o).reason()).as(o.toString()).isEqualTo(reason);
  }
}
