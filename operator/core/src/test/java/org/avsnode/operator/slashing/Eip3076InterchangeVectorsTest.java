package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the EIP-3076 interchange test vectors (eth-clients/slashing-protection-interchange-tests
 * v5.3.0) where their rules map onto ours. EIP-3076 blocks ("one block per (pubkey, slot)", refuse
 * slots at or below the imported history) map onto our height-indexed SlotProposal with rollup 0:
 * slot = slot, signing_root = digest, genesis_validators_root = domain separator. Attestations
 * (source/target epochs, surround votes) have no counterpart in our rules and are skipped. Each
 * file runs against a fresh database; blocks are checked against {@code should_succeed} (the
 * minimal strategy).
 */
class Eip3076InterchangeVectorsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long ROLLUP = 0;

  static Path vectorDir() {
    String shared = System.getProperty("avs.shared.dir");
    if (shared == null) {
      throw new IllegalStateException("system property avs.shared.dir is not set");
    }
    Path dir = Path.of(shared, "vectors", "slashing_interchange", "generated");
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("EIP-3076 vectors missing: " + dir);
    }
    return dir;
  }

  @TestFactory
  Stream<DynamicTest> eip3076Vectors() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(vectorDir())) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(38);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.startsWith("0x") ? s.substring(2) : s);
  }

  private static void run(Path file) throws IOException {
    JsonNode root = MAPPER.readTree(file.toFile());
    SlashingDomain domain =
        SlashingDomain.ofSeparator(hex(root.get("genesis_validators_root").asText()));
    String name = "eip3076-" + UUID.randomUUID();
    EmbeddedSlashingProtection db = EmbeddedSlashingProtection.inMemory(name, domain);
    try {
      for (JsonNode step : root.get("steps")) {
        Interchange ic = toOurs(step.get("interchange"));
        if (!step.get("should_succeed").asBoolean()) {
          assertThatThrownBy(() -> db.importHistory(ic))
              .as("import must be rejected")
              .isInstanceOf(InterchangeFormatException.class);
          assertThat(db.keys()).isEmpty();
        } else {
          ImportReport report = db.importHistory(ic);
          if (!step.get("contains_slashable_data").asBoolean()) {
            assertThat(report.conflicts()).isZero();
          }
        }
        for (JsonNode b : step.get("blocks")) {
          byte[] pubkey = hex(b.get("pubkey").asText());
          long slot = Long.parseLong(b.get("slot").asText());
          byte[] root32 = hex(b.get("signing_root").asText());
          Decision d =
              db.checkAndRecord(
                  pubkey, new SigningIntent.Proposal(ROLLUP, slot, root32, List.of()));
          assertThat(d.isAllowed())
              .as("block slot %d: %s", slot, d)
              .isEqualTo(b.get("should_succeed").asBoolean());
        }
      }
    } finally {
      db.close();
      EmbeddedSlashingProtection.dropInMemory(name);
    }
  }

  /**
   * The EIP-3076 interchange as ours: its metadata root becomes the domain separator, each signed
   * block a SlotProposal of rollup 0 (digest = signing_root, absent roots stay absent).
   */
  static Interchange toOurs(JsonNode ic) {
    String version = ic.get("metadata").get("interchange_format_version").asText();
    assertThat(version).isEqualTo("5");
    SlashingDomain domain =
        SlashingDomain.ofSeparator(hex(ic.get("metadata").get("genesis_validators_root").asText()));
    List<Interchange.KeyHistory> keys = new ArrayList<>();
    for (JsonNode k : ic.get("data")) {
      List<HistoryEntry> entries = new ArrayList<>();
      for (JsonNode b : k.get("signed_blocks")) {
        JsonNode sr = b.get("signing_root");
        entries.add(
            new HistoryEntry(
                MessageKind.SLOT_PROPOSAL,
                ROLLUP,
                new BigInteger(b.get("slot").asText()),
                null,
                null,
                sr == null ? null : hex(sr.asText()),
                List.of()));
      }
      keys.add(new Interchange.KeyHistory(hex(k.get("pubkey").asText()), List.of(), entries));
    }
    return new Interchange(domain, keys);
  }
}
