package org.avsnode.operator.app.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** A node's status-page activity ({@code GET /status/api/summary}), as tests compare it. */
public final class StatusFeed {
  private StatusFeed() {}

  /**
   * The entries of {@code duty} in a summary's {@code activity}, each as {@code
   * kind|subject|outcome|level}, newest first.
   */
  public static List<String> entries(JsonNode summary, String duty) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : summary.path("activity")) {
      if (e.path("duty").asText().equals(duty)) {
        out.add(
            String.join(
                "|",
                e.path("kind").asText(),
                e.path("subject").asText(),
                e.path("outcome").asText(),
                e.path("level").asText()));
      }
    }
    return out;
  }
}
