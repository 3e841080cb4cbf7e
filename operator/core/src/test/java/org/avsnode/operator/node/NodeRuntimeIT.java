package org.avsnode.operator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.http.HttpServerConfig;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.http.ServiceStatus;
import org.avsnode.operator.spi.Duty;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;
import org.avsnode.operator.spi.Health;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node wired by Dagger with the no-op metrics module swapped in, over real HTTP. */
class NodeRuntimeIT {
  private final HttpClient http = HttpClient.newHttpClient();

  /** A duty that mounts a route and reports the health the test sets. */
  static final class EchoDuty implements Duty {
    volatile Health health = Health.up();
    final DutyContext context;

    EchoDuty(DutyContext context) {
      this.context = context;
      context
          .routes()
          .get(
              "/v1/echo/{word}",
              r ->
                  RouteResponse.ok(
                      Map.of(
                          "word",
                          r.pathParam("word"),
                          "greeting",
                          context.config().get("greeting"))));
    }

    @Override
    public String id() {
      return "echo";
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

  private static DutyCatalog catalog(EchoDuty[] created) {
    DutyFactory f =
        new DutyFactory() {
          @Override
          public String id() {
            return "echo";
          }

          @Override
          public String description() {
            return "echoes words";
          }

          @Override
          public Duty create(DutyContext context) {
            created[0] = new EchoDuty(context);
            return created[0];
          }
        };
    return new DutyCatalog(Map.of("echo", f));
  }

  private static NodeSettings settings(
      Path data, Set<String> duties, Optional<String> l1, OptionalLong chainId) {
    return new NodeSettings(
        "test-node",
        "9.9.9",
        data,
        HttpServerConfig.loopback(0),
        Optional.empty(),
        true,
        l1,
        chainId,
        1,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20)),
        duties,
        Map.of("echo", Map.of("greeting", "hello")));
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void dutiesMountRoutesAndDriveTheNodeHealth(@TempDir Path data) throws Exception {
    EchoDuty[] created = new EchoDuty[1];
    NodeRuntime runtime =
        DaggerTestNodeComponent.factory()
            .create(
                settings(data, Set.of("echo"), Optional.empty(), OptionalLong.empty()),
                LogLevelControl.UNSUPPORTED,
                catalog(created))
            .runtime();
    try {
      runtime.start();
      String api = runtime.apiUrl();
      assertThat(get(api + "/v1/echo/abc").body()).contains("\"word\":\"abc\"").contains("hello");
      assertThat(get(api + "/eigen/node/health").statusCode()).isEqualTo(200);
      created[0].health = Health.partial("slow");
      assertThat(get(api + "/eigen/node/health").statusCode()).isEqualTo(206);
      assertThat(get(api + "/eigen/node/services/echo/health").statusCode()).isEqualTo(206);
      assertThat(get(api + "/eigen/node/services").body()).contains("echoes words");
      // the no-op metrics module: no /metrics route
      assertThat(get(api + "/metrics").statusCode()).isEqualTo(404);
      assertThat(NodeRuntime.score(runtime.overall(), runtime.services())).isEqualTo(50.0);
    } finally {
      runtime.close();
    }
  }

  @Test
  void anUnknownDutyOrAWrongChainRefusesToStart(@TempDir Path data) {
    NodeRuntime unknown =
        DaggerTestNodeComponent.factory()
            .create(
                settings(data, Set.of("nope"), Optional.empty(), OptionalLong.empty()),
                LogLevelControl.UNSUPPORTED,
                catalog(new EchoDuty[1]))
            .runtime();
    assertThatThrownBy(unknown::start)
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("unknown duties [nope]");
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(31337).start()) {
      NodeRuntime wrong =
          DaggerTestNodeComponent.factory()
              .create(
                  settings(data, Set.of(), Optional.of(anvil.rpcUrl()), OptionalLong.of(5)),
                  LogLevelControl.UNSUPPORTED,
                  catalog(new EchoDuty[1]))
              .runtime();
      assertThatThrownBy(wrong::start)
          .isInstanceOf(NodeStartException.class)
          .hasMessageContaining("serves chain id 31337, expected 5");
      NodeRuntime ok =
          DaggerTestNodeComponent.factory()
              .create(
                  settings(data, Set.of(), Optional.of(anvil.rpcUrl()), OptionalLong.of(31337)),
                  LogLevelControl.UNSUPPORTED,
                  catalog(new EchoDuty[1]))
              .runtime();
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
}
