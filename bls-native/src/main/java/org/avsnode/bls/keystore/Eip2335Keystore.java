package org.avsnode.bls.keystore;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.avsnode.bls.BlsException;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.Hex;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * An EIP-2335 (version 4) BLS keystore: KDF scrypt or PBKDF2-HMAC-SHA256, checksum SHA-256 over
 * DK[16..32] ‖ ciphertext, cipher AES-128-CTR with DK[0..16]. Passwords are normalised as the EIP
 * says: NFKD, then C0 (U+0000–U+001F), Delete (U+007F) and C1 (U+0080–U+009F) removed, then UTF-8.
 * Instances are immutable; nothing here logs or prints secrets or passwords.
 */
public final class Eip2335Keystore {
  /** The key derivation function of a keystore. */
  public enum Kdf {
    SCRYPT,
    PBKDF2
  }

  /** Default cost parameters (the EIP's test vectors use these). */
  public static final int SCRYPT_N = 262_144;

  public static final int SCRYPT_R = 8;
  public static final int SCRYPT_P = 1;
  public static final int PBKDF2_C = 262_144;

  // Upper bounds on untrusted cost parameters (memory for scrypt is 128·n·r bytes).
  private static final long SCRYPT_MAX_MEMORY = 1L << 30;
  private static final int PBKDF2_MAX_C = 10_000_000;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final JsonNode json;
  private final String path;
  private final String uuid;
  private final String description;
  private final Optional<BlsPublicKey> publicKey;

  private Eip2335Keystore(JsonNode json) {
    this.json = json.deepCopy();
    if (!json.path("version").isInt() || json.path("version").asInt() != 4) {
      throw new KeystoreException("keystore version must be 4");
    }
    this.path = requireText(json, "path");
    this.uuid = requireText(json, "uuid");
    this.description = json.path("description").asText("");
    JsonNode crypto = json.path("crypto");
    for (String module : new String[] {"kdf", "checksum", "cipher"}) {
      JsonNode m = crypto.path(module);
      if (!m.path("function").isTextual()
          || !m.path("params").isObject()
          || !m.path("message").isTextual()) {
        throw new KeystoreException("keystore crypto." + module + " is malformed");
      }
    }
    JsonNode pub = json.get("pubkey");
    if (pub != null && pub.isTextual() && !pub.asText().isEmpty()) {
      try {
        this.publicKey = Optional.of(BlsPublicKey.fromHex(pub.asText()));
      } catch (BlsException e) {
        throw new KeystoreException("keystore pubkey is invalid: " + e.getMessage());
      }
    } else {
      this.publicKey = Optional.empty();
    }
  }

  private static String requireText(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new KeystoreException("keystore field '" + field + "' missing or not a string");
    }
    return v.asText();
  }

  /** Parses keystore JSON (structure only; the password is checked by {@link #decrypt}). */
  public static Eip2335Keystore parse(String jsonText) {
    Objects.requireNonNull(jsonText, "json");
    try {
      JsonNode n = JSON.readTree(jsonText);
      if (n == null || !n.isObject()) {
        throw new KeystoreException("keystore is not a JSON object");
      }
      return new Eip2335Keystore(n);
    } catch (JsonProcessingException e) {
      throw new KeystoreException("keystore is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** Reads and parses a keystore file. */
  public static Eip2335Keystore read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KeystoreException("cannot read keystore " + file + ": " + e.getMessage(), e);
    }
  }

  /** Encrypts with the default cost parameters of the chosen KDF. */
  public static Eip2335Keystore encrypt(
      BlsSecretKey key,
      String password,
      Kdf kdf,
      String path,
      String description,
      SecureRandom random) {
    return encrypt(
        key, password, kdf, kdf == Kdf.SCRYPT ? SCRYPT_N : PBKDF2_C, path, description, random);
  }

  /**
   * Encrypts {@code key}. {@code cost} is scrypt's n (a power of two) or PBKDF2's iteration count.
   */
  public static Eip2335Keystore encrypt(
      BlsSecretKey key,
      String password,
      Kdf kdf,
      int cost,
      String path,
      String description,
      SecureRandom random) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(kdf, "kdf");
    Objects.requireNonNull(random, "random");
    byte[] salt = new byte[32];
    byte[] iv = new byte[16];
    random.nextBytes(salt);
    random.nextBytes(iv);
    ObjectNode root = JSON.createObjectNode();
    ObjectNode crypto = root.putObject("crypto");
    ObjectNode kdfNode = crypto.putObject("kdf");
    ObjectNode kp = JSON.createObjectNode();
    if (kdf == Kdf.SCRYPT) {
      kdfNode.put("function", "scrypt");
      kp.put("dklen", 32).put("n", cost).put("r", SCRYPT_R).put("p", SCRYPT_P);
    } else {
      kdfNode.put("function", "pbkdf2");
      kp.put("dklen", 32).put("c", cost).put("prf", "hmac-sha256");
    }
    kp.put("salt", Hex.toHex(salt));
    kdfNode.set("params", kp);
    kdfNode.put("message", "");
    byte[] dk = deriveKey(kdfNode, normalisePassword(password));
    byte[] secret = key.toBytes();
    try {
      byte[] ciphertext = aes128Ctr(dk, iv, secret);
      ObjectNode checksum = crypto.putObject("checksum");
      checksum.put("function", "sha256");
      checksum.putObject("params");
      checksum.put("message", Hex.toHex(checksum(dk, ciphertext)));
      ObjectNode cipher = crypto.putObject("cipher");
      cipher.put("function", "aes-128-ctr");
      cipher.putObject("params").put("iv", Hex.toHex(iv));
      cipher.put("message", Hex.toHex(ciphertext));
    } finally {
      Arrays.fill(secret, (byte) 0);
      Arrays.fill(dk, (byte) 0);
    }
    root.put("description", description == null ? "" : description);
    root.put("pubkey", Hex.toHex(key.publicKey().toBytes()));
    root.put("path", path == null ? "" : path);
    root.put("uuid", UUID.randomUUID().toString());
    root.put("version", 4);
    return new Eip2335Keystore(root);
  }

  /**
   * Decrypts the secret key.
   *
   * @throws KeystoreException on a wrong password (checksum mismatch), unsupported modules,
   *     out-of-range parameters, or a secret that is not a valid key / does not match the pubkey
   */
  public BlsSecretKey decrypt(String password) {
    Objects.requireNonNull(password, "password");
    JsonNode crypto = json.path("crypto");
    JsonNode checksumNode = crypto.path("checksum");
    JsonNode cipherNode = crypto.path("cipher");
    if (!"sha256".equals(checksumNode.path("function").asText())) {
      throw new KeystoreException(
          "unsupported checksum function: " + checksumNode.path("function").asText());
    }
    if (!"aes-128-ctr".equals(cipherNode.path("function").asText())) {
      throw new KeystoreException(
          "unsupported cipher function: " + cipherNode.path("function").asText());
    }
    byte[] ciphertext = hex(cipherNode.path("message").asText(), "cipher.message");
    byte[] iv = hex(cipherNode.path("params").path("iv").asText(), "cipher.params.iv");
    if (iv.length != 16) {
      throw new KeystoreException("cipher iv must be 16 bytes");
    }
    byte[] expected = hex(checksumNode.path("message").asText(), "checksum.message");
    byte[] dk = deriveKey(crypto.path("kdf"), normalisePassword(password));
    byte[] secret = null;
    try {
      if (!MessageDigest.isEqual(checksum(dk, ciphertext), expected)) {
        throw new KeystoreException("wrong password (keystore checksum mismatch)");
      }
      secret = aes128Ctr(dk, iv, ciphertext);
      BlsSecretKey key;
      try {
        key = BlsSecretKey.fromBytes(secret);
      } catch (BlsException e) {
        throw new KeystoreException("keystore secret is not a valid BLS key: " + e.getMessage());
      }
      if (publicKey.isPresent() && !publicKey.get().equals(key.publicKey())) {
        key.destroy();
        throw new KeystoreException("keystore pubkey does not match the decrypted secret");
      }
      return key;
    } finally {
      Arrays.fill(dk, (byte) 0);
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  /** The EIP's password processing: NFKD, strip C0, C1 and Delete, UTF-8. */
  public static byte[] normalisePassword(String password) {
    String nfkd = Normalizer.normalize(password, Normalizer.Form.NFKD);
    StringBuilder sb = new StringBuilder(nfkd.length());
    nfkd.codePoints()
        .filter(cp -> !(cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)))
        .forEach(sb::appendCodePoint);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] deriveKey(JsonNode kdf, byte[] password) {
    try {
      String function = kdf.path("function").asText();
      JsonNode p = kdf.path("params");
      int dklen = intParam(p, "dklen");
      if (dklen < 32 || dklen > 1024) {
        throw new KeystoreException("kdf dklen must be between 32 and 1024");
      }
      byte[] salt = hex(p.path("salt").asText(), "kdf.params.salt");
      switch (function) {
        case "scrypt" -> {
          int n = intParam(p, "n");
          int r = intParam(p, "r");
          int par = intParam(p, "p");
          if (n < 2 || Integer.bitCount(n) != 1 || r < 1 || par < 1) {
            throw new KeystoreException(
                "scrypt parameters invalid (n a power of two > 1, r, p >= 1)");
          }
          if (128L * n * r > SCRYPT_MAX_MEMORY || (long) r * par >= (1 << 30)) {
            throw new KeystoreException("scrypt parameters exceed the supported memory bound");
          }
          return SCrypt.generate(password, salt, n, r, par, dklen);
        }
        case "pbkdf2" -> {
          if (!"hmac-sha256".equals(p.path("prf").asText())) {
            throw new KeystoreException("unsupported pbkdf2 prf: " + p.path("prf").asText());
          }
          int c = intParam(p, "c");
          if (c < 1 || c > PBKDF2_MAX_C) {
            throw new KeystoreException("pbkdf2 iteration count out of range");
          }
          PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
          gen.init(password, salt, c);
          return ((KeyParameter) gen.generateDerivedParameters(dklen * 8)).getKey();
        }
        default -> throw new KeystoreException("unsupported kdf function: " + function);
      }
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  private static int intParam(JsonNode params, String name) {
    JsonNode v = params.get(name);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new KeystoreException("kdf parameter '" + name + "' missing or not an integer");
    }
    return v.intValue();
  }

  private static byte[] hex(String s, String field) {
    try {
      return Hex.fromHex(s);
    } catch (BlsException e) {
      throw new KeystoreException("keystore field " + field + " is not hex");
    }
  }

  private static byte[] checksum(byte[] dk, byte[] ciphertext) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(dk, 16, 16);
      return sha.digest(ciphertext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static byte[] aes128Ctr(byte[] dk, byte[] iv, byte[] input) {
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dk, 0, 16, "AES"), new IvParameterSpec(iv));
      return c.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new KeystoreException("AES-128-CTR failed: " + e.getMessage(), e);
    }
  }

  /** The keystore as (pretty-printed) JSON. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the keystore atomically: a temporary file in the same directory, fsync, then rename. */
  public void write(Path file) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(java.nio.ByteBuffer.wrap(toJson().getBytes(StandardCharsets.UTF_8)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new KeystoreException("cannot write keystore " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort clean-up of the temporary file
        }
      }
    }
  }

  public String path() {
    return path;
  }

  public String uuid() {
    return uuid;
  }

  public String description() {
    return description;
  }

  /** The public key recorded in the keystore, if any. */
  public Optional<BlsPublicKey> publicKey() {
    return publicKey;
  }

  public String kdfFunction() {
    return json.path("crypto").path("kdf").path("function").asText();
  }

  @Override
  public String toString() {
    return "Eip2335Keystore[uuid=" + uuid + ", path=" + path + ", kdf=" + kdfFunction() + "]";
  }
}
