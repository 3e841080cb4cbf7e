package org.avsnode.bls.keystore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EIP-2335's own two test keystores, plus write/read round trips. */
class Eip2335KeystoreTest {
  private static final String PASSWORD =
      "\uD835\uDD31\uD835\uDD22\uD835\uDD30\uD835\uDD31\uD835\uDD2D\uD835\uDD1E\uD835\uDD30"
          + "\uD835\uDD30\uD835\uDD34\uD835\uDD2C\uD835\uDD2F\uD835\uDD21\uD83D\uDD11";
  private static final String SECRET =
      "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
  private static final String PUBKEY =
      "9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07";

  static final String SCRYPT_VECTOR =
      """
      {"crypto": {
        "kdf": {"function": "scrypt",
                "params": {"dklen": 32, "n": 262144, "p": 1, "r": 8,
                  "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
                "message": ""},
        "checksum": {"function": "sha256", "params": {},
          "message": "d2217fe5f3e9a1e34581ef8a78f7c9928e436d36dacc5e846690a5581e8ea484"},
        "cipher": {"function": "aes-128-ctr", "params": {"iv": "264daa3f303d7259501c93d997d84fe6"},
          "message": "06ae90d55fe0a6e9c5c3bc5b170827b2e5cce3929ed3f116c2811e6366dfe20f"}},
       "description": "This is a test keystore that uses scrypt to secure the secret.",
       "pubkey": "%s",
       "path": "m/12381/60/3141592653/589793238",
       "uuid": "1d85ae20-35c5-4611-98e8-aa14a633906f",
       "version": 4}
      """
          .formatted(PUBKEY);

  static final String PBKDF2_VECTOR =
      """
      {"crypto": {
        "kdf": {"function": "pbkdf2",
                "params": {"dklen": 32, "c": 262144, "prf": "hmac-sha256",
                  "salt": "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
                "message": ""},
        "checksum": {"function": "sha256", "params": {},
          "message": "8a9f5d9912ed7e75ea794bc5a89bca5f193721d30868ade6f73043c6ea6febf1"},
        "cipher": {"function": "aes-128-ctr", "params": {"iv": "264daa3f303d7259501c93d997d84fe6"},
          "message": "cee03fde2af33149775b7223e7845e4fb2c8ae1792e5f99fe9ecf474cc8c16ad"}},
       "description": "This is a test keystore that uses PBKDF2 to secure the secret.",
       "pubkey": "%s",
       "path": "m/12381/60/0/0",
       "uuid": "64625def-3331-4eea-ab6f-782f3ed16a83",
       "version": 4}
      """
          .formatted(PUBKEY);

  @Test
  void passwordNormalisationMatchesTheEip() {
    assertThat(Hex.toHex(Eip2335Keystore.normalisePassword(PASSWORD)))
        .isEqualTo("7465737470617373776f7264f09f9491");
    assertThat(Eip2335Keystore.normalisePassword("a\u0000b\u007fc\u0085d\u001f e"))
        .isEqualTo("abcd e".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void decryptsTheEipScryptVector() {
    Eip2335Keystore ks = Eip2335Keystore.parse(SCRYPT_VECTOR);
    assertThat(ks.kdfFunction()).isEqualTo("scrypt");
    BlsSecretKey sk = ks.decrypt(PASSWORD);
    assertThat(Hex.toHex(sk.toBytes())).isEqualTo(SECRET);
    assertThat(Hex.toHex(sk.publicKey().toBytes())).isEqualTo(PUBKEY);
    assertThat(ks.path()).isEqualTo("m/12381/60/3141592653/589793238");
  }

  @Test
  void decryptsTheEipPbkdf2VectorAndRejectsAWrongPassword() {
    Eip2335Keystore ks = Eip2335Keystore.parse(PBKDF2_VECTOR);
    assertThat(Hex.toHex(ks.decrypt(PASSWORD).toBytes())).isEqualTo(SECRET);
    assertThatThrownBy(() -> ks.decrypt("testpassword"))
        .isInstanceOf(KeystoreException.class)
        .hasMessageContaining("wrong password");
    // the normalised form of the password is the same password
    assertThat(Hex.toHex(ks.decrypt("testpassword\uD83D\uDD11").toBytes())).isEqualTo(SECRET);
  }

  @Test
  void writeAndReadBackBothKdfs(@TempDir Path dir) {
    SecureRandom rnd = new SecureRandom();
    BlsSecretKey sk = BlsSecretKey.random(rnd);
    for (Eip2335Keystore.Kdf kdf : Eip2335Keystore.Kdf.values()) {
      int cost = kdf == Eip2335Keystore.Kdf.SCRYPT ? 1 << 10 : 1000;
      Eip2335Keystore ks =
          Eip2335Keystore.encrypt(sk, "pass word", kdf, cost, "m/12381/3600/0/0/0", "t", rnd);
      assertThat(ks.toJson()).doesNotContain(Hex.toHex(sk.toBytes()));
      Path file = dir.resolve(kdf + ".json");
      ks.write(file);
      Eip2335Keystore back = Eip2335Keystore.read(file);
      assertThat(back.decrypt("pass word")).isEqualTo(sk);
      assertThat(back.publicKey()).contains(sk.publicKey());
      assertThat(back.uuid()).isEqualTo(ks.uuid());
      assertThatThrownBy(() -> back.decrypt("pass-word")).isInstanceOf(KeystoreException.class);
    }
  }

  @Test
  void malformedKeystoresGiveTypedErrors() {
    assertThatThrownBy(() -> Eip2335Keystore.parse("{")).isInstanceOf(KeystoreException.class);
    assertThatThrownBy(() -> Eip2335Keystore.parse("[]")).isInstanceOf(KeystoreException.class);
    assertThatThrownBy(
            () -> Eip2335Keystore.parse(PBKDF2_VECTOR.replace("\"version\": 4", "\"version\": 3")))
        .isInstanceOf(KeystoreException.class);
    Eip2335Keystore hugeN =
        Eip2335Keystore.parse(SCRYPT_VECTOR.replace("\"n\": 262144", "\"n\": 1073741824"));
    assertThatThrownBy(() -> hugeN.decrypt(PASSWORD)).isInstanceOf(KeystoreException.class);
    Eip2335Keystore badKdf =
        Eip2335Keystore.parse(PBKDF2_VECTOR.replace("\"pbkdf2\"", "\"argon2\""));
    assertThatThrownBy(() -> badKdf.decrypt(PASSWORD))
        .isInstanceOf(KeystoreException.class)
        .hasMessageContaining("argon2");
    Eip2335Keystore wrongPub =
        Eip2335Keystore.parse(
            PBKDF2_VECTOR.replace(
                PUBKEY, Hex.toHex(BlsSecretKey.random(new SecureRandom()).publicKey().toBytes())));
    assertThatThrownBy(() -> wrongPub.decrypt(PASSWORD))
        .isInstanceOf(KeystoreException.class)
        .hasMessageContaining("pubkey");
  }
}
