package org.avsnode.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The gas figures of {@link AvsSystemIT} as a machine-readable result file ({@code
 * benchmarks/results/gas.json} once committed): the commit, the machine and the date beside each
 * figure, and the 5% regression check against the committed file.
 */
public final class GasResults {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private GasResults() {}

  static Path write(Map<String, String> gas, Path file) throws IOException {
    return write(
        gas,
        file,
        "benchmarks/run gas (mvn -B -o -pl eigen-contracts verify -Dit.test=AvsSystemIT"
            + " -Davs.bench.large=true)");
  }

  public static Path write(Map<String, String> gas, Path file, String command) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("benchmark", "gas");
    root.put("commit", Machine.commit());
    root.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    root.put("machine", Machine.describe());
    root.put(
        "tools",
        "anvil 1.7.1 (--hardfork prague), solc-js 0.8.30 (via-IR, 200 runs); receipts' gasUsed"
            + " of whole transactions, eth_estimateGas for the view calls");
    root.put("command", command);
    ArrayNode figures = root.putArray("figures");
    gas.forEach(
        (name, value) -> {
          ObjectNode f = figures.addObject();
          f.put("name", name);
          f.put("gas", Long.parseLong(value));
        });
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    return file;
  }

  /** The figures measured now that exceed the committed ones by more than {@code tolerance}. */
  public static List<String> regressions(
      Path committed, Map<String, String> measured, double tolerance) throws IOException {
    JsonNode root = JSON.readTree(Files.readString(committed));
    List<String> out = new ArrayList<>();
    for (JsonNode f : root.path("figures")) {
      String name = f.path("name").asText();
      long before = f.path("gas").asLong();
      String now = measured.get(name);
      if (now == null) {
        continue;
      }
      long after = Long.parseLong(now);
      if (after > before * (1 + tolerance)) {
        out.add(
            String.format(
                "%s: %d gas, committed %d (+%.1f%%)",
                name, after, before, 100.0 * (after - before) / before));
      }
    }
    return out;
  }

  /** Where a result was measured. */
  static final class Machine {
    private Machine() {}

    static String commit() {
      try {
        Process p =
            new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        return p.waitFor() == 0 ? out : "unknown";
      } catch (IOException e) {
        return "unknown";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "unknown";
      }
    }

    static String describe() {
      String cpu = "unknown CPU";
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.startsWith("model name")) {
            cpu = line.substring(line.indexOf(':') + 1).strip();
            break;
          }
        }
      } catch (IOException e) {
        // not Linux
      }
      return Runtime.getRuntime().availableProcessors()
          + " cores, "
          + cpu
          + ", "
          + System.getProperty("os.name")
          + " "
          + System.getProperty("os.version")
          + ", Java "
          + System.getProperty("java.version");
    }
  }
}
