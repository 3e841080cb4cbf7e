package org.avsnode.bls.eip712;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Random;
import org.avsnode.bls.Hex;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.StructuredDataEncoder;

/** Cross-checks every digest against web3j's independent EIP-712 encoder. */
class Eip712DigestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Random rnd = new Random(42);

  private byte[] b32() {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return b;
  }

  private Eip712Domain domain() {
    byte[] addr = new byte[20];
    rnd.nextBytes(addr);
    return Eip712Domain.avsNode(1 + rnd.nextInt(1_000_000), addr);
  }

  private static String hex(byte[] b) {
    return Hex.toHexPrefixed(b);
  }

  /** Builds the eth_signTypedData JSON for one message and returns web3j's digest. */
  private static byte[] web3jDigest(
      Eip712Domain domain, String primaryType, String[][] fields, Object[] values)
      throws Exception {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode types = root.putObject("types");
    ArrayNode dt = types.putArray("EIP712Domain");
    dt.addObject().put("name", "name").put("type", "string");
    dt.addObject().put("name", "version").put("type", "string");
    dt.addObject().put("name", "chainId").put("type", "uint256");
    dt.addObject().put("name", "verifyingContract").put("type", "address");
    ArrayNode mt = types.putArray(primaryType);
    ObjectNode msg = JSON.createObjectNode();
    for (int i = 0; i < fields.length; i++) {
      mt.addObject().put("name", fields[i][0]).put("type", fields[i][1]);
      Object v = values[i];
      if (v instanceof byte[] b) {
        msg.put(fields[i][0], hex(b));
      } else if (v instanceof Boolean bool) {
        msg.put(fields[i][0], bool);
      } else {
        msg.put(fields[i][0], v.toString());
      }
    }
    root.put("primaryType", primaryType);
    ObjectNode d = root.putObject("domain");
    d.put("name", domain.name());
    d.put("version", domain.version());
    d.put("chainId", domain.chainId());
    d.put("verifyingContract", hex(domain.verifyingContract()));
    root.set("message", msg);
    return new StructuredDataEncoder(JSON.writeValueAsString(root)).hashStructuredData();
  }

  @RepeatedTest(5)
  void finalityAttestation() throws Exception {
    Eip712Domain domain = domain();
    var m =
        new FinalityAttestation(
            rnd.nextLong() >>> 1, Long.MAX_VALUE, b32(), b32(), Eip712.UINT32_MAX);
    byte[] expected =
        web3jDigest(
            domain,
            "FinalityAttestation",
            new String[][] {
              {"rollupId", "uint64"},
              {"l2BlockNumber", "uint64"},
              {"l2BlockHash", "bytes32"},
              {"outputRoot", "bytes32"},
              {"stakeEpoch", "uint32"}
            },
            new Object[] {
              m.rollupId(), m.l2BlockNumber(), m.l2BlockHash(), m.outputRoot(), m.stakeEpoch()
            });
    assertThat(hex(m.digest(domain))).isEqualTo(hex(expected));
  }

  @RepeatedTest(5)
  void outputVerdict() throws Exception {
    Eip712Domain domain = domain();
    var m =
        new OutputVerdict(
            7, new BigInteger(255, rnd), b32(), rnd.nextBoolean(), rnd.nextInt() & 0x7fffffffL);
    byte[] expected =
        web3jDigest(
            domain,
            "OutputVerdict",
            new String[][] {
              {"rollupId", "uint64"},
              {"outputIndex", "uint256"},
              {"outputRoot", "bytes32"},
              {"valid", "bool"},
              {"stakeEpoch", "uint32"}
            },
            new Object[] {
              m.rollupId(), m.outputIndex(), m.outputRoot(), m.valid(), m.stakeEpoch()
            });
    assertThat(hex(m.digest(domain))).isEqualTo(hex(expected));
  }

  @RepeatedTest(5)
  void slotProposal() throws Exception {
    Eip712Domain domain = domain();
    var m = new SlotProposal(3, rnd.nextLong() >>> 1, b32(), b32(), b32());
    byte[] expected =
        web3jDigest(
            domain,
            "SlotProposal",
            new String[][] {
              {"rollupId", "uint64"},
              {"slot", "uint64"},
              {"parentHash", "bytes32"},
              {"blockHash", "bytes32"},
              {"txListHash", "bytes32"}
            },
            new Object[] {m.rollupId(), m.slot(), m.parentHash(), m.blockHash(), m.txListHash()});
    assertThat(hex(m.digest(domain))).isEqualTo(hex(expected));
  }

  @RepeatedTest(5)
  void slotAttestation() throws Exception {
    Eip712Domain domain = domain();
    var m = new SlotAttestation(0, rnd.nextLong() >>> 1, b32(), 12);
    byte[] expected =
        web3jDigest(
            domain,
            "SlotAttestation",
            new String[][] {
              {"rollupId", "uint64"},
              {"slot", "uint64"},
              {"blockHash", "bytes32"},
              {"stakeEpoch", "uint32"}
            },
            new Object[] {m.rollupId(), m.slot(), m.blockHash(), m.stakeEpoch()});
    assertThat(hex(m.digest(domain))).isEqualTo(hex(expected));
  }

  @RepeatedTest(5)
  void preconfirmation() throws Exception {
    Eip712Domain domain = domain();
    var m = new Preconfirmation(rnd.nextInt(100), rnd.nextLong() >>> 1, b32());
    byte[] expected =
        web3jDigest(
            domain,
            "Preconfirmation",
            new String[][] {{"rollupId", "uint64"}, {"slot", "uint64"}, {"txHash", "bytes32"}},
            new Object[] {m.rollupId(), m.slot(), m.txHash()});
    assertThat(hex(m.digest(domain))).isEqualTo(hex(expected));
  }

  @Test
  void domainSeparatorMatchesWeb3j() throws Exception {
    Eip712Domain domain = domain();
    ObjectNode root = JSON.createObjectNode();
    ObjectNode types = root.putObject("types");
    ArrayNode dt = types.putArray("EIP712Domain");
    dt.addObject().put("name", "name").put("type", "string");
    dt.addObject().put("name", "version").put("type", "string");
    dt.addObject().put("name", "chainId").put("type", "uint256");
    dt.addObject().put("name", "verifyingContract").put("type", "address");
    types.putArray("Empty");
    root.put("primaryType", "Empty");
    ObjectNode d = root.putObject("domain");
    d.put("name", domain.name());
    d.put("version", domain.version());
    d.put("chainId", domain.chainId());
    d.put("verifyingContract", hex(domain.verifyingContract()));
    root.putObject("message");
    byte[] expected = new StructuredDataEncoder(JSON.writeValueAsString(root)).hashDomain();
    assertThat(hex(domain.separator())).isEqualTo(hex(expected));
  }

  @Test
  void typeStringsAreTheSpecOnes() {
    assertThat(FinalityAttestation.TYPE)
        .isEqualTo(
            "FinalityAttestation(uint64 rollupId,uint64 l2BlockNumber,bytes32 l2BlockHash,bytes32 outputRoot,uint32 stakeEpoch)");
    assertThat(OutputVerdict.TYPE)
        .isEqualTo(
            "OutputVerdict(uint64 rollupId,uint256 outputIndex,bytes32 outputRoot,bool valid,uint32 stakeEpoch)");
    assertThat(SlotProposal.TYPE)
        .isEqualTo(
            "SlotProposal(uint64 rollupId,uint64 slot,bytes32 parentHash,bytes32 blockHash,bytes32 txListHash)");
    assertThat(SlotAttestation.TYPE)
        .isEqualTo(
            "SlotAttestation(uint64 rollupId,uint64 slot,bytes32 blockHash,uint32 stakeEpoch)");
    assertThat(Preconfirmation.TYPE)
        .isEqualTo("Preconfirmation(uint64 rollupId,uint64 slot,bytes32 txHash)");
    // keccak256("") as a known answer for the hash function itself
    assertThat(Hex.toHex(Eip712.keccak256(new byte[0])))
        .isEqualTo("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  }

  @Test
  void rangesAndLengthsAreValidated() {
    byte[] ok = new byte[32];
    assertThatThrownBy(() -> new SlotAttestation(-1, 0, ok, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SlotAttestation(0, 0, ok, 1L << 32))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SlotAttestation(0, 0, new byte[31], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OutputVerdict(0, BigInteger.ONE.shiftLeft(256), ok, true, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OutputVerdict(0, BigInteger.valueOf(-1), ok, true, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Eip712Domain("n", "1", 1, new byte[19]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void defensiveCopiesAndContentEquality() {
    byte[] h = new byte[32];
    var a = new Preconfirmation(1, 2, h);
    h[0] = 1;
    var b = new Preconfirmation(1, 2, new byte[32]);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    a.txHash()[0] = 5;
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(new Preconfirmation(1, 2, h));
  }
}
