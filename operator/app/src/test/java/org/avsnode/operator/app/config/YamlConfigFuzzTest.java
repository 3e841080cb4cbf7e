package org.avsnode.operator.app.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the YAML configuration file: only {@link YamlConfigFile.Invalid} may come out.
 * {@code JAZZER_FUZZ=1 mvn -B -o -pl operator/app test -Dtest=YamlConfigFuzzTest} fuzzes it.
 */
class YamlConfigFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void yamlConfig(byte[] input) {
    try {
      YamlConfigFile.parse(new StringReader(new String(input, StandardCharsets.UTF_8)));
    } catch (YamlConfigFile.Invalid expected) {
      // a typed rejection
    }
  }
}
