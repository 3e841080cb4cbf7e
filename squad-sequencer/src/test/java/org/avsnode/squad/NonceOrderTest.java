package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/** A backup's pulled preconfirmations: each sender's transactions go back into nonce order. */
class NonceOrderTest {
  private static final long CHAIN = 901;
  private static final SecureRandom RANDOM = new SecureRandom();

  private static byte[] tx(Credentials from, long nonce) {
    RawTransaction t =
        RawTransaction.createTransaction(
            CHAIN,
            BigInteger.valueOf(nonce),
            BigInteger.valueOf(21_000),
            from.getAddress(),
            BigInteger.ONE,
            "0x",
            BigInteger.ONE,
            BigInteger.TEN.pow(10));
    return TransactionEncoder.signMessage(t, CHAIN, from);
  }

  @Test
  void eachSendersTransactionsAreInNonceOrderInTheSendersPlaces() throws Exception {
    Credentials a = Credentials.create(Keys.createEcKeyPair(RANDOM));
    Credentials b = Credentials.create(Keys.createEcKeyPair(RANDOM));
    // arrival order: a1, b0, a2, b1, a0 (a0 pulled from a peer, so it came last)
    List<byte[]> raws = new ArrayList<>(List.of(tx(a, 1), tx(b, 0), tx(a, 2), tx(b, 1), tx(a, 0)));
    byte[] garbage = {1, 2, 3};
    raws.add(2, garbage); // a transaction that does not decode keeps its place
    List<byte[]> hashes = new ArrayList<>();
    for (byte[] r : raws) {
      hashes.add(Hash.sha3(r));
    }
    List<byte[]> before = new ArrayList<>(raws);
    SquadDuty.nonceOrdered(raws, hashes, CHAIN);
    // a's places (0, 3, 5) now hold a0, a1, a2; b's (1, 4) b0, b1; the garbage stays at 2
    assertThat(raws.get(0)).isEqualTo(before.get(5));
    assertThat(raws.get(3)).isEqualTo(before.get(0));
    assertThat(raws.get(5)).isEqualTo(before.get(3));
    assertThat(raws.get(1)).isEqualTo(before.get(1));
    assertThat(raws.get(4)).isEqualTo(before.get(4));
    assertThat(raws.get(2)).isSameAs(garbage);
    for (int i = 0; i < raws.size(); i++) {
      assertThat(Numeric.toHexString(hashes.get(i)))
          .as("hash %d moved with its transaction", i)
          .isEqualTo(Numeric.toHexString(Hash.sha3(raws.get(i))));
    }
  }
}
