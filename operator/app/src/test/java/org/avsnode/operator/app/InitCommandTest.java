package org.avsnode.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.operator.app.config.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitCommandTest {
  private static Path secret(Path dir, String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    return p;
  }

  @Test
  void writesKeysAndAConfigFileThatTheOtherCommandsRead(@TempDir Path dir) throws Exception {
    Path bls = secret(dir, "bls.pass", "a long bls password\n");
    Path ecdsa = secret(dir, "ecdsa.pass", "a long ecdsa password\n");
    Path config = dir.resolve("node.yaml");
    Path data = dir.resolve("data");
    Cli.Result r =
        Cli.run(
            "init",
            "--config-file",
            config.toString(),
            "--data-path",
            data.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:8545",
            "--bls-password-file",
            bls.toString(),
            "--ecdsa-password-file",
            ecdsa.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Next steps:")
        .contains("operator register --config-file " + config)
        .contains("operator status --config-file " + config)
        .contains("operator run --config-file " + config)
        .contains("fill in deployment-file")
        .doesNotContain("a long");
    String text = Files.readString(config);
    assertThat(text)
        .contains("l1-rpc-url: 'http://127.0.0.1:8545'")
        .contains("# deployment-file:")
        .contains("duties: [mach, vital]")
        .doesNotContain("a long bls password");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("keys"))))
        .isEqualTo("rwx------");

    // the file is a valid configuration: keys list reads data-path from it and finds both keys
    Cli.Result list = Cli.run("keys", "list", "--config-file", config.toString());
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out().lines()).hasSize(2);
    // the BLS keystore opens with the password it names, and holds the key init printed
    Matcher m = Pattern.compile("bls-keystore-file: '([^']+)'").matcher(text);
    assertThat(m.find()).isTrue();
    BlsSecretKey key = Eip2335Keystore.read(Path.of(m.group(1))).decrypt("a long bls password");
    try {
      assertThat(r.out()).contains(key.publicKey().toHex());
    } finally {
      key.destroy();
    }

    // nothing is overwritten
    Cli.Result again =
        Cli.run(
            "init",
            "--config-file",
            config.toString(),
            "--data-path",
            data.toString(),
            "--bls-password-file",
            bls.toString(),
            "--ecdsa-password-file",
            ecdsa.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err().strip())
        .isEqualTo("error: the configuration file exists already: " + config);
    try (Stream<Path> s = Files.list(data.resolve("keys"))) {
      assertThat(s.count()).isEqualTo(2);
    }
  }

  @Test
  void passwordsNeverComeFromArgumentsAndBadOnesStopWithOneLine(@TempDir Path dir)
      throws Exception {
    Path config = dir.resolve("node.yaml");
    // no password file and no terminal (tests run without a console)
    Cli.Result noTerminal =
        Cli.run(
            "init", "--config-file", config.toString(), "--data-path", dir.resolve("d").toString());
    assertThat(noTerminal.code()).isEqualTo(2);
    assertThat(noTerminal.err().strip())
        .isEqualTo(
            "error: no BLS password: give --bls-password-file FILE (a prompt needs a terminal)");
    assertThat(Cli.run("init", "--config-file", config.toString(), "--password", "x").code())
        .isEqualTo(2);
    Path shortPw = secret(dir, "short.pass", "short\n");
    Cli.Result tooShort =
        Cli.run(
            "init",
            "--config-file",
            config.toString(),
            "--data-path",
            dir.resolve("d").toString(),
            "--bls-password-file",
            shortPw.toString(),
            "--ecdsa-password-file",
            shortPw.toString());
    assertThat(tooShort.code()).isEqualTo(2);
    assertThat(tooShort.err()).contains("too short");
    assertThat(config).doesNotExist();
    assertThat(List.of(dir.resolve("d"))).allMatch(p -> !Files.exists(p.resolve("keys")));
  }
}
