package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Keys;

/**
 * Acceptance: what an operator gets wrong at start-up is one line on stderr and exit code 2, from
 * the packaged binary: a wrong keystore password, a database in use by another node, an unreachable
 * L1, an L1 of another chain than the deployment file's, a missing or malformed deployment file.
 */
class RunUserErrorsIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static AnvilProcess anvil;

  @BeforeAll
  static void l1() {
    anvil = AnvilProcess.builder().chainId(31337).start();
  }

  @AfterAll
  static void stop() {
    anvil.close();
  }

  private record Result(int code, String out) {}

  private static Path binary() {
    return Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"))
        .resolve("bin/operator");
  }

  private static Path deployment(Path dir, long chainId) {
    String a = "0x00000000000000000000000000000000000000a1";
    Path f = dir.resolve("deployment-" + chainId + ".json");
    DeploymentJson.write(
        new Deployment(
            Deployment.VERSION,
            chainId,
            1,
            64,
            4,
            0,
            6667,
            a,
            new Deployment.Contracts(a, a, a, a, a, a, a, a, a, a)),
        f);
    return f;
  }

  private static List<String> args(Path dir, OperatorKeyFiles keys, String l1, Path deployment) {
    return new ArrayList<>(
        List.of(
            "run",
            "--http-port",
            "0",
            "--data-path",
            dir.resolve("data").toString(),
            "--l1-rpc-url",
            l1,
            "--deployment-file",
            deployment.toString(),
            "--duties",
            "mach",
            "--bls-keystore-file",
            keys.bls().keystoreFile().toString(),
            "--bls-password-file",
            keys.bls().passwordFile().toString(),
            "--ecdsa-keystore-file",
            keys.ecdsa().keystoreFile().toString(),
            "--ecdsa-password-file",
            keys.ecdsa().passwordFile().toString(),
            "--duty-option",
            "mach.rollups=42=http://127.0.0.1:1"));
  }

  private static Process start(Path dir, List<String> args, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(args);
    return new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static Result run(Path dir, List<String> args) throws Exception {
    Path log = Files.createTempFile(dir, "run", ".log");
    Process p = start(dir, args, log);
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("exits by itself").isTrue();
      return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  private static void assertOneLineUserError(Result r, String expected) {
    assertThat(r.code()).as(r.out()).isEqualTo(2);
    List<String> errors = r.out().lines().filter(l -> l.startsWith("error: ")).toList();
    assertThat(errors).as(r.out()).hasSize(1);
    assertThat(errors.get(0)).contains(expected);
    assertThat(r.out()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
  }

  private static OperatorKeyFiles keys(Path dir) throws Exception {
    return OperatorKeyFiles.writeLight(
        dir.resolve("keys"),
        BlsSecretKey.random(RANDOM),
        Keys.createEcKeyPair(RANDOM),
        "right password",
        RANDOM);
  }

  @Test
  void wrongPasswordUnreachableL1WrongChainAndBadDeploymentFiles(@TempDir Path dir)
      throws Exception {
    OperatorKeyFiles keys = keys(dir);
    Path good = deployment(dir, 31337);

    Path wrongPw = dir.resolve("wrong.txt");
    Files.writeString(wrongPw, "wrong password\n");
    Files.setPosixFilePermissions(
        wrongPw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    List<String> a = args(dir, keys, anvil.rpcUrl(), good);
    a.set(a.indexOf("--bls-password-file") + 1, wrongPw.toString());
    assertOneLineUserError(run(dir, a), "wrong password");

    assertOneLineUserError(run(dir, args(dir, keys, "http://127.0.0.1:1", good)), "L1");

    assertOneLineUserError(
        run(dir, args(dir, keys, anvil.rpcUrl(), deployment(dir, 5))),
        "the deployment file is for chain id 5");

    Path malformed = dir.resolve("malformed.json");
    Files.writeString(malformed, "{\"version\": 1,");
    assertOneLineUserError(
        run(dir, args(dir, keys, anvil.rpcUrl(), malformed)), "deployment file " + malformed);

    assertOneLineUserError(
        run(dir, args(dir, keys, anvil.rpcUrl(), dir.resolve("none.json"))), "does not exist");
  }

  @Test
  void aSecondNodeOnTheSameDatabaseIsRefused(@TempDir Path dir) throws Exception {
    OperatorKeyFiles keys = keys(dir);
    List<String> a = args(dir, keys, anvil.rpcUrl(), deployment(dir, 31337));
    Path log = dir.resolve("first.log");
    Process first = start(dir, a, log);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(log).contains("node API listening on")) {
        assertThat(first.isAlive()).as(Files.readString(log)).isTrue();
        assertThat(System.nanoTime()).as(Files.readString(log)).isLessThan(deadline);
        Thread.sleep(100);
      }
      assertOneLineUserError(run(dir, a), "slashing protection");
    } finally {
      first.destroy();
      if (!first.waitFor(30, TimeUnit.SECONDS)) {
        first.destroyForcibly();
      }
    }
  }
}
