package org.avsnode.operator.app.slashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.app.config.Cli;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.RefusalReason;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.slashing.SlashingProtection;
import org.avsnode.operator.slashing.SlashingProtections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** export → import into another node's database → the same refusals; prune; errors. */
class SlashingProtectionCommandTest {
  private static final long CHAIN = 31337;
  private static final String REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  private static final Eip712Domain DOMAIN =
      new Eip712Domain("AVS Operator Node", "1", CHAIN, org.avsnode.bls.Hex.fromHex(REGISTRY));

  private static FinalityAttestation att(long height, int content) {
    byte[] h = new byte[32];
    Arrays.fill(h, (byte) content);
    byte[] o = new byte[32];
    Arrays.fill(o, (byte) (content + 1));
    return new FinalityAttestation(42, height, h, o, 7);
  }

  private static SlashingProtection open(Path dataPath) {
    return SlashingProtections.open(
        null, dataPath, ProtectedSigner.slashingDomain(DOMAIN), new java.util.Properties());
  }

  private static String[] domainArgs(Path dataPath, String... rest) {
    String[] base = {
      "--data-path",
      dataPath.toString(),
      "--chain-id",
      Long.toString(CHAIN),
      "--verifying-contract",
      REGISTRY
    };
    String[] all = Arrays.copyOf(base, base.length + rest.length);
    System.arraycopy(rest, 0, all, base.length, rest.length);
    return all;
  }

  @Test
  void exportImportCarriesTheRefusalsToAnotherNode(@TempDir Path dir) throws Exception {
    Path nodeA = dir.resolve("a");
    Path nodeB = dir.resolve("b");
    BlsSecretKey sk = BlsSecretKey.random(new SecureRandom());
    try (SlashingProtection db = open(nodeA)) {
      ProtectedSigner signer = new ProtectedSigner(sk, db, DOMAIN, SigningListener.NONE);
      for (long h = 1; h <= 5; h++) {
        assertThat(signer.sign(att(h, 1)).isSigned()).isTrue();
      }
    }
    Path file = dir.resolve("history.json");
    String[] exportArgs = domainArgs(nodeA, "--to", file.toString());
    String[] cmd = new String[exportArgs.length + 2];
    cmd[0] = "slashing-protection";
    cmd[1] = "export";
    System.arraycopy(exportArgs, 0, cmd, 2, exportArgs.length);
    Cli.Result exported = Cli.run(Map.of(), cmd);
    assertThat(exported.code()).as(exported.err()).isZero();
    assertThat(exported.out()).contains("exported 1 keys, 5 records");
    assertThat(Files.readString(file)).contains(sk.publicKey().toHex().substring(2));

    // a second export to the same file is refused, the file is untouched
    Cli.Result again = Cli.run(Map.of(), cmd);
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.errLines()).hasSize(1);

    Cli.Result imported =
        Cli.run(
            Map.of(),
            concat(
                new String[] {"slashing-protection", "import"},
                domainArgs(nodeB, "--from", file.toString())));
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("imported 5 records for 1 keys");

    try (SlashingProtection db = open(nodeB)) {
      ProtectedSigner signer = new ProtectedSigner(sk, db, DOMAIN, SigningListener.NONE);
      // an import closes the imported range with a watermark (EIP-3076's minimal strategy):
      // nothing at or below the highest imported height is signed on the new node
      var refused = signer.sign(att(3, 9));
      assertThat(refused.isSigned()).isFalse();
      assertThat(refused.reason()).isEqualTo(RefusalReason.BELOW_WATERMARK);
      assertThat(signer.sign(att(5, 1)).isSigned()).isFalse();
      assertThat(signer.sign(att(6, 2)).isSigned()).isTrue();
    }
  }

  @Test
  void pruneRaisesTheWatermark(@TempDir Path dir) {
    BlsSecretKey sk = BlsSecretKey.random(new SecureRandom());
    try (SlashingProtection db = open(dir)) {
      ProtectedSigner signer = new ProtectedSigner(sk, db, DOMAIN, SigningListener.NONE);
      for (long h = 1; h <= 10; h++) {
        assertThat(signer.sign(att(h, 1)).isSigned()).isTrue();
      }
    }
    Cli.Result pruned =
        Cli.run(
            Map.of(),
            concat(
                new String[] {"slashing-protection", "prune"},
                domainArgs(
                    dir,
                    "--public-key",
                    sk.publicKey().toHex(),
                    "--rollup-id",
                    "42",
                    "--up-to",
                    "6")));
    assertThat(pruned.code()).as(pruned.err()).isZero();
    assertThat(pruned.out()).contains("pruned 6 records of FinalityAttestation");
    try (SlashingProtection db = open(dir)) {
      ProtectedSigner signer = new ProtectedSigner(sk, db, DOMAIN, SigningListener.NONE);
      assertThat(signer.sign(att(4, 1)).isSigned()).as("at or below the watermark").isFalse();
      assertThat(signer.sign(att(8, 2)).isSigned()).as("still recorded").isFalse();
      assertThat(signer.sign(att(11, 2)).isSigned()).isTrue();
    }
  }

  @Test
  void aDatabaseInUseOrAMissingDomainIsOneClearLine(@TempDir Path dir) {
    try (SlashingProtection held = open(dir)) {
      Cli.Result r =
          Cli.run(
              Map.of(),
              concat(
                  new String[] {"slashing-protection", "export"},
                  domainArgs(dir, "--to", dir.resolve("x.json").toString())));
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.errLines()).hasSize(1);
      assertThat(r.err()).contains("in use");
    }
    Cli.Result noDomain =
        Cli.run(
            Map.of(),
            "slashing-protection",
            "export",
            "--data-path",
            dir.toString(),
            "--to",
            dir.resolve("y.json").toString());
    assertThat(noDomain.code()).isEqualTo(2);
    assertThat(noDomain.err()).contains("signing domain");
    Cli.Result badFile =
        Cli.run(
            Map.of(),
            concat(
                new String[] {"slashing-protection", "import"},
                domainArgs(dir, "--from", dir.resolve("missing.json").toString())));
    assertThat(badFile.code()).isEqualTo(2);
    assertThat(badFile.errLines()).hasSize(1);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
