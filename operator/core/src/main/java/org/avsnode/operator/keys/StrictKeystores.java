package org.avsnode.operator.keys;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;

/**
 * The one way keystores are decrypted, for the node and for every command: EIP-2335 for the BLS
 * key, V3 for the ECDSA key, each with upper bounds on the key-derivation cost so a hostile file
 * cannot exhaust memory or time, and every failure a one-line {@link KeyFileException}.
 */
public final class StrictKeystores {
  /** scrypt memory (128·n·r bytes) a V3 keystore may ask for. */
  static final long SCRYPT_MAX_MEMORY = 1L << 30;

  /** pbkdf2 iterations a V3 keystore may ask for. */
  static final int PBKDF2_MAX_C = 10_000_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private StrictKeystores() {}

  /** Decrypts an EIP-2335 keystore with the password in {@code passwordFile}. */
  public static BlsSecretKey bls(Path keystoreFile, Path passwordFile) {
    String password = SecretFiles.readPassword(passwordFile);
    try {
      return Eip2335Keystore.read(keystoreFile).decrypt(password);
    } catch (KeystoreException e) {
      throw new KeyFileException("BLS keystore " + keystoreFile + ": " + e.getMessage());
    }
  }

  /** Decrypts a V3 keystore with the password in {@code passwordFile}. */
  public static ECKeyPair ecdsa(Path keystoreFile, Path passwordFile) {
    String what = "ECDSA keystore " + keystoreFile;
    WalletFile w = parseV3(what, readUtf8(keystoreFile, "ECDSA keystore"));
    return decryptV3(what, w, SecretFiles.readPassword(passwordFile));
  }

  static String readUtf8(Path file, String what) {
    byte[] bytes = SecretFiles.read(file, what);
    try {
      return new String(bytes, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Parses V3 keystore JSON.
   *
   * @throws KeyFileException naming {@code what} if it is not a V3 keystore
   */
  public static WalletFile parseV3(String what, String json) {
    WalletFile w;
    try {
      w = JSON.readValue(json, WalletFile.class);
    } catch (IOException e) {
      throw new KeyFileException(what + " is not a V3 keystore (not valid JSON)");
    }
    if (w == null || w.getVersion() != 3 || w.getCrypto() == null) {
      throw new KeyFileException(what + " is not a V3 keystore");
    }
    return w;
  }

  /**
   * Decrypts a V3 keystore, refusing cost parameters beyond what keystores use.
   *
   * @throws KeyFileException for a wrong password or a malformed or too costly keystore
   */
  public static ECKeyPair decryptV3(String what, WalletFile w, String password) {
    Object p = w.getCrypto().getKdfparams();
    if (p instanceof WalletFile.ScryptKdfParams s) {
      if (s.getN() < 2
          || s.getR() < 1
          || s.getP() < 1
          || 128L * s.getN() * s.getR() > SCRYPT_MAX_MEMORY) {
        throw new KeyFileException(what + ": scrypt parameters out of the supported range");
      }
    } else if (p instanceof WalletFile.Aes128CtrKdfParams a) {
      if (a.getC() < 1 || a.getC() > PBKDF2_MAX_C) {
        throw new KeyFileException(what + ": pbkdf2 iteration count out of the supported range");
      }
    } else {
      throw new KeyFileException(what + ": unsupported or missing kdf parameters");
    }
    try {
      ECKeyPair key = Wallet.decrypt(password, w);
      if (w.getAddress() != null
          && !w.getAddress().isEmpty()
          && !strip0x(w.getAddress()).equalsIgnoreCase(Keys.getAddress(key))) {
        throw new KeyFileException(what + ": the address does not match the decrypted key");
      }
      return key;
    } catch (CipherException e) {
      String m = String.valueOf(e.getMessage());
      if (m.toLowerCase(Locale.ROOT).contains("invalid password")) {
        throw new KeyFileException(what + ": wrong password (keystore MAC mismatch)");
      }
      throw new KeyFileException(what + ": " + m.replaceAll("\\s+", " "));
    } catch (KeyFileException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new KeyFileException(what + " is malformed: " + e.getClass().getSimpleName());
    }
  }

  private static String strip0x(String s) {
    return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
  }
}
