package org.avsnode.operator.app.registration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.keys.SecureFiles;
import org.avsnode.operator.config.NodeConfig.KeystoreRef;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;

/**
 * Opens the node's keystores for the registration commands: the ECDSA key (V3) that signs L1
 * transactions and the BLS key (EIP-2335) whose proof of possession is registered. Passwords come
 * from the password files of the node configuration; no key material is printed or logged. Every
 * failure is a one-line {@link UserException}.
 */
final class OperatorKeys {
  /** Scrypt memory bound: beyond what any standard keystore uses (n = 2^18, r = 8: 256 MiB). */
  private static final long SCRYPT_MAX_MEMORY = 1L << 30;

  private static final int PBKDF2_MAX_C = 10_000_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private OperatorKeys() {}

  /** The password in a password file: UTF-8, a trailing line ending is not part of it. */
  static String readPassword(Path file) {
    byte[] bytes = SecureFiles.readSecretFile(file, "password file");
    String password;
    try {
      password =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new UserException("password file " + file + " is not UTF-8 text");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    int end = password.length();
    while (end > 0 && (password.charAt(end - 1) == '\n' || password.charAt(end - 1) == '\r')) {
      end--;
    }
    password = password.substring(0, end);
    if (password.isEmpty()) {
      throw new UserException("password file " + file + " is empty");
    }
    return password;
  }

  /** Decrypts the BLS key. */
  static BlsSecretKey bls(KeystoreRef ref) {
    String what = "BLS keystore " + ref.keystoreFile();
    try {
      return Eip2335Keystore.read(ref.keystoreFile()).decrypt(readPassword(ref.passwordFile()));
    } catch (KeystoreException e) {
      throw new UserException(what + ": " + e.getMessage());
    }
  }

  /**
   * The BLS public key recorded in the keystore, without decrypting; empty if the keystore does not
   * record one.
   */
  static Optional<BlsPublicKey> blsPublicKey(KeystoreRef ref) {
    try {
      return Eip2335Keystore.read(ref.keystoreFile()).publicKey();
    } catch (KeystoreException e) {
      throw new UserException("BLS keystore " + ref.keystoreFile() + ": " + e.getMessage());
    }
  }

  private static WalletFile walletFile(Path file) {
    String what = "ECDSA keystore " + file;
    byte[] bytes = SecureFiles.readSecretFile(file, "ECDSA keystore");
    WalletFile w;
    try {
      w = JSON.readValue(bytes, WalletFile.class);
    } catch (IOException e) {
      throw new UserException(what + " is not a V3 keystore (not valid JSON)");
    }
    if (w == null || w.getVersion() != 3 || w.getCrypto() == null) {
      throw new UserException(what + " is not a V3 keystore");
    }
    return w;
  }

  /** The address the V3 keystore records, without decrypting; empty if it records none. */
  static Optional<String> ecdsaAddress(KeystoreRef ref) {
    String a = walletFile(ref.keystoreFile()).getAddress();
    if (a == null) {
      return Optional.empty();
    }
    String hex = a.startsWith("0x") || a.startsWith("0X") ? a.substring(2) : a;
    return hex.matches("[0-9a-fA-F]{40}")
        ? Optional.of(Keys.toChecksumAddress(hex))
        : Optional.empty();
  }

  /** Decrypts the ECDSA key, refusing KDF cost parameters beyond what keystores use. */
  static Credentials ecdsa(KeystoreRef ref) {
    String what = "ECDSA keystore " + ref.keystoreFile();
    WalletFile w = walletFile(ref.keystoreFile());
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
    String password = readPassword(ref.passwordFile());
    ECKeyPair key;
    try {
      key = Wallet.decrypt(password, w);
    } catch (CipherException e) {
      String m = String.valueOf(e.getMessage());
      if (m.toLowerCase(Locale.ROOT).contains("invalid password")) {
        throw new UserException(what + ": wrong password (keystore MAC mismatch)");
      }
      throw new UserException(what + ": " + m.replaceAll("\\s+", " "));
    } catch (RuntimeException e) {
      throw new UserException(what + " is malformed: " + e.getClass().getSimpleName());
    }
    String recorded = w.getAddress();
    if (recorded != null
        && !recorded.isEmpty()
        && !recorded.replaceFirst("^0[xX]", "").equalsIgnoreCase(Keys.getAddress(key))) {
      throw new UserException(what + ": the address does not match the decrypted key");
    }
    return Credentials.create(key);
  }
}
