package org.avsnode.operator.app.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.avsnode.operator.app.config.Cli;
import org.avsnode.operator.app.config.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument and configuration checks of the registration commands (no network). */
class RegistrationCommandsTest {
  @TempDir Path dir;

  @Test
  void wadAcceptsScientificPlainAndPercent() {
    BigInteger wad = BigInteger.TEN.pow(18);
    assertThat(Wad.parse("1e18")).isEqualTo(wad);
    assertThat(Wad.parse("1000000000000000000")).isEqualTo(wad);
    assertThat(Wad.parse("5e17")).isEqualTo(wad.divide(BigInteger.TWO));
    assertThat(Wad.parse("0.5e18")).isEqualTo(wad.divide(BigInteger.TWO));
    assertThat(Wad.parse("50%")).isEqualTo(wad.divide(BigInteger.TWO));
    assertThat(Wad.parse("100%")).isEqualTo(wad);
    assertThat(Wad.parse("12.5 %")).isEqualTo(new BigInteger("125000000000000000"));
    assertThat(Wad.parse("0")).isZero();
    for (String bad : List.of("", "abc", "2e18", "101%", "-1", "0.5", "1e-3", "1e999999999999")) {
      assertThatThrownBy(() -> Wad.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--allocation-wad");
    }
  }

  private Path deploymentFile() throws Exception {
    Path f = dir.resolve("deployment.json");
    String a = "0x" + "11".repeat(20);
    Files.writeString(
        f,
        "{\"version\":1,\"chainId\":31337,\"deploymentBlock\":1,\"epochLength\":32,"
            + "\"maxEpochAge\":2,\"operatorSetId\":0,\"thresholdBps\":6667,\"deployer\":\""
            + a
            + "\",\"contracts\":{\"testToken\":\""
            + a
            + "\",\"strategy\":\""
            + a
            + "\",\"delegationManager\":\""
            + a
            + "\",\"strategyManager\":\""
            + a
            + "\",\"allocationManager\":\""
            + a
            + "\",\"avsRegistry\":\""
            + a
            + "\",\"finalityOracle\":\""
            + a
            + "\",\"slashingCoordinator\":\""
            + a
            + "\",\"outputOracle\":\""
            + a
            + "\"}}");
    return f;
  }

  @Test
  void registerWithoutAnEcdsaKeyIsOneLineExit2() throws Exception {
    Result r =
        Cli.run(
            "register",
            "--data-path",
            dir.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:1",
            "--deployment-file",
            deploymentFile().toString(),
            "--duties",
            "");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("--ecdsa-keystore-file");
  }

  @Test
  void badAllocationWadIsOneLineExit2() throws Exception {
    Path ks = dir.resolve("ks.json");
    Path pw = dir.resolve("pw.txt");
    Files.writeString(ks, "{}");
    Files.writeString(pw, "password");
    Result r =
        Cli.run(
            "register",
            "--data-path",
            dir.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:1",
            "--deployment-file",
            deploymentFile().toString(),
            "--ecdsa-keystore-file",
            ks.toString(),
            "--ecdsa-password-file",
            pw.toString(),
            "--bls-keystore-file",
            ks.toString(),
            "--bls-password-file",
            pw.toString(),
            "--allocation-wad",
            "150%");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("--allocation-wad");
  }

  @Test
  void aKeystoreThatIsNotOneIsOneLineExit2() throws Exception {
    Path ks = dir.resolve("ks.json");
    Path pw = dir.resolve("pw.txt");
    Files.writeString(ks, "{\"version\": 3}");
    Files.writeString(pw, "password\n");
    Result r =
        Cli.run(
            "deregister",
            "--data-path",
            dir.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:1",
            "--deployment-file",
            deploymentFile().toString(),
            "--ecdsa-keystore-file",
            ks.toString(),
            "--ecdsa-password-file",
            pw.toString(),
            "--duties",
            "");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("is not a V3 keystore");
  }

  @Test
  void statusRejectsAMalformedOperatorAddressAndAMalformedDeployment() throws Exception {
    Result r =
        Cli.run(
            "status",
            "--data-path",
            dir.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:1",
            "--deployment-file",
            deploymentFile().toString(),
            "--duties",
            "",
            "--operator",
            "0x1234");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).singleElement().asString().contains("--operator");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"version\":1}");
    Result s =
        Cli.run(
            "status",
            "--data-path",
            dir.toString(),
            "--l1-rpc-url",
            "http://127.0.0.1:1",
            "--deployment-file",
            broken.toString(),
            "--duties",
            "",
            "--operator",
            "0x" + "ab".repeat(20));
    assertThat(s.code()).isEqualTo(2);
    assertThat(s.errLines()).singleElement().asString().contains("deployment file");
  }

  @Test
  void theCommandsAreListed() {
    Result r = Cli.run("--help");
    assertThat(r.out()).contains("register").contains("deregister").contains("status");
  }
}
