package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.avsnode.operator.app.browser.HeadlessChromium.waitUntil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.operator.app.browser.HeadlessChromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * What an operator watches, against one running devnet (4 operators, one of them reading a lying L2
 * node): the status page in a real browser (headless Chromium over the DevTools protocol), where
 * live certificates appear on the devnet's page and on one node's own page and the operator whose
 * VITAL duty is unhealthy (it abstains) is shown so, with screenshots in {@code
 * target/screenshots/}; and the Grafana dashboard and Prometheus alert rules of {@code
 * monitoring/}, which must name only metrics the nodes export.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorMonitoringIT {
  private static final Path SHOTS = Paths.get("target", "screenshots");

  private static final String CERT_ROWS =
      "document.querySelectorAll('#certificates tbody tr[data-kind=certificate]').length";
  private static final String NEWEST_CERT =
      "Math.max(0, ...[...document.querySelectorAll('#certificates tbody"
          + " tr[data-kind=certificate]')].map(r =>"
          + " parseInt(r.children[2].textContent.replace('L2 #', ''), 10)))";

  private RunningDevnet running;
  private Path dir;
  private Devnet devnet;

  @BeforeAll
  void startDevnet() throws Exception {
    running =
        new RunningDevnet("operator-monitoring-it", d -> DevnetOptions.defaults(d).withLyingL2(1));
    dir = running.dir;
    devnet = running.devnet;
  }

  @AfterAll
  void stopDevnet() throws IOException {
    if (running != null) {
      running.close();
    }
  }

  @Test
  @Timeout(300)
  void statusPageShowsLiveCertificatesAndAnUnhealthyDutyInARealBrowser() throws Exception {
    List<ProcessHandle> browserProcesses;
    assertThat(running.console().lines().findFirst().orElse(""))
        .as("the devnet prints its status page first")
        .startsWith("devnet: status page http://127.0.0.1:")
        .contains(devnet.statusUrl());
    DevnetOperator liar =
        devnet.operators().stream().filter(o -> o.lying).findFirst().orElseThrow();
    DevnetOperator aggregator =
        devnet.operators().stream().filter(o -> o.aggregator).findFirst().orElseThrow();
    try (HeadlessChromium browser = new HeadlessChromium(dir.resolve("chromium-profile"))) {
      browser.navigate(devnet.statusUrl());
      waitUntil(
          "the devnet page to list 4 operators",
          Duration.ofSeconds(20),
          () -> number(browser, "document.querySelectorAll('#nodes tbody tr').length") == 4);
      waitUntil(
          "certificates on the devnet page",
          Duration.ofSeconds(90),
          () -> number(browser, CERT_ROWS) >= 1);
      long first = number(browser, NEWEST_CERT);
      waitUntil(
          "a newer certificate than L2 #" + first + " to arrive live",
          Duration.ofSeconds(30),
          () -> number(browser, NEWEST_CERT) > first);
      assertThat(browser.eval("document.getElementById('live').dataset.live").asText())
          .isEqualTo("true");
      assertThat(
              browser
                  .eval(
                      "document.querySelector('#nodes tr[data-node=op0] td:nth-child(4)')"
                          + ".textContent")
                  .asText())
          .as("op0's stake at the epoch")
          .contains("32 of 128")
          .contains("at epoch");
      browser.screenshot(SHOTS.resolve("devnet-status.png"));

      String vitalBadge =
          "document.querySelector('#nodes tr[data-node="
              + liar.name()
              + "] .service[data-service=vital]')";
      waitUntil(
          liar.name() + "'s VITAL (lying L2) shown unhealthy",
          Duration.ofSeconds(120),
          () -> {
            String s = textOf(browser, vitalBadge + "?.dataset.status");
            return "Partial".equals(s) || "Down".equals(s);
          });
      assertThat(
              textOf(
                  browser,
                  "document.querySelector('#nodes tr[data-node="
                      + liar.name()
                      + "] td.problems').textContent"))
          .as("the page says why")
          .contains("vital:")
          .contains("ABSTAIN");
      assertThat(textOf(browser, "document.getElementById('overall').dataset.status"))
          .isEqualTo("Partial");
      browser.screenshot(SHOTS.resolve("devnet-status-unhealthy.png"));

      // one node's own page, served by the node itself
      browser.navigate(aggregator.apiUrl() + "/status");
      waitUntil(
          "certificates on " + aggregator.name() + "'s own page",
          Duration.ofSeconds(30),
          () -> number(browser, CERT_ROWS) >= 1);
      long own = number(browser, NEWEST_CERT);
      waitUntil(
          "a newer certificate live on " + aggregator.name() + "'s page",
          Duration.ofSeconds(30),
          () -> number(browser, NEWEST_CERT) > own);
      assertThat(
              browser
                  .eval("document.querySelectorAll('#nodes .service[data-status=Up]').length")
                  .asInt())
          .as("an honest aggregator's duties are up")
          .isGreaterThanOrEqualTo(2);
      browser.screenshot(SHOTS.resolve("node-status.png"));
      assertThat(browser.pageErrors)
          .as("JavaScript errors, CSP violations, failed loads")
          .isEmpty();
      browserProcesses = browser.processes();
    }
    HeadlessChromium.assertStopped(browserProcesses);
  }

  /** Metric names a dashboard or rule refers to (ours and the JVM's; PromQL words are not). */
  private static final Pattern METRIC =
      Pattern.compile("\\b(?:eigen|avs|jvm|process)_[a-zA-Z0-9_]+\\b");

  private static final Path MONITORING = Paths.get("..", "..", "monitoring");

  @Test
  @Timeout(120)
  void dashboardAndAlertRulesNameOnlyMetricsTheNodesExport() throws Exception {
    // what the nodes export: an aggregator and a plain operator, once they have done some work
    Set<String> exported = new TreeSet<>();
    HttpClient http = HttpClient.newHttpClient();
    HeadlessChromium.waitUntil(
        "certificates made",
        Duration.ofSeconds(60),
        () ->
            scrape(http, devnet.operators().get(0))
                .matches("(?s).*\\navs_mach_certificates_total [1-9].*"));
    for (DevnetOperator op : devnet.operators()) {
      exported.addAll(exportedNames(scrape(http, op)));
    }
    assertThat(exported).contains("eigen_performance_score", "avs_mach_attested_block");

    Set<String> dashboardNames = names(dashboardExprs());
    Set<String> ruleNames = names(ruleExprs());
    Set<String> unknown = new TreeSet<>(dashboardNames);
    unknown.addAll(ruleNames);
    unknown.removeAll(exported);
    // this devnet runs without SQUAD: DevnetSquadIT checks the avs_squad_* names the same way
    unknown.removeIf(n -> n.startsWith("avs_squad_"));
    assertThat(unknown)
        .as("metrics named by the dashboard or the alert rules that no node exports")
        .isEmpty();
    // what an operator must be able to see and be woken up for
    List<String> essential =
        List.of(
            "avs_mach_attestations_missed_total",
            "avs_signer_refusals_total",
            "avs_rpc_errors_total",
            "avs_mach_certified_block",
            "avs_mach_certificate_latency_seconds_bucket");
    assertThat(dashboardNames).containsAll(essential);
    assertThat(ruleNames).containsAll(essential);

    // the rules' syntax, where Prometheus's promtool is installed (Debian package prometheus)
    Path promtool = Paths.get("/usr/bin/promtool");
    if (Files.isExecutable(promtool)) {
      Process p =
          new ProcessBuilder(
                  promtool.toString(),
                  "check",
                  "rules",
                  MONITORING.resolve("prometheus-alerts.yml").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
  }

  /** The metric names a node's {@code /metrics} text declares (a histogram's series too). */
  static Set<String> exportedNames(String metrics) {
    Set<String> exported = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      String[] f = line.split(" ");
      if (line.startsWith("# TYPE ") && f.length == 4) {
        exported.add(f[2]);
        if (f[3].equals("histogram")) {
          for (String suffix : List.of("_bucket", "_sum", "_count")) {
            exported.add(f[2] + suffix);
          }
        }
      }
    }
    return exported;
  }

  /** The queries of {@code monitoring/grafana-dashboard.json}'s panels. */
  static List<String> dashboardExprs() throws IOException {
    JsonNode dash =
        new ObjectMapper().readTree(Files.readString(MONITORING.resolve("grafana-dashboard.json")));
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dash.path("panels")) {
      for (JsonNode t : panel.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
    }
    assertThat(exprs).hasSizeGreaterThan(20);
    return exprs;
  }

  /** The expressions of {@code monitoring/prometheus-alerts.yml}'s rules. */
  static List<String> ruleExprs() throws IOException {
    Map<String, Object> rules =
        new Yaml().load(Files.readString(MONITORING.resolve("prometheus-alerts.yml")));
    List<String> exprs = new ArrayList<>();
    for (Object g : (List<?>) rules.get("groups")) {
      for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
        exprs.add(String.valueOf(((Map<?, ?>) r).get("expr")));
      }
    }
    assertThat(exprs).hasSizeGreaterThan(10);
    return exprs;
  }

  static Set<String> names(List<String> exprs) {
    Set<String> out = new TreeSet<>();
    for (String e : exprs) {
      Matcher m = METRIC.matcher(e);
      while (m.find()) {
        out.add(m.group());
      }
    }
    return out;
  }

  private static String scrape(HttpClient http, DevnetOperator op) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(op.apiUrl() + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static long number(HeadlessChromium browser, String expression) {
    try {
      return browser.eval(expression).asLong();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String textOf(HeadlessChromium browser, String expression) {
    try {
      return browser.eval(expression).asText();
    } catch (Exception e) {
      return "";
    }
  }
}
