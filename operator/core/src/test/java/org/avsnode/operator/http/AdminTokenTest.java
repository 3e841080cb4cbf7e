package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

  @Test
  void createdAtFirstStartWithMode0600AndReusedAfterwards(@TempDir Path data) throws Exception {
    AdminToken first = AdminToken.load(null, data);
    Path file = data.resolve(AdminToken.DEFAULT_FILE_NAME);
    assertThat(first.file()).isEqualTo(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String token = Files.readString(file).trim();
    assertThat(token).matches("[0-9a-f]{64}");
    AdminToken second = AdminToken.load(null, data);
    assertThat(second.accepts("Bearer " + token)).isTrue();
    assertThat(Files.readString(file).trim()).isEqualTo(token);
  }

  @Test
  void acceptsOnlyTheExactBearerToken() {
    AdminToken t = AdminToken.of("0123456789abcdef0123");
    assertThat(t.accepts("Bearer 0123456789abcdef0123")).isTrue();
    assertThat(t.accepts("bearer 0123456789abcdef0123")).isTrue();
    assertThat(t.accepts("Bearer 0123456789abcdef012")).isFalse();
    assertThat(t.accepts("Bearer 0123456789abcdef01234")).isFalse();
    assertThat(t.accepts("Basic 0123456789abcdef0123")).isFalse();
    assertThat(t.accepts("0123456789abcdef0123")).isFalse();
    assertThat(t.accepts("Bearer ")).isFalse();
    assertThat(t.accepts("")).isFalse();
    assertThat(t.accepts(null)).isFalse();
  }

  @Test
  void aConfiguredFileMustExistAndHoldALongEnoughToken(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> AdminToken.load(dir.resolve("missing"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not exist");
    Path shortToken = dir.resolve("short");
    Files.writeString(shortToken, "abc\n");
    assertThatThrownBy(() -> AdminToken.load(shortToken, dir)).hasMessageContaining("shorter than");
    Path good = dir.resolve("good");
    Files.writeString(good, "a-long-enough-operator-token\n");
    assertThat(AdminToken.load(good, dir).accepts("Bearer a-long-enough-operator-token")).isTrue();
    assertThat(Files.exists(dir.resolve(AdminToken.DEFAULT_FILE_NAME))).isFalse();
  }
}
