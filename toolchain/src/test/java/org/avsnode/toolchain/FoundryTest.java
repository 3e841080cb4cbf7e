package org.avsnode.toolchain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FoundryTest {

  @Test
  void findsThePinnedToolsInstalledByTheBuild() {
    for (Foundry.Tool t : Foundry.Tool.values()) {
      Path p = Foundry.locate(t);
      assertThat(Files.isExecutable(p)).as(p.toString()).isTrue();
    }
    assertThat(Foundry.solcJsDir().resolve("package.json")).isRegularFile();
    assertThat(Foundry.repositoryRoot()).isPresent();
  }

  @Test
  void anExplicitPathThatIsNotExecutableIsRejected(@TempDir Path dir) throws Exception {
    Path fake = Files.writeString(dir.resolve("anvil"), "not a binary");
    System.setProperty("avs.anvil.path", fake.toString());
    try {
      assertThatThrownBy(() -> Foundry.locate(Foundry.Tool.ANVIL))
          .isInstanceOf(ToolchainException.class)
          .hasMessageContaining("not an executable");
    } finally {
      System.clearProperty("avs.anvil.path");
    }
  }
}
