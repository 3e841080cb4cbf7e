package org.avsnode.operator.app.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: {@code operator run} from the packaged binary against a real anvil, queried over HTTP
 * on the port it reports, stopped with SIGTERM.
 */
class RunCommandIT {
  private static final Pattern LISTENING =
      Pattern.compile("node API listening on (http://127\\.0\\.0\\.1:\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static AnvilProcess anvil;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startAnvil() {
    anvil = AnvilProcess.builder().chainId(31337).blockTime(Duration.ofSeconds(1)).start();
  }

  @AfterAll
  static void stopAnvil() {
    if (anvil != null) {
      anvil.close();
    }
  }

  private static Path binary() {
    Path dist = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"));
    Path bin = dist.resolve("bin/operator");
    assertThat(bin).as("packaged launcher").isExecutable();
    return bin;
  }

  private static Process launch(Path dir, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary().toString());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private static List<String> runArgs(Path dir, long chainId) throws Exception {
    Path deployment = dir.resolve("deployment.json");
    String a = "0x00000000000000000000000000000000000000a1";
    DeploymentJson.write(
        new Deployment(
            Deployment.VERSION,
            31337,
            1,
            64,
            4,
            0,
            6667,
            a,
            new Deployment.Contracts(a, a, a, a, a, a, a, a, a, a)),
        deployment);
    return List.of(
        "run",
        "--http-port",
        "0",
        "--data-path",
        dir.resolve("data").toString(),
        "--l1-rpc-url",
        anvil.rpcUrl(),
        "--l1-chain-id",
        Long.toString(chainId),
        "--deployment-file",
        deployment.toString(),
        "--duties",
        "",
        "--metrics-enabled",
        "--l1-poll-interval",
        "500ms");
  }

  private HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String awaitApiUrl(Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      String out = Files.readString(log, StandardCharsets.UTF_8);
      Matcher m = LISTENING.matcher(out);
      if (m.find()) {
        return m.group(1);
      }
      assertThat(p.isAlive()).as("operator exited early:\n%s", out).isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no API line in:\n" + Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  void servesTheNodeApiAndMetricsAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("operator.log");
    Process p = launch(dir, log, runArgs(dir, 31337).toArray(String[]::new));
    try {
      String api = awaitApiUrl(p, log);

      HttpResponse<String> node = get(api + "/eigen/node");
      assertThat(node.statusCode()).isEqualTo(200);
      JsonNode n = JSON.readTree(node.body());
      assertThat(n.get("node_name").asText()).isEqualTo("avs-operator");
      assertThat(n.get("spec_version").asText()).isEqualTo("v0.0.1");
      assertThat(n.get("node_version").asText()).startsWith("0.1.0");

      HttpResponse<String> health = get(api + "/eigen/node/health");
      assertThat(health.statusCode()).as(health.body()).isEqualTo(503);
      assertThat(health.body()).contains("no duty enabled");

      JsonNode services = JSON.readTree(get(api + "/eigen/node/services").body());
      assertThat(services.get("services").get(0).get("id").asText()).isEqualTo("l1");
      assertThat(get(api + "/eigen/node/services/l1/health").statusCode()).isEqualTo(200);

      // the head tracker keeps polling anvil, which mines every second
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      String metrics = get(api + "/metrics").body();
      java.util.function.Predicate<String> polled =
          m ->
              m.contains("eigen_rpc_request_total{method=\"eth_getBlockByNumber\"")
                  && Pattern.compile("avs_chain_head_block [1-9]").matcher(m).find();
      while (!polled.test(metrics) && System.nanoTime() < until) {
        Thread.sleep(200);
        metrics = get(api + "/metrics").body();
      }
      assertThat(metrics)
          .contains("eigen_performance_score 0.0")
          .containsPattern(
              "eigen_rpc_request_total\\{method=\"eth_getBlockByNumber\",client_version=\"anvil[^\"]*\",\\} [1-9]")
          .contains("eigen_rpc_request_duration_seconds_bucket")
          .containsPattern("avs_chain_head_block [1-9]")
          .contains("jvm_memory_bytes_used");

      Path tokenFile = dir.resolve("data/admin-token");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
          .isEqualTo("rw-------");
      assertThat(get(api + "/admin/duties").statusCode()).isEqualTo(401);
      String token = Files.readString(tokenFile).trim();
      assertThat(get(api + "/admin/duties", "Authorization", "Bearer " + token).statusCode())
          .isEqualTo(200);

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped in time").isTrue();
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("node stopped").doesNotContain("Exception").doesNotContain(token);
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWrongChainIdRefusesToStartWithOneClearLine(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("operator.log");
    Process p = launch(dir, log, runArgs(dir, 1).toArray(String[]::new));
    try {
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isEqualTo(2);
      assertThat(out)
          .contains(
              "error: L1 " + anvil.rpcUrl() + " serves chain id 31337, but --l1-chain-id is 1")
          .doesNotContain("at org.");
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
