package org.avsnode.squad.preconf;

import java.math.BigInteger;
import java.security.SignatureException;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;
import org.web3j.crypto.SignedRawTransaction;
import org.web3j.utils.Numeric;

/**
 * The sender of a signed transaction, as web3j's {@link SignedRawTransaction#getFrom()} finds it
 * (the same signing payload, the same {@code v} handling, the same answer), with one step left out:
 * web3j checks that {@code n·R} is the point at infinity, a full scalar multiplication that proves
 * nothing on secp256k1, whose cofactor is 1 (every point of the curve has order {@code n}). That
 * check is about a third of the recovery's cost, and recovery is the largest part of a
 * preconfirmation's CPU. A test compares both over every accepted transaction type and over
 * malformed signatures.
 */
final class SenderRecovery {
  private static final X9ECParameters PARAMS = Sign.CURVE_PARAMS;
  private static final ECCurve CURVE = PARAMS.getCurve();
  private static final ECPoint G = PARAMS.getG();
  private static final BigInteger N = PARAMS.getN();
  private static final BigInteger P = CURVE.getField().getCharacteristic();

  static {
    if (!PARAMS.getH().equals(BigInteger.ONE)) {
      throw new IllegalStateException("sender recovery assumes a cofactor of 1");
    }
  }

  private SenderRecovery() {}

  /** The sender's address, lower-case and 0x-prefixed. */
  static String sender(SignedRawTransaction signed) throws SignatureException {
    Sign.SignatureData sd = signed.getSignatureData();
    byte[] payload = signed.getEncodedTransaction(signed.getChainId());
    byte v = signed.getRealV(Numeric.toBigInt(sd.getV()));
    byte[] r = sd.getR();
    byte[] s = sd.getS();
    if (r == null || r.length != 32 || s == null || s.length != 32) {
      throw new SignatureException("r and s must be 32 bytes");
    }
    int header = v & 0xFF;
    if (header < 27 || header > 34) {
      throw new SignatureException("header byte out of range: " + header);
    }
    if (header >= 31) {
      header -= 4;
    }
    byte[] key =
        recover(header - 27, new BigInteger(1, r), new BigInteger(1, s), Hash.sha3(payload));
    byte[] hash = Hash.sha3(key);
    return Numeric.toHexString(Arrays.copyOfRange(hash, 12, 32));
  }

  /** The 64-byte uncompressed public key (x ‖ y) that signed {@code hash}. */
  static byte[] recover(int recId, BigInteger r, BigInteger s, byte[] hash)
      throws SignatureException {
    if (recId < 0 || recId > 3) {
      throw new SignatureException("recovery id out of range: " + recId);
    }
    if (r.signum() <= 0 || s.signum() <= 0) {
      throw new SignatureException("r and s must be positive");
    }
    BigInteger x = r.add(BigInteger.valueOf(recId / 2).multiply(N));
    if (x.compareTo(P) >= 0) {
      throw new SignatureException("no point with this r");
    }
    byte[] compressed = new byte[33];
    compressed[0] = (byte) ((recId & 1) == 1 ? 0x03 : 0x02);
    byte[] xb = x.toByteArray();
    int len = Math.min(xb.length, 32);
    System.arraycopy(xb, xb.length - len, compressed, 33 - len, len);
    ECPoint rPoint;
    try {
      rPoint = CURVE.decodePoint(compressed);
    } catch (IllegalArgumentException e) {
      throw new SignatureException("r is not the x of a curve point");
    }
    BigInteger e = new BigInteger(1, hash);
    BigInteger rInv = r.modInverse(N);
    BigInteger u1 = N.subtract(e.mod(N)).multiply(rInv).mod(N);
    BigInteger u2 = s.multiply(rInv).mod(N);
    ECPoint q = ECAlgorithms.sumOfTwoMultiplies(G, u1, rPoint, u2).normalize();
    if (q.isInfinity()) {
      throw new SignatureException("the recovered key is the point at infinity");
    }
    byte[] enc = q.getEncoded(false);
    return Arrays.copyOfRange(enc, 1, 65);
  }
}
