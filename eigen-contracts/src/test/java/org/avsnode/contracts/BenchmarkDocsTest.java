package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/benchmarks.md's tables are generated from benchmarks/results/ ({@code java
 * benchmarks/RenderDocs.java}); this runs the generator's check and shows it catches a hand edit.
 */
class BenchmarkDocsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static int check(Path root) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                ROOT.resolve("benchmarks/RenderDocs.java").toString(),
                "--check",
                root.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.print(out);
    return p.exitValue();
  }

  @Test
  void benchmarkTablesAreGeneratedFromTheCommittedResults() throws Exception {
    assertThat(check(ROOT)).as("docs/benchmarks.md agrees with benchmarks/results").isZero();
  }

  @Test
  void aHandEditedFigureIsCaught(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("docs"));
    Files.createDirectories(dir.resolve("benchmarks/results"));
    try (var s = Files.list(ROOT.resolve("benchmarks/results"))) {
      for (Path f : s.toList()) {
        Files.copy(f, dir.resolve("benchmarks/results").resolve(f.getFileName()));
      }
    }
    String doc = Files.readString(ROOT.resolve("docs/benchmarks.md"));
    int a = doc.indexOf("<!-- generated:gas -->");
    int row = doc.indexOf("| verifyCertificate", a);
    assertThat(row).as("a verifyCertificate row in the generated gas table").isPositive();
    int digit = row;
    while (!Character.isDigit(doc.charAt(digit)) || doc.charAt(digit - 1) != ' ') {
      digit = doc.indexOf(" | ", digit) + 3;
    }
    String edited = doc.substring(0, digit) + "1" + doc.substring(digit);
    Files.writeString(dir.resolve("docs/benchmarks.md"), edited);
    assertThat(check(dir)).isEqualTo(1);
  }
}
