package org.avsnode.operator.app.keys;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Locale;
import org.avsnode.operator.app.UserException;
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
  static final long SCRYPT_MAX_MEMORY = 1L << 30;
  static final int PBKDF2_MAX_C = 10_000_000;

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

  /**
   * Parses V3 keystore JSON.
   *
   * @throws UserException naming {@code what} if it is not a V3 keystore
   */
  public static WalletFile parse(String what, String json) {
    WalletFile w;
    try {
      w = JSON.readValue(json, WalletFile.class);
    } catch (IOException e) {
      throw new UserException(what + " is not a V3 keystore (not valid JSON)");
    }
    if (w == null || w.getVersion() != 3 || w.getCrypto() == null) {
      throw new UserException(what + " is not a V3 keystore");
    }
    return w;
  }

  /**
   * Decrypts the key, refusing cost parameters beyond what the node would ever create.
   *
   * @throws UserException for a wrong password or a malformed or too costly keystore
   */
  public static ECKeyPair decrypt(String what, WalletFile w, String password) {
    Object p = w.getCrypto().getKdfparams();
    if (p instanceof WalletFile.ScryptKdfParams s) {
      if (s.getN() < 2
          || s.getR() < 1
          || s.getP() < 1
          || 128L * s.getN() * s.getR() > SCRYPT_MAX_MEMORY) {
        throw new UserException(what + ": scrypt parameters out of the supported range");
      }
    } else if (p instanceof WalletFile.Aes128CtrKdfParams a) {
      if (a.getC() < 1 || a.getC() > PBKDF2_MAX_C) {
        throw new UserException(what + ": pbkdf2 iteration count out of the supported range");
      }
    } else {
      throw new UserException(what + ": unsupported or missing kdf parameters");
    }
    try {
      ECKeyPair key = Wallet.decrypt(password, w);
      if (w.getAddress() != null
          && !w.getAddress().isEmpty()
          && !strip0x(w.getAddress()).equalsIgnoreCase(Keys.getAddress(key))) {
        throw new UserException(what + ": the address does not match the decrypted key");
      }
      return key;
    } catch (CipherException e) {
      String m = String.valueOf(e.getMessage());
      if (m.toLowerCase(Locale.ROOT).contains("invalid password")) {
        throw new UserException(what + ": wrong password (keystore MAC mismatch)");
      }
      throw new UserException(what + ": " + m.replaceAll("\\s+", " "));
    } catch (RuntimeException e) {
      if (e instanceof UserException u) {
        throw u;
      }
      throw new UserException(what + " is malformed: " + e.getClass().getSimpleName());
    }
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
