package org.avsnode.operator.app.registration;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.keys.EcdsaKeystore;
import org.avsnode.operator.keys.KeystoreRef;
import org.avsnode.operator.keys.SecretFiles;
import org.avsnode.operator.keys.StrictKeystores;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletFile;

/**
 * Opens the node's keystores for the registration commands: the ECDSA key (V3) that signs L1
 * transactions and the BLS key (EIP-2335) whose proof of possession is registered. Passwords come
 * from the password files of the node configuration; no key material is printed or logged. Every
 * failure is a one-line {@link UserException}.
 */
final class OperatorKeys {
  private OperatorKeys() {}

  /** Decrypts the BLS key. */
  static BlsSecretKey bls(KeystoreRef ref) {
    return StrictKeystores.bls(ref.keystoreFile(), ref.passwordFile());
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
    byte[] bytes = SecretFiles.read(file, "ECDSA keystore");
    try {
      return EcdsaKeystore.parse(
          "ECDSA keystore " + file, new String(bytes, StandardCharsets.UTF_8));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The address the V3 keystore records, without decrypting; empty if it records none. */
  static Optional<String> ecdsaAddress(KeystoreRef ref) {
    String a = EcdsaKeystore.address(walletFile(ref.keystoreFile()));
    return a.equals("unknown") ? Optional.empty() : Optional.of(a);
  }

  /** Decrypts the ECDSA key, refusing KDF cost parameters beyond what keystores use. */
  static Credentials ecdsa(KeystoreRef ref) {
    return Credentials.create(StrictKeystores.ecdsa(ref.keystoreFile(), ref.passwordFile()));
  }
}
