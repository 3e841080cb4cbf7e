package org.avsnode.vital;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorOrdering;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.contracts.bindings.OutputOracle;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.VerdictOracle;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.TxRequest;
import org.avsnode.operator.registry.RegistryReader;
import org.web3j.crypto.Hash;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * VITAL's view of L1: the rollups' output oracles (what was posted), the verdict oracle (what the
 * quorum decided; certificate submission) and the registry (operator sets by epoch). Writes are
 * {@link TxRequest}s for the node's transaction sender.
 */
final class VitalContracts {
  /**
   * topic0 of OutputOracle.OutputProposed(bytes32 indexed, uint256 indexed, uint256 indexed,
   * uint256).
   */
  static final String OUTPUT_PROPOSED_TOPIC =
      Hash.sha3String("OutputProposed(bytes32,uint256,uint256,uint256)");

  /**
   * topic0 of DisputeGameFactory.DisputeGameCreated(address indexed, uint32 indexed, bytes32
   * indexed).
   */
  static final String DISPUTE_GAME_CREATED_TOPIC =
      Hash.sha3String("DisputeGameCreated(address,uint32,bytes32)");

  /** topic0 of ZkBatchProposer.BatchCommitted (a validity rollup's commitment). */
  static final String BATCH_COMMITTED_TOPIC =
      Hash.sha3String(
          "BatchCommitted(uint256,uint256,bytes32,bytes32,bytes32,bytes32,uint64,uint64)");

  /** topic0 of ZkBatchProposer.ProofSubmitted (a proof published for the operators). */
  static final String PROOF_SUBMITTED_TOPIC =
      Hash.sha3String("ProofSubmitted(uint256,uint256,uint256[8])");

  /** topic0 of ZkBatchProposer.BatchesReverted (unverified batches the sequencer withdrew). */
  static final String BATCHES_REVERTED_TOPIC = Hash.sha3String("BatchesReverted(uint256,uint256)");

  private static final String VERIFY_PROOF =
      Hash.sha3String("verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[8])")
          .substring(0, 10);
  private static final String VERIFIER = Hash.sha3String("verifier()").substring(0, 10);
  private static final String ROLLUP_ID = Hash.sha3String("rollupId()").substring(0, 10);

  private static final String GAME_COUNT = Hash.sha3String("gameCount()").substring(0, 10);
  private static final String L2_BLOCK_NUMBER = Hash.sha3String("l2BlockNumber()").substring(0, 10);

  /** topic0 of the verdict oracle's two record events: present iff a submission counted. */
  static final String OUTPUT_INVALIDATED_TOPIC =
      Hash.sha3String("OutputInvalidated(uint64,uint256,bytes32,uint32,uint256)");

  static final String OUTPUT_VALIDATED_TOPIC =
      Hash.sha3String("OutputValidated(uint64,uint256,bytes32,uint32,uint256)");

  private final L1Client l1;
  private final RegistryReader registry;
  private final String verdictOracleAddress;
  private final VerdictOracle verdicts;
  private final ReadonlyTransactionManager tm;
  private final StaticGasProvider gas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);

  private final String coordinatorAddress;
  private final SlashingCoordinator coordinator;

  VitalContracts(
      L1Client l1,
      String registry,
      String verdictOracle,
      String slashingCoordinator,
      long operatorSetId) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.registry = new RegistryReader(l1, registry, operatorSetId);
    this.verdictOracleAddress = Objects.requireNonNull(verdictOracle, "verdictOracle");
    this.tm = new ReadonlyTransactionManager(l1.web3j(), registry);
    this.verdicts = VerdictOracle.load(verdictOracle, l1.web3j(), tm, gas);
    this.coordinatorAddress = Objects.requireNonNull(slashingCoordinator, "slashingCoordinator");
    this.coordinator = SlashingCoordinator.load(slashingCoordinator, l1.web3j(), tm, gas);
  }

  /** Whether this contradiction of {@code operator} was used as evidence on L1 already. */
  boolean contradictionUsed(byte[] operator, OutputVerdict v) {
    return evidenceUsed(
        "vitalEvidenceKey",
        () ->
            coordinator
                .vitalEvidenceKey(
                    org.avsnode.bls.Hex.toHexPrefixed(operator),
                    BigInteger.valueOf(v.rollupId()),
                    v.outputIndex(),
                    v.outputRoot())
                .send());
  }

  /** {@code SlashingCoordinator.slashVitalContradiction} with both verdicts and signatures. */
  TxRequest slashVitalContradiction(
      byte[] operator, OutputVerdict a, byte[] sigAEip2537, OutputVerdict b, byte[] sigBEip2537) {
    String data =
        coordinator
            .slashVitalContradiction(
                org.avsnode.bls.Hex.toHexPrefixed(operator),
                struct(a),
                sigAEip2537,
                struct(b),
                sigBEip2537)
            .encodeFunctionCall();
    return TxRequest.call(coordinatorAddress, data);
  }

  /**
   * {@code SlashingCoordinator.slashZkVerdict}: a verdict on a validity rollup's commitment that
   * the proof of {@code provenCommitment} (same batch and L2 blocks) contradicts.
   */
  TxRequest slashZkVerdict(
      byte[] operator,
      OutputVerdict v,
      byte[] sigEip2537,
      BigInteger provenCommitment,
      List<BigInteger> proof) {
    String data =
        coordinator
            .slashZkVerdict(
                org.avsnode.bls.Hex.toHexPrefixed(operator),
                struct(v),
                sigEip2537,
                provenCommitment,
                proof)
            .encodeFunctionCall();
    return TxRequest.call(coordinatorAddress, data);
  }

  /** Whether the ZK verdict evidence against {@code operator} on this commitment was used. */
  boolean zkEvidenceUsed(byte[] operator, OutputVerdict v) {
    return evidenceUsed(
        "zkVerdictEvidenceKey",
        () ->
            coordinator
                .zkVerdictEvidenceKey(
                    org.avsnode.bls.Hex.toHexPrefixed(operator),
                    BigInteger.valueOf(v.rollupId()),
                    v.outputIndex())
                .send());
  }

  /** Whether the evidence key {@code key} reads was used on L1 already. */
  private boolean evidenceUsed(String what, RegistryReader.Read<byte[]> key) {
    byte[] k = RegistryReader.read(what, key);
    return RegistryReader.read("evidenceUsed", () -> coordinator.evidenceUsed(k).send());
  }

  /**
   * Runs a transaction as an {@code eth_call} first: empty when it would succeed, else why not (for
   * the ZK evidence, whose proof is on the verified chain only once its batch is verified).
   */
  Optional<String> wouldRevert(TxRequest t) {
    try {
      l1.rawCall("eth_call", List.of(java.util.Map.of("to", t.to(), "data", t.data()), "latest"));
      return Optional.empty();
    } catch (L1Exception e) {
      if (e.kind() == L1Exception.Kind.RPC_ERROR) {
        return Optional.of(e.getMessage());
      }
      throw e;
    }
  }

  private static SlashingCoordinator.OutputVerdict struct(OutputVerdict v) {
    return new SlashingCoordinator.OutputVerdict(
        BigInteger.valueOf(v.rollupId()),
        v.outputIndex(),
        v.outputRoot(),
        v.valid(),
        BigInteger.valueOf(v.stakeEpoch()));
  }

  RegistryReader registry() {
    return registry;
  }

  L1Client l1() {
    return l1;
  }

  private OutputOracle outputs(String address) {
    return OutputOracle.load(address, l1.web3j(), tm, gas);
  }

  /** The rollup id an output oracle serves. */
  long rollupIdOf(String outputOracle) {
    return RegistryReader.read("rollupId", () -> outputs(outputOracle).rollupId().send())
        .longValueExact();
  }

  /** The L2 block the next proposal of this oracle will name. */
  long nextBlockNumber(String outputOracle) {
    return RegistryReader.read(
            "nextBlockNumber", () -> outputs(outputOracle).nextBlockNumber().send())
        .longValueExact();
  }

  /**
   * What the rollup posted at {@code index}, as the verdict oracle reads it (output oracle or game
   * factory): the L2 block number.
   */
  long postedL2Block(long rollupId, BigInteger index) {
    return RegistryReader.read(
            "postedOutput",
            () -> verdicts.postedOutput(BigInteger.valueOf(rollupId), index).send().component2())
        .longValueExact();
  }

  /** The rollup id a dispute game factory is registered under in the verdict oracle. */
  long gameRollupOf(String factory) {
    return RegistryReader.read("gameRollupOf", () -> verdicts.gameRollupOf(factory).send())
        .longValueExact();
  }

  /**
   * {@code gameCount()} of a factory as of the block with {@code blockHash} (EIP-1898), so a game's
   * index is read from the very chain its creation log came from.
   */
  BigInteger gameCountAt(String factory, String blockHash) {
    return uint(
        l1.rawCall(
            "eth_call",
            List.of(
                java.util.Map.of("to", factory, "data", GAME_COUNT),
                java.util.Map.of("blockHash", blockHash))),
        "gameCount");
  }

  /** The Groth16 verifier a validity rollup's proposer checks proofs with. */
  String zkVerifierOf(String proposer) {
    BigInteger v = latestWord(proposer, VERIFIER, "verifier");
    if (v.bitLength() > 160) {
      throw new L1Exception(L1Exception.Kind.MALFORMED, "eth_call", "verifier() is not an address");
    }
    return String.format("0x%040x", v);
  }

  /** The rollup id of a validity rollup's proposer. */
  long zkRollupIdOf(String proposer) {
    return latestWord(proposer, ROLLUP_ID, "rollupId").longValueExact();
  }

  /** A view without arguments that answers one word, read at the latest block. */
  private BigInteger latestWord(String to, String selector, String what) {
    return uint(
        l1.rawCall("eth_call", List.of(java.util.Map.of("to", to, "data", selector), "latest")),
        what);
  }

  /**
   * {@code verifyProof(a, b, c, publicInputs)} of a Groth16 verifier by {@code eth_call}: whether
   * it answers true for the proof's 8 words with these 8 public inputs. A revert or any answer but
   * true is a rejection; an L1 that cannot be reached is UNREACHABLE.
   */
  ZkBatchChecker.Answer verifyProof(
      String verifier, List<BigInteger> proof, List<BigInteger> publicInputs) {
    if (proof.size() != 8 || publicInputs.size() != 8) {
      throw new IllegalArgumentException("8 proof words and 8 public inputs");
    }
    StringBuilder data = new StringBuilder(VERIFY_PROOF);
    for (BigInteger w : proof) {
      data.append(word(w));
    }
    for (BigInteger w : publicInputs) {
      data.append(word(w));
    }
    Object r;
    try {
      r =
          l1.rawCall(
              "eth_call",
              List.of(java.util.Map.of("to", verifier, "data", data.toString()), "latest"));
    } catch (L1Exception e) {
      if (e.kind() == L1Exception.Kind.RPC_ERROR) {
        return new ZkBatchChecker.Answer(ZkBatchChecker.Outcome.REJECTED, "the verifier reverted");
      }
      return new ZkBatchChecker.Answer(ZkBatchChecker.Outcome.UNREACHABLE, e.getMessage());
    }
    if (r instanceof String hex && hex.matches("0x[0-9a-fA-F]{64}")) {
      BigInteger v = new BigInteger(hex.substring(2), 16);
      if (v.equals(BigInteger.ONE)) {
        return new ZkBatchChecker.Answer(ZkBatchChecker.Outcome.VERIFIES, "true");
      }
      if (v.signum() == 0) {
        return new ZkBatchChecker.Answer(
            ZkBatchChecker.Outcome.REJECTED, "the verifier said false");
      }
    }
    return new ZkBatchChecker.Answer(
        ZkBatchChecker.Outcome.REJECTED, "the verifier answered neither true nor false");
  }

  private static String word(BigInteger w) {
    if (w.signum() < 0 || w.bitLength() > 256) {
      throw new IllegalArgumentException("not a uint256: " + w);
    }
    String h = w.toString(16);
    return "0".repeat(64 - h.length()) + h;
  }

  /** {@code l2BlockNumber()} of a game (immutable: read at the latest block). */
  long gameL2Block(String game) {
    return latestWord(game, L2_BLOCK_NUMBER, "l2BlockNumber").longValueExact();
  }

  private static BigInteger uint(Object result, String what) {
    if (!(result instanceof String hex) || !hex.matches("0x[0-9a-fA-F]{64}")) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED,
          "eth_call",
          what + "() did not answer one 32-byte word: " + result);
    }
    return new BigInteger(hex.substring(2), 16);
  }

  /** Whether the verdict oracle knows this rollup's output oracle. */
  String registeredOutputOracle(long rollupId) {
    return RegistryReader.read(
        "outputOracleOf", () -> verdicts.outputOracleOf(BigInteger.valueOf(rollupId)).send());
  }

  boolean isInvalidated(long rollupId, BigInteger index) {
    return RegistryReader.read(
        "isInvalidated", () -> verdicts.isInvalidated(BigInteger.valueOf(rollupId), index).send());
  }

  boolean isValidated(long rollupId, BigInteger index) {
    return RegistryReader.read(
        "isValidated", () -> verdicts.isValidated(BigInteger.valueOf(rollupId), index).send());
  }

  /** Whether the quorum's verdict on this output is on L1 already. */
  boolean isRecorded(OutputVerdict v) {
    return v.valid()
        ? isValidated(v.rollupId(), v.outputIndex())
        : isInvalidated(v.rollupId(), v.outputIndex());
  }

  /**
   * {@code VerdictOracle.submitVerdictCertificate} for a certificate made under {@code snapshot}.
   */
  TxRequest submitVerdictCertificate(Certificate c, OperatorSetSnapshot snapshot) {
    OutputVerdict v = (OutputVerdict) c.message();
    SignerBitmap bitmap = SignerBitmap.fromBytes(c.signers(), snapshot.size());
    List<BigInteger> nonSigners =
        java.util.Arrays.stream(OperatorOrdering.nonSignerIndices(snapshot, bitmap))
            .mapToObj(BigInteger::valueOf)
            .toList();
    String data =
        verdicts
            .submitVerdictCertificate(
                new VerdictOracle.OutputVerdict(
                    BigInteger.valueOf(v.rollupId()),
                    v.outputIndex(),
                    v.outputRoot(),
                    v.valid(),
                    BigInteger.valueOf(v.stakeEpoch())),
                nonSigners,
                c.aggregateSignatureEip2537())
            .encodeFunctionCall();
    return TxRequest.call(verdictOracleAddress, data);
  }

  /** Whether a mined submission's receipt carries OutputInvalidated or OutputValidated. */
  boolean recordedBy(String txHash) {
    Object r = l1.rawCall("eth_getTransactionReceipt", List.of(txHash));
    if (!(r instanceof java.util.Map<?, ?> receipt)
        || !(receipt.get("logs") instanceof List<?> logs)) {
      return false;
    }
    for (Object log : logs) {
      if (log instanceof java.util.Map<?, ?> m
          && m.get("topics") instanceof List<?> topics
          && !topics.isEmpty()) {
        String t0 = String.valueOf(topics.get(0));
        if (OUTPUT_INVALIDATED_TOPIC.equalsIgnoreCase(t0)
            || OUTPUT_VALIDATED_TOPIC.equalsIgnoreCase(t0)) {
          return true;
        }
      }
    }
    return false;
  }
}
