package org.avsnode.operator.app.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.Hex;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.bls.keystore.KeystoreException;
import org.avsnode.operator.app.config.Cli;
import org.avsnode.operator.app.config.Cli.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;

class KeysCommandTest {
  /** EIP-2335's test password: NFKD turns the Fraktur letters into "testpassword". */
  static final String EIP_PASSWORD =
      "\uD835\uDD31\uD835\uDD22\uD835\uDD30\uD835\uDD31\uD835\uDD2D\uD835\uDD1E\uD835\uDD30"
          + "\uD835\uDD30\uD835\uDD34\uD835\uDD2C\uD835\uDD2F\uD835\uDD21\uD83D\uDD11";

  static final String EIP_PUBKEY =
      "0x9612d7a727c9d0a22e185a1c768478dfe919cada9266988cb32359c11f2b7b27f4ae4040902382ae2910c15e2b420d07";
  static final String EIP_SECRET =
      "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";

  @TempDir Path dir;
  private Path keys;
  private Path passwordFile;
  private final List<String> allOutput = new ArrayList<>();
  private ListAppender<ILoggingEvent> logs;
  private Level rootLevel;

  @BeforeEach
  void setUp() throws Exception {
    keys = dir.resolve("data/keys");
    passwordFile = dir.resolve("password.txt");
    ownerOnly(Files.writeString(passwordFile, EIP_PASSWORD + "\n", StandardCharsets.UTF_8));
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    root.setLevel(Level.ALL);
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
  }

  private static Path ownerOnly(Path file) throws Exception {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @AfterEach
  void tearDown() {
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.setLevel(rootLevel);
  }

  private Result keys(Map<String, String> env, String... args) {
    String[] full = new String[args.length + 1];
    full[0] = "keys";
    System.arraycopy(args, 0, full, 1, args.length);
    Result r = Cli.run(env, full);
    allOutput.add(r.out());
    allOutput.add(r.err());
    return r;
  }

  private Result keys(String... args) {
    return keys(Map.of(), args);
  }

  /** Everything the commands printed or logged, for the "no key material anywhere" checks. */
  private String everything() {
    StringBuilder sb = new StringBuilder(String.join("\n", allOutput));
    for (ILoggingEvent e : logs.list) {
      sb.append('\n').append(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        sb.append('\n').append(e.getThrowableProxy().getMessage());
      }
    }
    return sb.toString();
  }

  private void assertNoSecretAnywhere(String secretHex) {
    String all = everything().toLowerCase();
    assertThat(all).doesNotContain(secretHex.toLowerCase().replaceFirst("^0x", ""));
    assertThat(everything()).doesNotContain(EIP_PASSWORD).doesNotContain("testpassword");
  }

  private static List<Path> files(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"create", "import", "list"})
  void everySubcommandHasHelp(String sub) {
    Result r = keys(sub, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: operator keys " + sub).contains("AVS_DATA_PATH");
    if (!sub.equals("list")) {
      assertThat(r.out()).contains("--password-file").contains("--password-env");
    }
  }

  @Test
  void keysWithoutASubcommandIsAUsageError() {
    assertThat(keys().code()).isEqualTo(2);
    assertThat(keys("--help").out()).contains("create").contains("import").contains("list");
  }

  @Test
  void createBlsWritesAnEip2335KeystoreThatOpensWithTheEipsPasswordRules() throws Exception {
    Result r =
        keys(
            "create",
            "--type",
            "bls",
            "--kdf",
            "pbkdf2",
            "--keys-dir",
            keys.toString(),
            "--password-file",
            passwordFile.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<Path> created = files(keys);
    assertThat(created).hasSize(1);
    Path file = created.get(0);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
        .isEqualTo("rwx------");

    Eip2335Keystore ks = Eip2335Keystore.read(file);
    assertThat(ks.kdfFunction()).isEqualTo("pbkdf2");
    // the password file's trailing newline is not part of the password; NFKD makes the Fraktur
    // letters plain ASCII, so the plain spelling opens the keystore too
    BlsSecretKey a = ks.decrypt(EIP_PASSWORD);
    BlsSecretKey b = ks.decrypt("testpassword\uD83D\uDD11");
    assertThat(a).isEqualTo(b);
    assertThatThrownBy(() -> ks.decrypt("testpassword")).isInstanceOf(KeystoreException.class);
    String pubkey = a.publicKey().toHex();
    assertThat(r.out().trim()).isEqualTo("bls    " + pubkey + " " + file);
    assertThat(file.getFileName().toString()).isEqualTo("bls-" + pubkey.substring(2) + ".json");
    assertNoSecretAnywhere(Hex.toHex(a.toBytes()));
  }

  @Test
  void createBlsUsesStandardScryptByDefault() throws Exception {
    Result r =
        keys(
            Map.of("AVS_DATA_PATH", dir.resolve("data").toString(), "PW", "correct horse battery"),
            "create",
            "--type",
            "bls",
            "--password-env",
            "PW");
    assertThat(r.code()).as(r.err()).isZero();
    Path file = files(keys).get(0);
    String json = Files.readString(file);
    assertThat(json).contains("\"scrypt\"").contains("262144").contains("\"version\" : 4");
    Eip2335Keystore ks = Eip2335Keystore.read(file);
    assertThat(ks.kdfFunction()).isEqualTo("scrypt");
    assertThat(r.out()).contains(ks.publicKey().orElseThrow().toHex());
    // (decrypting scrypt keystores is covered by bls-native and the ECDSA test; it costs seconds)
    assertThat(everything()).doesNotContain("correct horse battery");
  }

  @Test
  void createEcdsaWritesAStandardV3Keystore() throws Exception {
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-r--r--"));
    Result r =
        keys(
            "create",
            "--type",
            "ecdsa",
            "--keys-dir",
            keys.toString(),
            "--password-file",
            passwordFile.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("warning: password file " + passwordFile)
        .contains("rw-r--r--")
        .contains("chmod 600");
    Path file = files(keys).get(0);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    WalletFile w = EcdsaKeystore.JSON.readValue(file.toFile(), WalletFile.class);
    assertThat(w.getVersion()).isEqualTo(3);
    assertThat(w.getCrypto().getKdf()).isEqualTo("scrypt");
    assertThat(Files.readString(file)).contains("262144");
    ECKeyPair key = Wallet.decrypt(EIP_PASSWORD, w);
    String address = Credentials.create(key).getAddress();
    assertThat(r.out().trim()).isEqualTo("ecdsa  " + Keys.toChecksumAddress(address) + " " + file);
    assertNoSecretAnywhere(key.getPrivateKey().toString(16));
  }

  @Test
  void importsTheEipKeystoreWithTheEipPasswordAndListsIt() throws Exception {
    Path vector = dir.resolve("vector.json");
    try (InputStream in = getClass().getResourceAsStream("eip2335-pbkdf2.json")) {
      Files.write(vector, in.readAllBytes());
    }
    Result r =
        keys(
            Map.of("KEY_PW", EIP_PASSWORD),
            "import",
            "--type",
            "bls",
            "--keystore-file",
            vector.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-env",
            "KEY_PW");
    assertThat(r.code()).as(r.err()).isZero();
    Path imported = keys.resolve("bls-" + EIP_PUBKEY.substring(2) + ".json");
    assertThat(r.out().trim()).isEqualTo("bls    " + EIP_PUBKEY + " " + imported);
    assertThat(Files.readAllBytes(imported)).isEqualTo(Files.readAllBytes(vector));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(imported)))
        .isEqualTo("rw-------");

    Result list = keys("list", "--keys-dir", keys.toString());
    assertThat(list.code()).isZero();
    assertThat(list.out().trim()).isEqualTo("bls    " + EIP_PUBKEY + " " + imported);

    Result again =
        keys(
            Map.of("KEY_PW", EIP_PASSWORD),
            "import",
            "--type",
            "bls",
            "--keystore-file",
            vector.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-env",
            "KEY_PW");
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("already exists");
    assertNoSecretAnywhere(EIP_SECRET);
  }

  @Test
  void aWrongPasswordIsOneClearLineWithoutAStackTrace() throws Exception {
    Path vector = dir.resolve("vector.json");
    try (InputStream in = getClass().getResourceAsStream("eip2335-pbkdf2.json")) {
      Files.write(vector, in.readAllBytes());
    }
    Path wrong = ownerOnly(Files.writeString(dir.resolve("wrong.txt"), "testpassword\n"));
    Result r =
        keys(
            "import",
            "--type",
            "bls",
            "--keystore-file",
            vector.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-file",
            wrong.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .containsExactly(
            "error: keystore " + vector + ": wrong password (keystore checksum mismatch)");
    assertThat(Files.exists(keys)).isFalse();

    // the same for a V3 keystore
    ECKeyPair ec = Keys.createEcKeyPair(new SecureRandom());
    Path v3 = dir.resolve("v3.json");
    Files.writeString(
        v3, EcdsaKeystore.JSON.writeValueAsString(Wallet.createLight("right password", ec)));
    Result e =
        keys(
            "import",
            "--type",
            "ecdsa",
            "--keystore-file",
            v3.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-file",
            wrong.toString());
    assertThat(e.code()).isEqualTo(2);
    assertThat(e.errLines())
        .containsExactly("error: keystore " + v3 + ": wrong password (keystore MAC mismatch)");

    Result ok =
        keys(
            Map.of("P", "right password"),
            "import",
            "--type",
            "ecdsa",
            "--keystore-file",
            v3.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-env",
            "P");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains(Keys.toChecksumAddress(Keys.getAddress(ec)));
    assertNoSecretAnywhere(ec.getPrivateKey().toString(16));
    assertThat(everything()).doesNotContain("right password");
  }

  @Test
  void importsRawSecretKeysIntoNewKeystoresWithoutPrintingThem() throws Exception {
    BlsSecretKey bls = BlsSecretKey.random(new SecureRandom());
    String blsHex = Hex.toHexPrefixed(bls.toBytes());
    Path blsFile = dir.resolve("bls.key");
    Files.writeString(blsFile, blsHex + "\n");
    Files.setPosixFilePermissions(blsFile, PosixFilePermissions.fromString("rw-------"));
    Result r =
        keys(
            "import",
            "--type",
            "bls",
            "--secret-key-file",
            blsFile.toString(),
            "--kdf",
            "pbkdf2",
            "--keys-dir",
            keys.toString(),
            "--password-file",
            passwordFile.toString());
    assertThat(r.code()).as(r.err()).isZero();
    Path ks = keys.resolve("bls-" + bls.publicKey().toHex().substring(2) + ".json");
    assertThat(Eip2335Keystore.read(ks).decrypt(EIP_PASSWORD)).isEqualTo(bls);

    ECKeyPair ec = Keys.createEcKeyPair(new SecureRandom());
    String ecHex = String.format("%064x", ec.getPrivateKey());
    Path ecFile = dir.resolve("ec.key");
    Files.writeString(ecFile, "0x" + ecHex + "\n");
    Files.setPosixFilePermissions(ecFile, PosixFilePermissions.fromString("rw-r--r--"));
    Result e =
        keys(
            "import",
            "--type",
            "ecdsa",
            "--secret-key-file",
            ecFile.toString(),
            "--keys-dir",
            keys.toString(),
            "--password-file",
            passwordFile.toString());
    assertThat(e.code()).as(e.err()).isZero();
    assertThat(e.err()).contains("warning").contains("rw-r--r--");
    String address = Keys.toChecksumAddress(Keys.getAddress(ec));
    assertThat(e.out()).contains(address);

    Result list = keys("list", "--keys-dir", keys.toString());
    assertThat(list.out().lines().toList())
        .containsExactly(
            "bls    " + bls.publicKey().toHex() + " " + ks,
            "ecdsa  "
                + address
                + " "
                + keys.resolve("ecdsa-" + address.substring(2).toLowerCase() + ".json"));
    assertNoSecretAnywhere(blsHex);
    assertNoSecretAnywhere(ecHex);
  }

  @Test
  void badInputsAreUsageErrorsOfOneLine() throws Exception {
    Path shortPw = ownerOnly(Files.writeString(dir.resolve("short.txt"), "1234567\n"));
    Path badKey = Files.writeString(dir.resolve("bad.key"), "0x" + "00".repeat(32));
    Files.setPosixFilePermissions(badKey, PosixFilePermissions.fromString("rw-------"));
    String[][] cases = {
      {"create", "--type", "ecdsa", "--kdf", "pbkdf2", "--password-file", passwordFile.toString()},
      {"create", "--type", "bls", "--password-file", shortPw.toString()},
      {"create", "--type", "bls", "--password-env", "NOT_SET"},
      {"create", "--type", "bls", "--password-file", dir.resolve("none").toString()},
      {
        "import",
        "--type",
        "ecdsa",
        "--secret-key-file",
        badKey.toString(),
        "--password-file",
        passwordFile.toString()
      },
      {
        "import",
        "--type",
        "bls",
        "--secret-key-file",
        badKey.toString(),
        "--password-file",
        passwordFile.toString()
      },
      {
        "import",
        "--type",
        "bls",
        "--keystore-file",
        passwordFile.toString(),
        "--password-file",
        passwordFile.toString()
      },
    };
    for (String[] c : cases) {
      String[] args = new String[c.length + 2];
      System.arraycopy(c, 0, args, 0, c.length);
      args[c.length] = "--keys-dir";
      args[c.length + 1] = keys.toString();
      Result r = keys(args);
      assertThat(r.code()).as(String.join(" ", c) + "\n" + r.err()).isEqualTo(2);
      assertThat(r.errLines()).as(r.err()).hasSize(1);
      assertThat(r.err()).startsWith("error: ").doesNotContain("\tat ");
    }
    // a password can never be given on the command line
    Result pw = keys("create", "--type", "bls", "--password", "x");
    assertThat(pw.code()).isEqualTo(2);
    assertThat(Files.exists(keys)).isFalse();
  }

  @Test
  void theKeysDirectoryComesFromTheEnvironmentOrTheConfigFile() throws Exception {
    Path data = dir.resolve("envdata");
    Result none = keys(Map.of("AVS_DATA_PATH", data.toString()), "list");
    assertThat(none.code()).isZero();
    assertThat(none.err()).contains(data.resolve("keys").toString()).contains("does not exist");

    Path custom = dir.resolve("custom-keys");
    Path cfg = Files.writeString(dir.resolve("node.yaml"), "keys-dir: " + custom + "\n");
    Result fromYaml =
        keys(
            "create",
            "--type",
            "bls",
            "--kdf",
            "pbkdf2",
            "--config-file",
            cfg.toString(),
            "--password-file",
            passwordFile.toString());
    assertThat(fromYaml.code()).as(fromYaml.err()).isZero();
    assertThat(files(custom)).hasSize(1);

    Path typo = Files.writeString(dir.resolve("typo.yaml"), "keys-dri: /x\n");
    Result bad = keys("list", "--config-file", typo.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.errLines())
        .containsExactly(
            "error: config file " + typo + ": unknown key 'keys-dri' (did you mean 'keys-dir'?)");
  }

  @Test
  void listSkipsFilesThatAreNotKeystores() throws Exception {
    Files.createDirectories(keys);
    Files.writeString(keys.resolve("notes.json"), "{\"hello\": 1}");
    Files.writeString(keys.resolve("broken.json"), "{");
    Result r = keys("list", "--keys-dir", keys.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .contains("skipped " + keys.resolve("notes.json"))
        .contains("skipped " + keys.resolve("broken.json"))
        .contains("no keystores in " + keys);
  }
}
