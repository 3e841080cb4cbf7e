package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.avsnode.bls.Bls;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.contracts.bindings.BlsHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.utils.Numeric;

/** The on-chain BLS12-381 library against RFC 9380 vectors and against bls-native. */
class BlsPrecompileIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static ChainFixture chain;
  private static BlsHarness harness;

  @BeforeAll
  static void start() throws Exception {
    chain = new ChainFixture();
    Credentials deployer = chain.newAccount();
    harness = BlsHarness.deploy(chain.web3j, chain.tm(deployer), chain.gas).send();
  }

  @AfterAll
  static void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  @Test
  void hashToG2MatchesRfc9380Vectors() throws Exception {
    Path file =
        Path.of(System.getProperty("avs.shared.dir"), "vectors/hash_to_curve")
            .resolve("BLS12381G2_XMD_SHA-256_SSWU_RO_.json");
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    byte[] dst = root.get("dst").asText().getBytes(StandardCharsets.US_ASCII);
    int n = 0;
    for (JsonNode v : root.get("vectors")) {
      byte[] msg = v.get("msg").asText().getBytes(StandardCharsets.US_ASCII);
      byte[] expected = eipG2(v.get("P").get("x").asText(), v.get("P").get("y").asText());
      assertThat(Numeric.toHexString(harness.hashToG2(msg, dst).send()))
          .as("msg %s", v.get("msg").asText())
          .isEqualTo(Numeric.toHexString(expected));
      assertThat(Bls.hashToG2Eip2537(msg, dst)).isEqualTo(expected);
      n++;
    }
    assertThat(n).isEqualTo(5);
  }

  @Test
  void hashToG2MatchesBlsNativeForTheSignatureAndPopDsts() throws Exception {
    for (String dstString : new String[] {Bls.DST_SIG, Bls.DST_POP}) {
      byte[] dst = dstString.getBytes(StandardCharsets.US_ASCII);
      for (int len : new int[] {0, 32, 48, 200}) {
        byte[] msg = new byte[len];
        RANDOM.nextBytes(msg);
        assertThat(harness.hashToG2(msg, dst).send()).isEqualTo(Bls.hashToG2Eip2537(msg, dst));
      }
    }
  }

  @Test
  void verifiesSignaturesAndRejectsTamperedOnes() throws Exception {
    BlsSecretKey sk = BlsSecretKey.random(RANDOM);
    byte[] msg = new byte[32];
    RANDOM.nextBytes(msg);
    byte[] pk = sk.publicKey().toEip2537();
    byte[] sig = sk.sign(msg).toEip2537();
    byte[] dst = Bls.DST_SIG.getBytes(StandardCharsets.US_ASCII);
    assertThat(harness.verify(pk, msg, dst, sig).send()).isTrue();
    byte[] flipped = sig.clone();
    flipped[255] ^= 1;
    assertThat(harness.verify(pk, msg, dst, flipped).send()).isFalse();
    byte[] otherMsg = msg.clone();
    otherMsg[0] ^= 1;
    assertThat(harness.verify(pk, otherMsg, dst, sig).send()).isFalse();
    assertThat(harness.verify(pk, msg, Bls.DST_POP.getBytes(StandardCharsets.US_ASCII), sig).send())
        .isFalse();
    // the proof of possession verifies over the compressed key with the POP DST
    byte[] compressed = harness.compressG1(pk).send();
    assertThat(compressed).isEqualTo(sk.publicKey().toBytes());
    assertThat(
            harness
                .verify(
                    pk,
                    compressed,
                    Bls.DST_POP.getBytes(StandardCharsets.US_ASCII),
                    sk.proofOfPossession().toEip2537())
                .send())
        .isTrue();
  }

  @Test
  void compressionMatchesBlsNativeForBothSigns() throws Exception {
    boolean sawLarge = false;
    boolean sawSmall = false;
    for (int i = 0; i < 12; i++) {
      BlsSecretKey sk = BlsSecretKey.random(RANDOM);
      byte[] expected = sk.publicKey().toBytes();
      assertThat(harness.compressG1(sk.publicKey().toEip2537()).send()).isEqualTo(expected);
      if ((expected[0] & 0x20) != 0) {
        sawLarge = true;
      } else {
        sawSmall = true;
      }
    }
    assertThat(sawLarge && sawSmall).as("both y-sign cases covered").isTrue();
  }

  @Test
  void finalityAttestationDigestMatchesBlsNative() throws Exception {
    byte[] verifying = new byte[20];
    RANDOM.nextBytes(verifying);
    byte[] blockHash = new byte[32];
    byte[] outputRoot = new byte[32];
    RANDOM.nextBytes(blockHash);
    RANDOM.nextBytes(outputRoot);
    FinalityAttestation att =
        new FinalityAttestation(42, 1_234_567_890_123L, blockHash, outputRoot, 77);
    byte[] expected =
        att.digest(new Eip712Domain("AVS Operator Node", "1", ChainFixture.CHAIN_ID, verifying));
    byte[] onChain =
        harness
            .finalityAttestationDigest(
                Numeric.toHexString(verifying),
                new BlsHarness.FinalityAttestation(
                    BigInteger.valueOf(42),
                    BigInteger.valueOf(1_234_567_890_123L),
                    blockHash,
                    outputRoot,
                    BigInteger.valueOf(77)))
            .send();
    assertThat(onChain).isEqualTo(expected);
  }

  /** "0x<c0>,0x<c1>" pairs to the 256-byte EIP-2537 G2 encoding. */
  static byte[] eipG2(String x, String y) {
    byte[] out = new byte[256];
    String[] parts = (x + "," + y).split(",");
    for (int i = 0; i < 4; i++) {
      byte[] v = Numeric.toBytesPadded(Numeric.toBigInt(parts[i].strip()), 64);
      System.arraycopy(v, 0, out, i * 64, 64);
    }
    return out;
  }
}
