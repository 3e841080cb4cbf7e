package org.avsnode.bls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Locates /shared/vectors through the system property {@code avs.shared.dir}; fails loudly. */
final class SharedVectors {
  static final ObjectMapper JSON = new ObjectMapper();

  private SharedVectors() {}

  static Path dir(String sub) {
    String shared = System.getProperty("avs.shared.dir");
    assertThat(shared)
        .as("system property avs.shared.dir (set by surefire from the root pom)")
        .isNotBlank();
    Path p = Path.of(shared, "vectors").resolve(sub);
    assertThat(p).as("vector directory %s", p).isDirectory();
    return p;
  }

  static List<Path> jsonFiles(String sub) {
    try (Stream<Path> s = Files.list(dir(sub))) {
      List<Path> files =
          new ArrayList<>(s.filter(f -> f.toString().endsWith(".json")).sorted().toList());
      assertThat(files).as("vector files in %s", sub).isNotEmpty();
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hex to bytes; null when the text is not valid hex (so the case must come out false). */
  static byte[] hexOrNull(String s) {
    try {
      return Hex.fromHex(s);
    } catch (BlsException e) {
      return null;
    }
  }

  static List<byte[]> hexList(JsonNode arr) {
    List<byte[]> out = new ArrayList<>();
    arr.forEach(n -> out.add(hexOrNull(n.asText())));
    return out;
  }
}
