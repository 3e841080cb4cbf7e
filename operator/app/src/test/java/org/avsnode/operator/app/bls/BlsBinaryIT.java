package org.avsnode.operator.app.bls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bls, keys and config features through the packaged binary, run as a process. */
class BlsBinaryIT {

  private record Run(int code, String out, String err) {}

  private static Path binary() {
    Path dist = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"));
    Path bin = dist.resolve("bin/operator");
    assertThat(bin).as("packaged launcher").isExecutable();
    return bin;
  }

  private static Run run(Path workDir, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(workDir, "out", ".txt");
    Path err = Files.createTempFile(workDir, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // start from a clean AVS_* environment so the developer's settings cannot leak in
    pb.environment().keySet().removeIf(k -> k.startsWith("AVS_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("operator %s finished", args).isTrue();
      return new Run(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void keygenSignVerifyRoundTripThroughTheBinary(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("bls.key");
    Run keygen = run(dir, Map.of(), "bls", "keygen", "--out", key.toString());
    assertThat(keygen.code()).as(keygen.err()).isZero();
    String pk = keygen.out().trim();
    assertThat(pk).matches("0x[0-9a-f]{96}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");

    Run sign =
        run(
            dir,
            Map.of(),
            "bls",
            "sign",
            "--secret-key-file",
            key.toString(),
            "--message",
            "0xc0ffee");
    assertThat(sign.code()).as(sign.err()).isZero();
    String sig = sign.out().trim();
    assertThat(sig).matches("0x[0-9a-f]{192}");
    String secret = Files.readString(key).trim().substring(2);
    assertThat(keygen.out() + keygen.err() + sign.out() + sign.err()).doesNotContain(secret);

    Run ok =
        run(
            dir,
            Map.of(),
            "bls",
            "verify",
            "--public-key",
            pk,
            "--message",
            "0xc0ffee",
            "--signature",
            sig);
    assertThat(ok.code()).isZero();
    assertThat(ok.out().trim()).isEqualTo("valid");

    Run wrong =
        run(
            dir,
            Map.of(),
            "bls",
            "verify",
            "--public-key",
            pk,
            "--message",
            "0xc0ffef",
            "--signature",
            sig);
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.out().trim()).isEqualTo("invalid");

    Run malformed =
        run(
            dir,
            Map.of(),
            "bls",
            "verify",
            "--public-key",
            "0x12",
            "--message",
            "0x",
            "--signature",
            sig);
    assertThat(malformed.code()).isEqualTo(2);
    assertThat(malformed.err().lines().filter(l -> !l.isBlank())).hasSize(1);
  }

  @Test
  void keysAndConfigErrorsThroughTheBinary(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Run created =
        run(
            dir,
            Map.of("AVS_DATA_PATH", data.toString(), "OPERATOR_PW", "a long test password"),
            "keys",
            "create",
            "--type",
            "bls",
            "--kdf",
            "pbkdf2",
            "--password-env",
            "OPERATOR_PW");
    assertThat(created.code()).as(created.err()).isZero();
    assertThat(created.out()).startsWith("bls    0x").contains(data.resolve("keys").toString());
    assertThat(created.out() + created.err()).doesNotContain("a long test password");

    Run listed = run(dir, Map.of("AVS_DATA_PATH", data.toString()), "keys", "list");
    assertThat(listed.code()).isZero();
    assertThat(listed.out()).isEqualTo(created.out());

    Path cfg = Files.writeString(dir.resolve("node.yaml"), "data-pth: /x\n");
    Run bad = run(dir, Map.of(), "keys", "list", "--config-file", cfg.toString());
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err().lines().filter(l -> !l.isBlank()).toList())
        .containsExactly(
            "error: config file " + cfg + ": unknown key 'data-pth' (did you mean 'data-path'?)");
  }
}
