package org.avsnode.operator.app.bls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.Hex;
import org.avsnode.operator.app.config.Cli;
import org.avsnode.operator.app.config.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlsCommandTest {
  @TempDir Path dir;

  private static final String MSG = "0x48656c6c6f2c20415653";

  private Path keygen(String name) {
    Path f = dir.resolve(name);
    Result r = Cli.run("bls", "keygen", "--out", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
    return f;
  }

  private static String hexOf(Path keyFile) throws Exception {
    return Files.readString(keyFile, StandardCharsets.US_ASCII).trim();
  }

  @ParameterizedTest
  @ValueSource(strings = {"keygen", "sign", "verify", "aggregate", "pop"})
  void everySubcommandHasHelp(String sub) {
    Result r = Cli.run("bls", sub, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Usage: operator bls " + sub);
  }

  @Test
  void emptyListsAreOneLineUsageErrors() {
    Result agg = Cli.run("bls", "aggregate", "--signatures", ",,");
    assertThat(agg.code()).as(agg.err()).isEqualTo(2);
    assertThat(agg.err()).contains("--signatures").doesNotContain("Exception");
    Result verify =
        Cli.run(
            "bls",
            "verify",
            "--public-keys",
            ",",
            "--message",
            MSG,
            "--signature",
            "0x" + "00".repeat(96));
    assertThat(verify.code()).as(verify.out() + verify.err()).isEqualTo(2);
    assertThat(verify.out()).doesNotContain("invalid");
    assertThat(verify.err()).contains("--public-key");
  }

  @Test
  void blsWithoutASubcommandIsAUsageError() {
    Result r = Cli.run("bls");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("subcommand is required");
    assertThat(Cli.run("bls", "--help").out()).contains("keygen").contains(Bls.DST_SIG);
  }

  @Test
  void keygenWritesAnOwnerOnlyKeyFileAndPrintsItsPublicKey() throws Exception {
    Path f = keygen("k1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-------");
    String content = Files.readString(f, StandardCharsets.US_ASCII);
    assertThat(content).matches("0x[0-9a-f]{64}\n");
    BlsSecretKey sk = BlsSecretKey.fromBytes(Hex.fromHex(content.trim()));
    Result again = Cli.run("bls", "keygen", "--out", dir.resolve("k2").toString());
    assertThat(again.out().trim()).matches("0x[0-9a-f]{96}").isNotEqualTo(sk.publicKey().toHex());
    // the first run's stdout was its public key
    Path f3 = dir.resolve("k3");
    Result r3 = Cli.run("bls", "keygen", "--out", f3.toString());
    assertThat(r3.out().trim())
        .isEqualTo(BlsSecretKey.fromBytes(Hex.fromHex(hexOf(f3))).publicKey().toHex())
        .doesNotContain(hexOf(f3).substring(2));
    assertThat(r3.err()).doesNotContain(hexOf(f3).substring(2));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsOnly("k1", "k2", "k3");
    }
  }

  @Test
  void keygenRefusesToOverwrite() throws Exception {
    Path f = dir.resolve("existing");
    Files.writeString(f, "keep me");
    Result r = Cli.run("bls", "keygen", "--out", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("refusing to overwrite");
    assertThat(Files.readString(f)).isEqualTo("keep me");
  }

  @Test
  void signThenVerifyRoundTripsAndATamperedSignatureExits1() throws Exception {
    Path f = keygen("key");
    BlsSecretKey sk = BlsSecretKey.fromBytes(Hex.fromHex(hexOf(f)));
    String pk = sk.publicKey().toHex();

    Result sign = Cli.run("bls", "sign", "--secret-key-file", f.toString(), "--message", MSG);
    assertThat(sign.code()).as(sign.err()).isZero();
    assertThat(sign.err()).isEmpty(); // mode 0600: no warning
    String sig = sign.out().trim();
    assertThat(sig).matches("0x[0-9a-f]{192}");
    // the standard POP ciphersuite, checked independently of the command
    assertThat(Bls.verify(sk.publicKey(), Hex.fromHex(MSG), BlsSignature.fromHex(sig))).isTrue();

    Result ok = Cli.run("bls", "verify", "--public-key", pk, "--message", MSG, "--signature", sig);
    assertThat(ok.code()).isZero();
    assertThat(ok.out().trim()).isEqualTo("valid");

    Result otherMessage =
        Cli.run("bls", "verify", "--public-key", pk, "--message", "0x00", "--signature", sig);
    assertThat(otherMessage.code()).isEqualTo(1);
    assertThat(otherMessage.out().trim()).isEqualTo("invalid");

    // a different valid point: the signature of another message
    String tampered = sk.sign(new byte[] {1, 2, 3}).toHex();
    Result bad =
        Cli.run("bls", "verify", "--public-key", pk, "--message", MSG, "--signature", tampered);
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out().trim()).isEqualTo("invalid");
  }

  @Test
  void aFlippedByteInTheSignatureIsInvalidOrMalformedNeverValid() throws Exception {
    Path f = keygen("key");
    String pk = BlsSecretKey.fromBytes(Hex.fromHex(hexOf(f))).publicKey().toHex();
    String sig =
        Cli.run("bls", "sign", "--secret-key-file", f.toString(), "--message", MSG).out().trim();
    byte[] b = Hex.fromHex(sig);
    b[50] ^= 0x01;
    Result r =
        Cli.run(
            "bls",
            "verify",
            "--public-key",
            pk,
            "--message",
            MSG,
            "--signature",
            Hex.toHexPrefixed(b));
    // a flipped x-coordinate bit is almost always off the curve (exit 2), else invalid (exit 1)
    assertThat(r.code()).isIn(1, 2);
    assertThat(r.out().trim()).isNotEqualTo("valid");
  }

  @Test
  void malformedInputsExit2WithOneLine() throws Exception {
    Path f = keygen("key");
    String pk = BlsSecretKey.fromBytes(Hex.fromHex(hexOf(f))).publicKey().toHex();
    String sig =
        Cli.run("bls", "sign", "--secret-key-file", f.toString(), "--message", MSG).out().trim();
    String[][] cases = {
      {"verify", "--public-key", "0x1234", "--message", MSG, "--signature", sig},
      {"verify", "--public-key", pk, "--message", "0xzz", "--signature", sig},
      {"verify", "--public-key", pk, "--message", MSG, "--signature", sig.substring(0, 100)},
      {"verify", "--public-key", "0x" + "00".repeat(48), "--message", MSG, "--signature", sig},
      {"verify", "--public-key", pk, "--message", "0x123", "--signature", sig},
      {"sign", "--secret-key-file", f.toString(), "--message", "hello"},
      {"sign", "--secret-key-file", dir.resolve("missing").toString(), "--message", MSG},
      {"aggregate", "--signatures", sig + ",0xabcd"},
      {"aggregate", "--public-keys", pk + ",nothex"},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length + 1];
      args[0] = "bls";
      System.arraycopy(c, 0, args, 1, c.length);
      Result r = Cli.run(args);
      assertThat(r.code()).as(String.join(" ", c) + "\n" + r.err()).isEqualTo(2);
      assertThat(r.errLines()).as(r.err()).hasSize(1);
      assertThat(r.err()).startsWith("error: ").doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void aBadSecretKeyFileIsOneLineWithoutItsContent() throws Exception {
    Path f = dir.resolve("bad");
    // the group order r itself: 64 hex digits, but not a valid key
    String r = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
    Files.writeString(f, "0x" + r + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    Result res = Cli.run("bls", "sign", "--secret-key-file", f.toString(), "--message", MSG);
    assertThat(res.code()).isEqualTo(2);
    assertThat(res.errLines()).hasSize(1);
    assertThat(res.err()).contains("group order").doesNotContain(r);
    Files.writeString(f, "0x" + "g".repeat(64));
    res = Cli.run("bls", "pop", "--secret-key-file", f.toString());
    assertThat(res.code()).isEqualTo(2);
    assertThat(res.err()).contains("not hex").doesNotContain("gggg");
  }

  @Test
  void aGroupReadableKeyFileWarnsButStillSigns() throws Exception {
    Path f = keygen("key");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    Result r = Cli.run("bls", "sign", "--secret-key-file", f.toString(), "--message", MSG);
    assertThat(r.code()).isZero();
    assertThat(r.err()).startsWith("warning: ").contains("rw-r-----").contains("chmod 600");
    assertThat(r.out().trim()).matches("0x[0-9a-f]{192}");
  }

  @Test
  void aggregateMatchesTheLibraryAndVerifiesWithSeveralPublicKeys() {
    SecureRandom rnd = new SecureRandom();
    BlsSecretKey a = BlsSecretKey.random(rnd);
    BlsSecretKey b = BlsSecretKey.random(rnd);
    byte[] m = Hex.fromHex(MSG);
    String sa = a.sign(m).toHex();
    String sb = b.sign(m).toHex();
    Result sigs = Cli.run("bls", "aggregate", "--signatures", sa + "," + sb);
    assertThat(sigs.code()).isZero();
    String agg = sigs.out().trim();
    assertThat(agg)
        .isEqualTo(
            BlsSignature.aggregate(List.of(BlsSignature.fromHex(sa), BlsSignature.fromHex(sb)))
                .toHex());
    Result keys =
        Cli.run(
            "bls",
            "aggregate",
            "--public-keys",
            a.publicKey().toHex(),
            "--public-keys",
            b.publicKey().toHex());
    assertThat(keys.code()).isZero();
    assertThat(keys.out().trim())
        .isEqualTo(BlsPublicKey.aggregate(List.of(a.publicKey(), b.publicKey())).toHex());

    String both = a.publicKey().toHex() + "," + b.publicKey().toHex();
    assertThat(
            Cli.run("bls", "verify", "--public-keys", both, "--message", MSG, "--signature", agg)
                .code())
        .isZero();
    assertThat(
            Cli.run(
                    "bls",
                    "verify",
                    "--public-keys",
                    a.publicKey().toHex(),
                    "--message",
                    MSG,
                    "--signature",
                    agg)
                .code())
        .isEqualTo(1);
    // both --signatures and --public-keys, or neither: usage error
    assertThat(Cli.run("bls", "aggregate").code()).isEqualTo(2);
    assertThat(Cli.run("bls", "aggregate", "--signatures", sa, "--public-keys", both).code())
        .isEqualTo(2);
  }

  @Test
  void popIsTheProofOfPossessionOfTheKey() throws Exception {
    Path f = keygen("key");
    BlsSecretKey sk = BlsSecretKey.fromBytes(Hex.fromHex(hexOf(f)));
    Result r = Cli.run("bls", "pop", "--secret-key-file", f.toString());
    assertThat(r.code()).isZero();
    BlsSignature pop = BlsSignature.fromHex(r.out().trim());
    assertThat(Bls.verifyProofOfPossession(sk.publicKey(), pop)).isTrue();
    assertThat(Bls.verify(sk.publicKey(), sk.publicKey().toBytes(), pop)).isFalse();
  }
}
