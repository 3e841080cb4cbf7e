package org.avsnode.operator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.http.ServiceStatus;
import org.avsnode.operator.keys.OperatorKeyFiles;
import org.avsnode.operator.slashing.RefusalReason;
import org.avsnode.operator.slashing.SigningResult;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Keys;

/**
 * The node wired by Dagger with the no-op metrics module swapped in, over real HTTP and a real L1:
 * keys loaded once, one slashing-protection database shared by every duty.
 */
class NodeRuntimeIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static AnvilProcess anvil;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void l1() {
    anvil = AnvilProcess.builder().chainId(31337).start();
  }

  @AfterAll
  static void stop() {
    anvil.close();
  }

  /** A duty that mounts a route, reports the health the test sets and signs on request. */
  static final class EchoDuty implements Duty {
    volatile Health health = Health.up();
    final DutyContext context;
    final String id;

    EchoDuty(String id, DutyContext context) {
      this.id = id;
      this.context = context;
      context
          .routes()
          .get(
              "/v1/" + id + "/{word}",
              r ->
                  RouteResponse.ok(
                      Map.of(
                          "word",
                          r.pathParam("word"),
                          "greeting",
                          context.config().getOrDefault("greeting", ""))));
    }

    SigningResult attest(long height, byte fill) {
      byte[] b = new byte[32];
      java.util.Arrays.fill(b, fill);
      return context.requireSigner(id).sign(new FinalityAttestation(7, height, b, b, 1));
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void start() {}

    @Override
    public void stop() {}

    @Override
    public Health health() {
      return health;
    }
  }

  private static DutyCatalog catalog(Map<String, EchoDuty> created, String... ids) {
    Map<String, DutyFactory> factories = new HashMap<>();
    for (String id : ids) {
      factories.put(
          id,
          new DutyFactory() {
            @Override
            public String id() {
              return id;
            }

            @Override
            public String description() {
              return "echoes words";
            }

            @Override
            public Duty create(DutyContext context) {
              EchoDuty d = new EchoDuty(id, context);
              created.put(id, d);
              return d;
            }
          });
    }
    return new DutyCatalog(factories);
  }

  /** Keystores (0600), a deployment file for anvil's chain, and settings running {@code duties}. */
  private static NodeSettings.Builder settings(Path data, List<String> duties, long deployedOn)
      throws Exception {
    OperatorKeyFiles keys =
        OperatorKeyFiles.writeLight(
            data.resolve("keys"),
            BlsSecretKey.random(RANDOM),
            Keys.createEcKeyPair(RANDOM),
            "node-runtime-test",
            RANDOM);
    Path deployment = data.resolve("deployment.json");
    DeploymentJson.write(fakeDeployment(deployedOn), deployment);
    return NodeSettings.builder(data.resolve("node"))
        .nodeName("test-node")
        .nodeVersion("9.9.9")
        .httpPort(0)
        .metricsEnabled(true)
        .l1RpcUrl(URI.create(anvil.rpcUrl()))
        .deploymentFile(deployment)
        .confirmations(1)
        .l1PollInterval(Duration.ofMillis(200))
        .l1RequestTimeout(Duration.ofSeconds(5))
        .l1Retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20)))
        .duties(duties)
        .blsKey(keys.bls().keystoreFile(), keys.bls().passwordFile())
        .ecdsaKey(keys.ecdsa().keystoreFile(), keys.ecdsa().passwordFile());
  }

  private static Deployment fakeDeployment(long chainId) {
    String a = "0x00000000000000000000000000000000000000a1";
    return new Deployment(
        Deployment.VERSION,
        chainId,
        1,
        64,
        4,
        0,
        6667,
        a,
        new Deployment.Contracts(a, a, a, a, a, a, a, a, a, a));
  }

  private static NodeRuntime runtime(NodeSettings settings, DutyCatalog catalog) {
    return DaggerTestNodeComponent.factory()
        .create(settings, LogLevelControl.UNSUPPORTED, catalog, DutyObservers.none())
        .runtime();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void dutiesMountRoutesAndDriveTheNodeHealth(@TempDir Path data) throws Exception {
    Map<String, EchoDuty> created = new HashMap<>();
    NodeRuntime runtime =
        runtime(
            settings(data, List.of("echo"), 31337)
                .dutyConfig("echo", Map.of("greeting", "hello"))
                .build(),
            catalog(created, "echo"));
    try {
      runtime.start();
      String api = runtime.apiUrl();
      assertThat(get(api + "/v1/echo/abc").body()).contains("\"word\":\"abc\"").contains("hello");
      assertThat(get(api + "/eigen/node/health").statusCode()).isEqualTo(200);
      created.get("echo").health = Health.partial("slow");
      assertThat(get(api + "/eigen/node/health").statusCode()).isEqualTo(206);
      assertThat(get(api + "/eigen/node/services/echo/health").statusCode()).isEqualTo(206);
      assertThat(get(api + "/eigen/node/services").body()).contains("echoes words");
      // the no-op metrics module: no /metrics route
      assertThat(get(api + "/metrics").statusCode()).isEqualTo(404);
      // the echo duty (partial, 50) and the L1 client (up, 100)
      assertThat(NodeRuntime.score(runtime.overall(), runtime.services())).isEqualTo(75.0);
    } finally {
      runtime.close();
    }
  }

  @Test
  void twoDutiesSignThroughOneKeyAndOneSlashingProtectionDatabase(@TempDir Path data)
      throws Exception {
    Map<String, EchoDuty> created = new HashMap<>();
    NodeSettings s = settings(data, List.of("first", "second"), 31337).build();
    NodeRuntime runtime = runtime(s, catalog(created, "first", "second"));
    try {
      runtime.start();
      SigningResult a = created.get("first").attest(100, (byte) 1);
      assertThat(a.isSigned()).isTrue();
      // the same content again from the other duty: the same key, a repeat is allowed
      assertThat(created.get("second").attest(100, (byte) 1).isSigned()).isTrue();
      // another content at the same height from the other duty: the shared database refuses it
      SigningResult conflict = created.get("second").attest(100, (byte) 2);
      assertThat(conflict.isSigned()).isFalse();
      assertThat(conflict.reason()).isEqualTo(RefusalReason.DOUBLE_SIGN);
    } finally {
      runtime.close();
    }
    // the database was released with the node: a second node on the same data path starts
    NodeRuntime again = runtime(s, catalog(new HashMap<>(), "first", "second"));
    try {
      again.start();
    } finally {
      again.close();
    }
  }

  @Test
  void aSecondNodeOnTheSameDataPathIsRefusedWithOneLine(@TempDir Path data) throws Exception {
    NodeSettings s = settings(data, List.of("echo"), 31337).build();
    NodeRuntime first = runtime(s, catalog(new HashMap<>(), "echo"));
    try {
      first.start();
      NodeRuntime second = runtime(s, catalog(new HashMap<>(), "echo"));
      assertThatThrownBy(second::start)
          .isInstanceOf(NodeStartException.class)
          .hasMessageStartingWith("slashing protection:")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    } finally {
      first.close();
    }
  }

  @Test
  void keysAreLoadedStrictly(@TempDir Path data) throws Exception {
    NodeSettings s = settings(data, List.of("echo"), 31337).build();
    Path pw = s.blsKey().orElseThrow().passwordFile();
    // a password file others may read is refused, naming the fix
    Files.setPosixFilePermissions(
        pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> runtime(s, catalog(new HashMap<>(), "echo")).start())
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("accessible by group/others")
        .hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(
        pw, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.writeString(pw, "not the password\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> runtime(s, catalog(new HashMap<>(), "echo")).start())
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("wrong password")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void anUnknownDutyOrAWrongChainRefusesToStart(@TempDir Path data) throws Exception {
    NodeRuntime unknown =
        runtime(
            settings(data.resolve("a"), List.of("nope"), 31337).build(),
            catalog(new HashMap<>(), "echo"));
    assertThatThrownBy(unknown::start)
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("unknown duties [nope]");
    NodeRuntime flag =
        runtime(
            settings(data.resolve("b"), List.of(), 31337).l1ChainId(5L).build(),
            catalog(new HashMap<>(), "echo"));
    assertThatThrownBy(flag::start)
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("serves chain id 31337, but --l1-chain-id is 5");
    // no --l1-chain-id: the deployment file's chain id is checked
    NodeRuntime file =
        runtime(
            settings(data.resolve("c"), List.of("echo"), 5).build(),
            catalog(new HashMap<>(), "echo"));
    assertThatThrownBy(file::start)
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("the deployment file is for chain id 5");
    NodeRuntime ok =
        runtime(
            settings(data.resolve("d"), List.of(), 31337).l1ChainId(31337L).build(),
            catalog(new HashMap<>(), "echo"));
    try {
      ok.start();
      List<ServiceStatus> services = ok.services();
      assertThat(services).extracting(ServiceStatus::id).containsExactly("l1");
      assertThat(services.get(0).health().status()).isEqualTo(Health.Status.UP);
      assertThat(ok.overall()).isEqualTo(Health.down("no duty enabled"));
      assertThat(NodeRuntime.score(ok.overall(), services)).isZero();
    } finally {
      ok.close();
    }
  }
}
