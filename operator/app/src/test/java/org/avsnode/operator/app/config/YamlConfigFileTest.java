package org.avsnode.operator.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlConfigFileTest {

  private static Map<String, YamlConfigFile.Entry> parse(String yaml) throws Exception {
    return YamlConfigFile.parse(new StringReader(yaml));
  }

  @Test
  void keepsTheTextAsWrittenWithLineNumbers() throws Exception {
    Map<String, YamlConfigFile.Entry> m =
        parse("# comment\nl1-chain-id: 0x10\nhttp-host: '010'\nduties:\n  - mach\n  - vital\n");
    assertThat(m.keySet()).containsExactly("l1-chain-id", "http-host", "duties");
    assertThat(m.get("l1-chain-id")).isEqualTo(new YamlConfigFile.Entry("0x10", 2));
    assertThat(m.get("http-host").value()).isEqualTo("010");
    assertThat(m.get("duties").value()).isEqualTo("mach,vital");
    assertThat(parse("")).isEmpty();
    assertThat(parse("# only a comment\n")).isEmpty();
  }

  @Test
  void rejectsShapesThatAreNotAFlatMapping() {
    for (String bad :
        List.of(
            "just a string\n",
            "a: 1\na: 2\n",
            "a:\n  b: 1\n",
            "a: ~\n",
            "a: [1, [2]]\n",
            "a: [1\n",
            "---\na: 1\n---\nb: 2\n")) {
      assertThatThrownBy(() -> parse(bad))
          .as(bad)
          .isInstanceOf(YamlConfigFile.Invalid.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void readsFilesAsUtf8AndSaysWhyItCannot(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> YamlConfigFile.read(dir.resolve("none.yaml"))).hasMessage("not found");
    assertThatThrownBy(() -> YamlConfigFile.read(dir)).hasMessage("is a directory");
    Path latin1 = Files.write(dir.resolve("l.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9});
    assertThatThrownBy(() -> YamlConfigFile.read(latin1)).hasMessage("is not UTF-8 text");
  }

  @Test
  void suggestsTheClosestKeyOnlyWhenItIsClose() {
    List<String> known = List.of("data-path", "http-port", "http-host", "keys-dir");
    assertThat(Suggestions.closest("data-pth", known)).hasValue("data-path");
    assertThat(Suggestions.closest("htpt-port", known)).hasValue("http-port");
    assertThat(Suggestions.closest("keys-dri", known)).hasValue("keys-dir");
    assertThat(Suggestions.closest("completely-else", known)).isEmpty();
    assertThat(Suggestions.distance("ab", "ba")).isEqualTo(1);
    assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
  }

  @Test
  void environmentVariableNamesFollowTheOptionNames() {
    assertThat(ConfigDefaultProvider.envName("data-path")).isEqualTo("AVS_DATA_PATH");
    assertThat(ConfigDefaultProvider.envName("l1-rpc-url")).isEqualTo("AVS_L1_RPC_URL");
  }
}
