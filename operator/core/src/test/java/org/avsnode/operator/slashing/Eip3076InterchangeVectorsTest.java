package org.avsnode.operator.slashing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * (source/target epochs, surround votes) have no counterpart in our rules: their records are left
 * out of the translation, and the files that hold nothing else are counted and asserted (not
 * silently passed). Each interchange is rewritten as our interchange JSON and read by the product's
 * own {@link InterchangeJson} reader, then imported into a fresh database; blocks are checked
 * against {@code should_succeed} (the minimal strategy).
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
    // files with attestation records or attempts only: nothing in them maps onto our rules
    List<String> attestationOnly = new ArrayList<>();
    for (Path f : files) {
      if (attestationOnly(MAPPER.readTree(f.toFile()))) {
        attestationOnly.add(f.getFileName().toString());
      }
    }
    assertThat(attestationOnly)
        .as("EIP-3076 files with no counterpart here (attestations only)")
        .hasSize(15)
        .contains(
            "single_validator_slashable_attestations_double_vote.json",
            "single_validator_source_greater_than_target.json");
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  /** True when a file's steps hold attestations and nothing about blocks. */
  static boolean attestationOnly(JsonNode root) {
    boolean blocks = false;
    boolean attestations = false;
    for (JsonNode step : root.get("steps")) {
      blocks |= step.get("blocks").size() > 0;
      attestations |= step.path("attestations").size() > 0;
      for (JsonNode k : step.get("interchange").path("data")) {
        blocks |= k.path("signed_blocks").size() > 0;
        attestations |= k.path("signed_attestations").size() > 0;
      }
    }
    return attestations && !blocks;
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
        String ours = toOurs(step.get("interchange"));
        if (!step.get("should_succeed").asBoolean()) {
          assertThatThrownBy(() -> db.importHistory(InterchangeJson.read(ours)))
              .as("import must be rejected")
              .isInstanceOf(InterchangeFormatException.class);
          assertThat(db.keys()).isEmpty();
        } else {
          ImportReport report = db.importHistory(InterchangeJson.read(ours));
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
   * The EIP-3076 interchange as our interchange JSON: its metadata root becomes the domain
   * separator, each signed block a slot proposal of rollup 0 (digest = signing_root, absent roots
   * stay absent); attestation records have no counterpart and are left out.
   */
  static String toOurs(JsonNode ic) throws IOException {
    String version = ic.get("metadata").get("interchange_format_version").asText();
    assertThat(version).isEqualTo("5");
    com.fasterxml.jackson.databind.node.ObjectNode root = MAPPER.createObjectNode();
    com.fasterxml.jackson.databind.node.ObjectNode meta = root.putObject("metadata");
    meta.put("interchange_format", InterchangeJson.FORMAT_NAME);
    meta.put("interchange_format_version", String.valueOf(Interchange.FORMAT_VERSION));
    meta.put("domain_separator", ic.get("metadata").get("genesis_validators_root").asText());
    com.fasterxml.jackson.databind.node.ArrayNode data = root.putArray("data");
    for (JsonNode k : ic.get("data")) {
      com.fasterxml.jackson.databind.node.ObjectNode key = data.addObject();
      key.put("pubkey", k.get("pubkey").asText());
      com.fasterxml.jackson.databind.node.ArrayNode proposals = key.putArray("slot_proposals");
      for (JsonNode b : k.path("signed_blocks")) {
        com.fasterxml.jackson.databind.node.ObjectNode o = proposals.addObject();
        o.put("rollup_id", String.valueOf(ROLLUP));
        o.put("slot", b.get("slot").asText());
        o.putArray("tx_hashes");
        if (b.has("signing_root")) {
          o.put("digest", b.get("signing_root").asText());
        }
      }
    }
    return MAPPER.writeValueAsString(root);
  }
}
