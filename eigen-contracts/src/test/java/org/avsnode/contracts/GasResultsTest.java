package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GasResultsTest {
  @Test
  void aFigureMoreThanFivePercentAboveTheCommittedOneIsARegression(@TempDir Path dir)
      throws Exception {
    Map<String, String> committed = new LinkedHashMap<>();
    committed.put("verify, 0 non-signers", "200000");
    committed.put("verify, 10 non-signers", "300000");
    committed.put("only in the large run", "900000");
    Path file = GasResults.write(committed, dir.resolve("gas.json"));

    Map<String, String> measured = new LinkedHashMap<>();
    measured.put("verify, 0 non-signers", "210000"); // +5.0%: allowed
    measured.put("verify, 10 non-signers", "315001"); // +5.0003%: not
    measured.put("a new figure", "1");
    assertThat(GasResults.regressions(file, measured, 0.05))
        .containsExactly("verify, 10 non-signers: 315001 gas, committed 300000 (+5.0%)");

    measured.put("verify, 10 non-signers", "150000"); // cheaper is fine
    assertThat(GasResults.regressions(file, measured, 0.05)).isEmpty();
  }
}
