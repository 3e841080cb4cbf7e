package org.avsnode.operator.app.run;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * Acceptance: {@code operator run --duties mach} from the packaged binary, configured only with the
 * node's flags, its keystores, the deployment file and {@code --duty-option}s: the duty starts,
 * follows a real L2, signs attestations through the embedded slashing-protection database, and the
 * node stops cleanly on SIGTERM.
 */
class RunMachIT {
  private static final Pattern LISTENING =
      Pattern.compile("node API listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final Pattern SIGNED =
      Pattern.compile("avs_mach_attestations_signed_total\\{outcome=\"signed\",?\\} ([0-9.E]+)");
  private static final SecureRandom RANDOM = new SecureRandom();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A JSON-RPC response whose result is ignored. */
  public static final class VoidResponse extends Response<Object> {}

  @Test
  void machRunsFromTheBinaryWithTheNodesOwnKeysAndDeployment(@TempDir Path dir) throws Exception {
    runMach(dir);
    assertThat(dir.resolve("data/slashing-protection")).isDirectory();
  }

  @Test
  void machSignsThroughASharedPostgresDatabase(@TempDir Path dir) throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      String url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres";
      runMach(dir, "--slashing-protection-db-url", url);
      assertThat(dir.resolve("data/slashing-protection")).doesNotExist();
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM finality_attestation")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1))
            .as("attestations recorded in PostgreSQL")
            .isGreaterThanOrEqualTo(2);
      }
    }
  }

  /**
   * The chaos soak found this: a node restarted while its L1 endpoint garbled answers for a few
   * seconds passed its own start-up checks, then MACH's start failed reading the registry, and the
   * duty stayed down for the life of the process: the operator never signed again. Here the L1
   * endpoint (WireMock in front of the anvil) garbles the first three {@code epochLength()} reads,
   * which only MACH's start makes; the node tries the duty again and it signs.
   */
  @Test
  void machStartsAgainAfterItsStartFailedOnAGarbledL1Answer(@TempDir Path dir) throws Exception {
    WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    try {
      String selector = org.web3j.crypto.Hash.sha3String("epochLength()").substring(2, 10); // no 0x
      String s = "garbled";
      String[] states = {Scenario.STARTED, "1", "2", "ok"};
      for (int i = 0; i < 3; i++) {
        wm.stubFor(
            post(anyUrl())
                .atPriority(1)
                .withRequestBody(containing("eth_call"))
                .withRequestBody(containing(selector))
                .inScenario(s)
                .whenScenarioStateIs(states[i])
                .willReturn(aResponse().withStatus(200).withBody("<html>upstream garbled</html>"))
                .willSetStateTo(states[i + 1]));
      }
      runMach(
          dir,
          l1 -> {
            wm.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(l1)));
            return wm.baseUrl();
          },
          (api, log) -> {
            assertThat(wm.getAllScenarios().getScenarios().get(0).getState())
                .as("the three garbled answers were served")
                .isEqualTo("ok");
            String metrics = get(api + "/metrics").body();
            assertThat(metrics).contains("avs_node_duty_start_failures_total{duty=\"mach\",} 3.0");
            assertThat(Files.readString(log)).contains("duty mach started at attempt 4");
          });
    } finally {
      wm.stop();
    }
  }

  /** Checks made while the node runs, with its API base URL and its log file. */
  private interface RunningCheck {
    void check(String api, Path log) throws Exception;
  }

  private void runMach(Path dir, String... extraArgs) throws Exception {
    runMach(dir, UnaryOperator.identity(), (api, log) -> {}, extraArgs);
  }

  private void runMach(
      Path dir, UnaryOperator<String> l1Front, RunningCheck whileRunning, String... extraArgs)
      throws Exception {
    try (AnvilProcess l1 =
            AnvilProcess.builder()
                .chainId(31337)
                .accounts(1)
                .arg("--block-base-fee-per-gas")
                .arg("0")
                .start();
        AnvilProcess l2 =
            AnvilProcess.builder().chainId(42069).blockTime(Duration.ofSeconds(1)).start()) {
      HttpService service = new HttpService(l1.rpcUrl());
      Web3j web3j = Web3j.build(service);
      Credentials deployer = Credentials.create(Keys.createEcKeyPair(RANDOM));
      Credentials operator = Credentials.create(Keys.createEcKeyPair(RANDOM));
      for (Credentials c : List.of(deployer, operator)) {
        Response<?> r =
            new Request<>(
                    "anvil_setBalance",
                    List.of(c.getAddress(), "0x3635c9adc5dea00000"),
                    service,
                    VoidResponse.class)
                .send();
        assertThat(r.hasError()).isFalse();
      }
      Deployment deployment;
      try {
        deployment = Deployer.deploy(web3j, deployer, Deployer.Config.devnet());
      } finally {
        web3j.shutdown();
      }
      Path deploymentFile = dir.resolve("deployment.json");
      DeploymentJson.write(deployment, deploymentFile);

      String password = "correct horse battery staple";
      BlsSecretKey blsKey = BlsSecretKey.random(RANDOM);
      OperatorKeyFiles keys =
          OperatorKeyFiles.writeLight(
              dir.resolve("keys"), blsKey, operator.getEcKeyPair(), password, RANDOM);
      Path bls = keys.bls().keystoreFile();
      Path ecdsa = keys.ecdsa().keystoreFile();
      Path pw = keys.bls().passwordFile();

      Path data = dir.resolve("data");
      Path log = dir.resolve("node.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(
          Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"))
              .resolve("bin/operator")
              .toString());
      cmd.addAll(
          List.of(
              "run",
              "--http-port",
              "0",
              "--data-path",
              data.toString(),
              "--l1-rpc-url",
              l1Front.apply(l1.rpcUrl()),
              "--deployment-file",
              deploymentFile.toString(),
              "--metrics-enabled",
              "--duties",
              "mach",
              "--bls-keystore-file",
              bls.toString(),
              "--bls-password-file",
              pw.toString(),
              "--ecdsa-keystore-file",
              ecdsa.toString(),
              "--ecdsa-password-file",
              pw.toString(),
              "--duty-option",
              "mach.rollups=42=" + l2.rpcUrl(),
              "--duty-option",
              "mach.aggregators=http://127.0.0.1:9,http://127.0.0.1:10",
              "--duty-option",
              "mach.post-attempts=1"));
      cmd.addAll(List.of(extraArgs));
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        String api = awaitApi(p, log);
        // the duty signs L2 blocks: the counter rises
        double signed = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (signed < 2 && System.nanoTime() < deadline) {
          Matcher m = SIGNED.matcher(get(api + "/metrics").body());
          signed = m.find() ? Double.parseDouble(m.group(1)) : 0;
          Thread.sleep(250);
        }
        assertThat(signed).as(Files.readString(log)).isGreaterThanOrEqualTo(2);
        whileRunning.check(api, log);
        // the operator's registered stake (none: this operator never registered) is exported
        assertThat(get(api + "/metrics").body())
            .contains("eigen_registered_stakes{quorum_number=\"0\",quorum_name=\"mach\",} 0.0");
        // this operator never registered: its duty says so instead of claiming to be healthy
        HttpResponse<String> health = get(api + "/eigen/node/services/mach/health");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!health.body().contains("not registered") && System.nanoTime() < until) {
          Thread.sleep(250);
          health = get(api + "/eigen/node/services/mach/health");
        }
        assertThat(health.statusCode()).as(health.body()).isEqualTo(206);
        assertThat(health.body()).contains("no stake in operator set").contains("not registered");
        String out = Files.readString(log);
        assertThat(out)
            .doesNotContain(password)
            .doesNotContain(org.avsnode.bls.Hex.toHex(blsKey.toBytes()).substring(2));
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  private String awaitApi(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        return m.group(1);
      }
      assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no API line in " + Files.readString(log));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
