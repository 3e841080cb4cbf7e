package org.avsnode.operator.app.registration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The running node's side of {@code operator status}: its health, each duty's, and the last things
 * it signed, from the node's read-only {@code GET /status/api/summary}.
 */
final class NodeSection {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NodeSection() {}

  /** The node's summary, or empty with the reason when it does not answer. */
  static Summary read(URI base) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/status/api/summary"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return new Summary(base, null, "answered HTTP " + r.statusCode());
      }
      JsonNode n = JSON.readTree(r.body());
      if (n == null || !n.isObject()) {
        return new Summary(base, null, "did not answer a JSON object");
      }
      return new Summary(base, n, null);
    } catch (IOException e) {
      return new Summary(
          base,
          null,
          "not reachable (" + e.getClass().getSimpleName() + "): is `operator run` running?");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Summary(base, null, "interrupted");
    } catch (IllegalArgumentException e) {
      return new Summary(base, null, "bad URL: " + e.getMessage());
    }
  }

  /** What the node answered ({@code json}), or why not ({@code error}). */
  record Summary(URI base, JsonNode json, String error) {}

  static void printText(PrintWriter out, Summary s, Instant now) {
    if (s.json() == null) {
      out.printf("node                 %s: %s%n", s.base(), s.error());
      return;
    }
    JsonNode n = s.json();
    out.printf(
        "node                 %s: %s (%s %s)%n",
        s.base(), n.path("status").asText(), n.path("name").asText(), n.path("version").asText());
    for (JsonNode svc : n.path("services")) {
      String detail = svc.path("detail").asText();
      out.printf(
          "  %-18s %s%s%n",
          svc.path("name").asText(),
          svc.path("status").asText(),
          detail.isEmpty() ? "" : ": " + detail);
    }
    last(n, "attestation", "last attestation", now).ifPresent(out::println);
    last(n, "verdict", "last verdict", now).ifPresent(out::println);
    last(n, "certificate", "last certificate", now).ifPresent(out::println);
    last(n, "refused", "last refusal", now).ifPresent(out::println);
  }

  /**
   * The newest activity entry of one kind as a line, e.g. "last verdict output #3 VALID, 4 s ago".
   */
  private static Optional<String> last(JsonNode n, String kind, String label, Instant now) {
    JsonNode newest = null;
    for (JsonNode e : n.path("activity")) {
      if (kind.equals(e.path("kind").asText())
          && (newest == null || e.path("seq").asLong() > newest.path("seq").asLong())) {
        newest = e;
      }
    }
    if (newest == null) {
      return Optional.empty();
    }
    long ago = Math.max(0, now.toEpochMilli() - newest.path("at").asLong()) / 1000;
    return Optional.of(
        String.format(
            "  %-18s %s %s of rollup %d: %s, %d s ago",
            label,
            newest.path("duty").asText(),
            newest.path("subject").asText(),
            newest.path("rollupId").asLong(),
            newest.path("outcome").asText(),
            ago));
  }
}
