package org.avsnode.operator.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.exception.CipherException;

/**
 * Writes an operator's two keystores and their password file, owner-only, the way {@code operator
 * keys create} lays them out, so that programs that make keys for throwaway operators (the devnet,
 * tests) hand the node files and the node loads them on its one path.
 *
 * @param bls the BLS keystore and its password file
 * @param ecdsa the ECDSA keystore and its password file
 */
public record OperatorKeyFiles(KeystoreRef bls, KeystoreRef ecdsa) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Writes {@code bls.json}, {@code ecdsa.json} and {@code password.txt} into {@code dir} (created
   * 0700). The KDF costs are the light ones (PBKDF2 8192 rounds, scrypt n = 4096): for throwaway
   * keys only; {@code operator keys create} uses the standard costs.
   *
   * @throws KeyFileException if a file exists already or cannot be written
   */
  public static OperatorKeyFiles writeLight(
      Path dir, BlsSecretKey bls, ECKeyPair ecdsa, String password, SecureRandom random) {
    SecretFiles.ensurePrivateDirectory(dir);
    Path pw = dir.resolve("password.txt");
    SecretFiles.writeNewSecretFile(pw, (password + "\n").getBytes(StandardCharsets.UTF_8));
    Path blsFile = dir.resolve("bls.json");
    SecretFiles.writeNewSecretFile(
        blsFile,
        Eip2335Keystore.encrypt(bls, password, Eip2335Keystore.Kdf.PBKDF2, 8192, "", "", random)
            .toJson()
            .getBytes(StandardCharsets.UTF_8));
    Path ecdsaFile = dir.resolve("ecdsa.json");
    try {
      SecretFiles.writeNewSecretFile(
          ecdsaFile, JSON.writeValueAsBytes(Wallet.createLight(password, ecdsa)));
    } catch (CipherException | IOException e) {
      throw new KeyFileException("cannot create the V3 keystore: " + e.getMessage());
    }
    return new OperatorKeyFiles(new KeystoreRef(blsFile, pw), new KeystoreRef(ecdsaFile, pw));
  }
}
