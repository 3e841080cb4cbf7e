package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.avsnode.operator.app.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A devnet data directory can be used again: the earlier run's files go, with one line. */
class DevnetDataDirTest {
  private static Devnet devnet(Path dir, StringWriter out) {
    return new Devnet(
        new DevnetOptions(
            4,
            0,
            false,
            2,
            dir,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            64,
            6667,
            Optional.empty(),
            1,
            false),
        new Progress(new PrintWriter(out, true)));
  }

  @Test
  void anEarlierDevnetIsClearedAndSaidSo(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deployment.json"), "{}");
    Files.writeString(dir.resolve("l1-anvil.log"), "x");
    Files.createDirectories(dir.resolve("op0/slashing-protection"));
    Files.writeString(dir.resolve("op0/slashing-protection/db.mv.db"), "x");
    StringWriter out = new StringWriter();
    devnet(dir, out).startOver(dir);
    try (var s = Files.list(dir)) {
      assertThat(s.toList()).isEmpty();
    }
    assertThat(out.toString()).contains("starting over").hasLineCount(1);
  }

  @Test
  void aDirectoryWithOtherFilesIsRefused(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deployment.json"), "{}");
    Files.writeString(dir.resolve("thesis.tex"), "precious");
    assertThatThrownBy(() -> devnet(dir, new StringWriter()).startOver(dir))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("not a devnet's data directory");
    assertThat(dir.resolve("thesis.tex")).exists();
    assertThat(dir.resolve("deployment.json")).exists();
  }

  @Test
  void anEmptyOrMissingDirectoryIsUsedAsItIs(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    devnet(dir, out).startOver(dir);
    devnet(dir.resolve("new"), out).startOver(dir.resolve("new"));
    assertThat(out.toString()).isEmpty();
  }
}
