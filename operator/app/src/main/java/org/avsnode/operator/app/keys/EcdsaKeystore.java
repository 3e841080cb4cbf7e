package org.avsnode.operator.app.keys;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigInteger;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.keys.StrictKeystores;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;

/**
 * Standard Ethereum (V3) keystores for the ECDSA key, through web3j's {@link Wallet}: created with
 * the standard scrypt parameters (n = 2^18, r = 8, p = 1); read with bounded cost parameters so a
 * hostile file cannot exhaust memory.
 */
public final class EcdsaKeystore {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private EcdsaKeystore() {}

  /** A new V3 keystore JSON for {@code key}, encrypted with standard scrypt. */
  static String create(ECKeyPair key, String password) {
    try {
      return JSON.writeValueAsString(Wallet.createStandard(password, key));
    } catch (CipherException | IOException e) {
      throw new IllegalStateException("cannot create the V3 keystore: " + e.getMessage(), e);
    }
  }

  /** Parses V3 keystore JSON (see {@link StrictKeystores#parseV3}). */
  public static WalletFile parse(String what, String json) {
    return StrictKeystores.parseV3(what, json);
  }

  /** Decrypts with bounded KDF cost (see {@link StrictKeystores#decryptV3}). */
  public static ECKeyPair decrypt(String what, WalletFile w, String password) {
    return StrictKeystores.decryptV3(what, w, password);
  }

  /**
   * A private key from its 32-byte big-endian encoding.
   *
   * @throws UserException if it is zero or not below the curve order
   */
  static ECKeyPair fromPrivateKey(byte[] raw) {
    BigInteger d = new BigInteger(1, raw);
    if (raw.length != 32 || d.signum() == 0 || d.compareTo(Sign.CURVE_PARAMS.getN()) >= 0) {
      throw new UserException(
          "not a secp256k1 private key (32 bytes, non-zero, below the curve order)");
    }
    return ECKeyPair.create(d);
  }

  /** The checksummed 0x address of {@code key}. */
  static String address(ECKeyPair key) {
    return Keys.toChecksumAddress(Keys.getAddress(key));
  }

  /** The checksummed 0x address recorded in a keystore, or "unknown". */
  public static String address(WalletFile w) {
    String a = w.getAddress();
    if (a == null || !strip0x(a).matches("[0-9a-fA-F]{40}")) {
      return "unknown";
    }
    return Keys.toChecksumAddress(strip0x(a));
  }

  private static String strip0x(String s) {
    return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
  }
}
