package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.avsnode.operator.app.browser.HeadlessChromium.waitUntil;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.avsnode.operator.app.browser.HeadlessChromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser (headless Chromium over the DevTools protocol) against a
 * running devnet: live certificates appear on the devnet's page and on one node's own page, and an
 * operator whose VITAL duty is unhealthy (it reads a lying L2 node, so it abstains) is shown so.
 * Screenshots go to {@code target/screenshots/} for review.
 */
class StatusPageBrowserIT {
  private static final Path SHOTS = Paths.get("target", "screenshots");

  private static final String CERT_ROWS =
      "document.querySelectorAll('#certificates tbody tr[data-kind=certificate]').length";
  private static final String NEWEST_CERT =
      "Math.max(0, ...[...document.querySelectorAll('#certificates tbody"
          + " tr[data-kind=certificate]')].map(r =>"
          + " parseInt(r.children[2].textContent.replace('L2 #', ''), 10)))";

  @Test
  @Timeout(300)
  void liveCertificatesAndAnUnhealthyDutyShowInARealBrowser(@TempDir Path dir) throws Exception {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text, true));
    DevnetOptions options =
        new DevnetOptions(
            4,
            0,
            false,
            2,
            dir.resolve("devnet"),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            64,
            6667,
            Optional.empty(),
            1,
            false,
            0,
            1,
            false,
            Optional.empty());
    Devnet devnet = new Devnet(options, progress);
    List<ProcessHandle> browserProcesses;
    try {
      devnet.start();
      assertThat(text.toString().lines().findFirst().orElse(""))
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
      assertThat(browserProcesses).as("chromium processes seen").isNotEmpty();
      assertThat(browserProcesses)
          .as("chromium processes after close")
          .noneMatch(ProcessHandle::isAlive);
    } finally {
      devnet.close();
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
