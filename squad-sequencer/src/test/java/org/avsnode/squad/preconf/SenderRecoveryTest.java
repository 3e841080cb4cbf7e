package org.avsnode.squad.preconf;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.crypto.TransactionDecoder;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * The leader's sender recovery against web3j's {@code getFrom()}: the same address for every
 * accepted transaction type (legacy without and with EIP-155, EIP-2930, EIP-1559), and a failure
 * where web3j fails, for signatures with bytes flipped at random.
 */
class SenderRecoveryTest {
  private static final long CHAIN = 901;

  private static RawTransaction tx(int kind, int n) {
    BigInteger nonce = BigInteger.valueOf(n);
    BigInteger gas = BigInteger.valueOf(21_000 + n);
    String to = "0x000000000000000000000000000000000000dead";
    return switch (kind) {
      case 0, 1 ->
          RawTransaction.createTransaction(
              nonce, BigInteger.TEN, gas, to, BigInteger.valueOf(n), "0x" + "ab".repeat(n % 5));
      case 2 ->
          RawTransaction.createTransaction(
              CHAIN, nonce, BigInteger.TEN, gas, to, BigInteger.ONE, "0x", java.util.List.of());
      default ->
          RawTransaction.createTransaction(
              CHAIN, nonce, gas, to, BigInteger.ONE, "0x01", BigInteger.ONE, BigInteger.TEN);
    };
  }

  private static byte[] sign(RawTransaction t, int kind, Credentials c) {
    // kind 1: legacy with EIP-155 replay protection; typed transactions carry their chain id
    return kind == 1
        ? TransactionEncoder.signMessage(t, CHAIN, c)
        : TransactionEncoder.signMessage(t, c);
  }

  @Test
  void sameSenderAsWeb3jForEveryType() throws Exception {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 400; i++) {
      Credentials c = Credentials.create(Keys.createEcKeyPair(random));
      int kind = i % 4;
      byte[] raw = sign(tx(kind, i), kind, c);
      SignedRawTransaction signed =
          (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(raw));
      String ours = SenderRecovery.sender(signed);
      assertThat(ours).isEqualTo(signed.getFrom()).isEqualTo(c.getAddress().toLowerCase());
    }
  }

  @Test
  void failsWhereWeb3jFailsAndAgreesWhereItDoesNot() throws Exception {
    Random random = new Random(20261204);
    Credentials c = Credentials.create(Keys.createEcKeyPair(new SecureRandom()));
    int bothFailed = 0;
    int bothRecovered = 0;
    for (int i = 0; i < 600; i++) {
      int kind = i % 4;
      byte[] raw = sign(tx(kind, i), kind, c);
      SignedRawTransaction good =
          (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(raw));
      var sd = good.getSignatureData();
      byte[] r = sd.getR().clone();
      byte[] s = sd.getS().clone();
      byte[] v = sd.getV().clone();
      switch (random.nextInt(5)) {
        case 0 -> r[random.nextInt(32)] ^= (byte) (1 + random.nextInt(255));
        case 1 -> s[random.nextInt(32)] ^= (byte) (1 + random.nextInt(255));
        case 2 -> java.util.Arrays.fill(r, (byte) 0);
        case 3 -> java.util.Arrays.fill(r, (byte) 0xff);
        default -> v[v.length - 1] ^= 1;
      }
      SignedRawTransaction bad =
          new SignedRawTransaction(
              good.getTransaction(), new org.web3j.crypto.Sign.SignatureData(v, r, s));
      String theirs;
      try {
        theirs = bad.getFrom();
      } catch (Exception e) {
        theirs = null;
      }
      String ours;
      try {
        ours = SenderRecovery.sender(bad);
      } catch (Exception e) {
        ours = null;
      }
      assertThat(ours).as("case %d", i).isEqualTo(theirs);
      if (ours == null) {
        bothFailed++;
      } else {
        bothRecovered++;
      }
    }
    // both kinds of outcome were exercised: a wrong signature mostly recovers another address
    assertThat(bothFailed).isPositive();
    assertThat(bothRecovered).isPositive();
  }
}
