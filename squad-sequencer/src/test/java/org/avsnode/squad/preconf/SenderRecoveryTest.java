package org.avsnode.squad.preconf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * accepted transaction type (legacy without and with EIP-155, EIP-2930, EIP-1559); a failure where
 * web3j fails or the signature breaks Ethereum's rules (high s, r or s out of range, a parity other
 * than 0 or 1), for signatures with bytes flipped at random; and libsecp256k1 against the Java
 * path.
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

  /** Whether web3j's answer is one a leader may take: Ethereum's ranges for r, s and v. */
  private static boolean canonical(SignedRawTransaction t) {
    var sd = t.getSignatureData();
    BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
    BigInteger r = new BigInteger(1, sd.getR());
    BigInteger s = new BigInteger(1, sd.getS());
    int recId = t.getRealV(Numeric.toBigInt(sd.getV())) - 27;
    return r.signum() > 0
        && r.compareTo(n) < 0
        && s.signum() > 0
        && s.compareTo(n.shiftRight(1)) <= 0
        && (recId == 0 || recId == 1);
  }

  @Test
  void failsWhereWeb3jFailsOrTheSignatureIsNotCanonicalAndAgreesOtherwise() throws Exception {
    Random random = new Random(20261204);
    Credentials c = Credentials.create(Keys.createEcKeyPair(new SecureRandom()));
    int bothFailed = 0;
    int bothRecovered = 0;
    int refusedAsNotCanonical = 0;
    for (int i = 0; i < 800; i++) {
      int kind = i % 4;
      byte[] raw = sign(tx(kind, i), kind, c);
      SignedRawTransaction good =
          (SignedRawTransaction) TransactionDecoder.decode(Numeric.toHexString(raw));
      var sd = good.getSignatureData();
      byte[] r = sd.getR().clone();
      byte[] s = sd.getS().clone();
      byte[] v = sd.getV().clone();
      switch (random.nextInt(6)) {
        case 0 -> r[random.nextInt(32)] ^= (byte) (1 + random.nextInt(255));
        case 1 -> s[random.nextInt(32)] ^= (byte) (1 + random.nextInt(255));
        case 2 -> java.util.Arrays.fill(r, (byte) 0);
        case 3 -> java.util.Arrays.fill(r, (byte) 0xff);
        case 4 -> s[1 + random.nextInt(31)] ^= (byte) (1 + random.nextInt(255));
        default -> v[v.length - 1] ^= 1;
      }
      SignedRawTransaction bad =
          new SignedRawTransaction(
              good.getTransaction(), new org.web3j.crypto.Sign.SignatureData(v, r, s));
      String theirs;
      try {
        theirs = canonical(bad) ? bad.getFrom() : null;
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
        if (!canonical(bad)) {
          refusedAsNotCanonical++;
        }
      } else {
        bothRecovered++;
      }
    }
    // every kind of outcome was exercised: a wrong signature mostly recovers another address
    assertThat(bothFailed).isPositive();
    assertThat(bothRecovered).isPositive();
    assertThat(refusedAsNotCanonical).isPositive();
  }

  @Test
  void theHighSTwinOfAGoodSignatureIsRefusedThoughWeb3jAcceptsIt() throws Exception {
    BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
    SecureRandom random = new SecureRandom();
    for (int kind = 0; kind < 4; kind++) {
      Credentials c = Credentials.create(Keys.createEcKeyPair(random));
      SignedRawTransaction good =
          (SignedRawTransaction)
              TransactionDecoder.decode(Numeric.toHexString(sign(tx(kind, 7), kind, c)));
      var sd = good.getSignatureData();
      byte[] highS = Numeric.toBytesPadded(n.subtract(new BigInteger(1, sd.getS())), 32);
      // the twin's R has the other y: the parity in v moves from 0 to 1 or back
      long v0 = Numeric.toBigInt(sd.getV()).longValueExact();
      long shift = good.getRealV(Numeric.toBigInt(sd.getV())) == 27 ? 1 : -1;
      byte[] v = Numeric.toBytesPadded(BigInteger.valueOf(v0 + shift), sd.getV().length);
      SignedRawTransaction twin =
          new SignedRawTransaction(
              good.getTransaction(), new org.web3j.crypto.Sign.SignatureData(v, sd.getR(), highS));
      assertThat(twin.getFrom()).as("kind %d", kind).isEqualTo(c.getAddress().toLowerCase());
      assertThatThrownBy(() -> SenderRecovery.sender(twin))
          .isInstanceOf(java.security.SignatureException.class)
          .hasMessageContaining("EIP-2");
    }
  }

  @Test
  void aParityOtherThanZeroOrOneIsRefused() {
    byte[] r = new byte[32];
    r[31] = 1;
    for (int recId : new int[] {-1, 2, 3}) {
      assertThatThrownBy(() -> SenderRecovery.recover(recId, r, r, new byte[32]))
          .isInstanceOf(java.security.SignatureException.class)
          .hasMessageContaining("parity");
    }
  }

  @Test
  void theNativeLibraryIsUsedOnLinuxX86AndAgreesWithTheJavaPath() throws Exception {
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      // where the build and CI run: a failure to load is a packaging bug, not a fallback
      assertThat(SenderRecovery.implementation()).contains("native");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(SenderRecovery.NativeLib.LIB != null);
    Random random = new Random(20261207);
    int agreedOnKeys = 0;
    int agreedOnFailures = 0;
    for (int i = 0; i < 500; i++) {
      byte[] hash = new byte[32];
      random.nextBytes(hash);
      byte[] r;
      byte[] s;
      int recId;
      if (i % 2 == 0) {
        org.web3j.crypto.ECKeyPair key =
            org.web3j.crypto.ECKeyPair.create(new BigInteger(250, random).add(BigInteger.ONE));
        var sd = org.web3j.crypto.Sign.signMessage(hash, key, false);
        r = sd.getR();
        s = sd.getS();
        recId = sd.getV()[0] - 27;
      } else {
        // any r and s in range: about half of the r are not the x of a curve point
        r = new byte[32];
        s = new byte[32];
        random.nextBytes(r);
        random.nextBytes(s);
        r[0] &= 0x7f;
        s[0] &= 0x7f;
        recId = random.nextInt(2);
      }
      byte[] viaJava;
      byte[] viaNative;
      try {
        viaJava = SenderRecovery.recoverJava(recId, r, s, hash);
      } catch (java.security.SignatureException e) {
        viaJava = null;
      }
      try {
        viaNative = SenderRecovery.recoverNative(recId, r, s, hash);
      } catch (java.security.SignatureException e) {
        viaNative = null;
      }
      assertThat(viaNative).as("case %d", i).isEqualTo(viaJava);
      if (viaJava == null) {
        agreedOnFailures++;
      } else {
        agreedOnKeys++;
      }
    }
    assertThat(agreedOnKeys).isGreaterThan(250);
    assertThat(agreedOnFailures).isPositive();
  }

  @Test
  void theSelfCheckPassesOnTheRealLibraryAndRefusesOneThatRecoversOtherKeys() {
    org.junit.jupiter.api.Assumptions.assumeTrue(SenderRecovery.NativeLib.LIB != null);
    SenderRecovery.NativeLib.selfCheck(SenderRecovery.NativeLib.LIB);

    // a library whose recovery is off by one bit in the key, or that never recovers anything
    fr.acinq.secp256k1.Secp256k1 flipsABit = lyingLibrary(true);
    fr.acinq.secp256k1.Secp256k1 recoversNothing = lyingLibrary(false);
    assertThatThrownBy(() -> SenderRecovery.NativeLib.selfCheck(flipsABit))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disagree");
    assertThatThrownBy(() -> SenderRecovery.NativeLib.selfCheck(recoversNothing))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("disagree");
  }

  private static fr.acinq.secp256k1.Secp256k1 lyingLibrary(boolean flipABit) {
    fr.acinq.secp256k1.Secp256k1 real = SenderRecovery.NativeLib.LIB;
    return (fr.acinq.secp256k1.Secp256k1)
        java.lang.reflect.Proxy.newProxyInstance(
            SenderRecoveryTest.class.getClassLoader(),
            new Class<?>[] {fr.acinq.secp256k1.Secp256k1.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("ecdsaRecover")) {
                return method.invoke(real, args);
              }
              if (!flipABit) {
                throw new IllegalArgumentException("no key");
              }
              byte[] pub = real.ecdsaRecover((byte[]) args[0], (byte[]) args[1], (int) args[2]);
              pub[64] ^= 1;
              return pub;
            });
  }
}
