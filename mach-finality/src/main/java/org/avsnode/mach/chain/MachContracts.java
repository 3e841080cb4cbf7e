package org.avsnode.mach.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorOrdering;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.SignerBitmap;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.FinalityOracle;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.TxRequest;
import org.avsnode.operator.registry.RegistryReader;
import org.web3j.crypto.Hash;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * MACH's view of the AVS contracts: the registry (epochs, operator sets at an epoch), the finality
 * oracle (certificate submission, what is final already) and the slashing coordinator (equivocation
 * evidence). Reads go through the bindings over the node's L1 connection; writes are returned as
 * {@link TxRequest}s for the node's transaction sender.
 */
public final class MachContracts {
  /** topic0 of FinalityOracle.BlockFinalized: present in a receipt iff the submission counted. */
  public static final String BLOCK_FINALIZED_TOPIC =
      Hash.sha3String("BlockFinalized(uint64,uint64,bytes32,bytes32,uint32,uint256,uint256)");

  /** topic0 of FinalityOracle.FinalityRequested(uint64 indexed, uint64 indexed, address). */
  public static final String FINALITY_REQUESTED_TOPIC =
      Hash.sha3String("FinalityRequested(uint64,uint64,address)");

  /** A consumer's on-chain request for a block's certificate. */
  public record FinalityRequest(long rollupId, long l2BlockNumber, long l1BlockNumber) {}

  /** The oracle's newest finalized block of a rollup and the L1 block that recorded it. */
  public record LatestFinalized(long l2BlockNumber, long l1BlockNumber) {}

  private final L1Client l1;
  private final String oracleAddress;
  private final String coordinatorAddress;
  private final long operatorSetId;
  private final RegistryReader reader;
  private final AvsRegistry registry;
  private final FinalityOracle oracle;
  private final SlashingCoordinator coordinator;

  public MachContracts(
      L1Client l1, String registry, String oracle, String coordinator, long operatorSetId) {
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.oracleAddress = Objects.requireNonNull(oracle, "oracle");
    this.coordinatorAddress = Objects.requireNonNull(coordinator, "coordinator");
    this.operatorSetId = operatorSetId;
    var tm = new ReadonlyTransactionManager(l1.web3j(), registry);
    var gas = new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO);
    this.reader = new RegistryReader(l1, registry, operatorSetId);
    this.registry = reader.bindings();
    this.oracle = FinalityOracle.load(oracle, l1.web3j(), tm, gas);
    this.coordinator = SlashingCoordinator.load(coordinator, l1.web3j(), tm, gas);
  }

  /** The shared registry reads (operator sets, stakes, epochs) this view delegates to. */
  public RegistryReader registryReader() {
    return reader;
  }

  public String registryAddress() {
    return reader.registryAddress();
  }

  public byte[] registryBytes() {
    return reader.registryBytes();
  }

  public long operatorSetId() {
    return operatorSetId;
  }

  public long epochLength() {
    return reader.epochLength();
  }

  public long maxEpochAge() {
    return reader.maxEpochAge();
  }

  public long currentEpoch() {
    return reader.currentEpoch();
  }

  public int thresholdBps() {
    return reader.thresholdBps();
  }

  /**
   * The operator set at {@code epoch}, in registry index order.
   *
   * @throws L1Exception when it cannot be read or is malformed
   */
  public OperatorSetSnapshot operatorSetAt(long epoch) {
    return reader.operatorSetAt(epoch);
  }

  /** The registry's stake of {@code operator} at {@code epoch} (zero when not in the set). */
  public BigInteger stakeOf(String operator, long epoch) {
    return reader.stakeOf(operator, epoch);
  }

  public boolean isFinalized(long rollupId, long l2BlockNumber) {
    return read(
        "isFinalized",
        () ->
            oracle
                .isFinalized(BigInteger.valueOf(rollupId), BigInteger.valueOf(l2BlockNumber))
                .send());
  }

  /**
   * The {@code SequencerInbox} the slashing coordinator holds for {@code rollupId}: the inbox whose
   * commitments SQUAD's breach evidence is judged against, so the rollup is SQUAD-sequenced exactly
   * when there is one. Set once by the deployer and never changed ({@code InboxAlreadySet}). Empty
   * when none is registered.
   *
   * @throws L1Exception when it cannot be read or the answer is not an address
   */
  public java.util.Optional<String> sequencerInboxOf(long rollupId) {
    String a =
        read(
            "sequencerInboxOf",
            () -> coordinator.sequencerInboxOf(BigInteger.valueOf(rollupId)).send());
    if (a == null || !a.matches("0x[0-9a-fA-F]{40}")) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED,
          "eth_call",
          "sequencerInboxOf(" + rollupId + ") is not an address: " + a);
    }
    return new BigInteger(a.substring(2), 16).signum() == 0
        ? java.util.Optional.empty()
        : java.util.Optional.of(a.toLowerCase(java.util.Locale.ROOT));
  }

  /** The L1 head's block number. */
  public long l1BlockNumber() {
    return l1.blockNumber();
  }

  /** The newest block the oracle finalized for {@code rollupId}, if any. */
  public java.util.Optional<LatestFinalized> latestFinalized(long rollupId) {
    BigInteger r = BigInteger.valueOf(rollupId);
    if (!read("hasFinalized", () -> oracle.hasFinalized(r).send())) {
      return java.util.Optional.empty();
    }
    long height =
        read("latestFinalizedBlock", () -> oracle.latestFinalizedBlock(r).send()).longValueExact();
    var f = read("getFinalized", () -> oracle.getFinalized(r, BigInteger.valueOf(height)).send());
    return java.util.Optional.of(new LatestFinalized(height, f.l1BlockNumber.longValueExact()));
  }

  /** The L1 block that recorded the finalization of {@code l2BlockNumber}, if it is final. */
  public java.util.Optional<Long> finalizedAtL1Block(long rollupId, long l2BlockNumber) {
    var f =
        read(
            "getFinalized",
            () ->
                oracle
                    .getFinalized(BigInteger.valueOf(rollupId), BigInteger.valueOf(l2BlockNumber))
                    .send());
    long b = f.l1BlockNumber.longValueExact();
    return b == 0 ? java.util.Optional.empty() : java.util.Optional.of(b);
  }

  /**
   * The FinalityRequested events of blocks [{@code fromBlock}, {@code toBlock}] of L1. Entries that
   * do not decode are skipped (a hostile node's answer is never trusted beyond its shape).
   */
  public List<FinalityRequest> finalityRequests(long fromBlock, long toBlock) {
    Object r =
        l1.rawCall(
            "eth_getLogs",
            List.of(
                Map.of(
                    "address",
                    oracleAddress,
                    "fromBlock",
                    "0x" + Long.toHexString(fromBlock),
                    "toBlock",
                    "0x" + Long.toHexString(toBlock),
                    "topics",
                    List.of(FINALITY_REQUESTED_TOPIC))));
    List<FinalityRequest> out = new ArrayList<>();
    if (!(r instanceof List<?> logs)) {
      throw new L1Exception(
          L1Exception.Kind.MALFORMED, "eth_getLogs", "FinalityRequested logs: not a list");
    }
    for (Object o : logs) {
      if (o instanceof Map<?, ?> m
          && m.get("topics") instanceof List<?> topics
          && topics.size() == 3
          && FINALITY_REQUESTED_TOPIC.equalsIgnoreCase(String.valueOf(topics.get(0)))
          && !Boolean.TRUE.equals(m.get("removed"))) {
        try {
          BigInteger rollup = new BigInteger(strip(String.valueOf(topics.get(1))), 16);
          BigInteger height = new BigInteger(strip(String.valueOf(topics.get(2))), 16);
          BigInteger block = new BigInteger(strip(String.valueOf(m.get("blockNumber"))), 16);
          if (rollup.bitLength() <= 63 && height.bitLength() <= 63 && block.bitLength() <= 63) {
            out.add(
                new FinalityRequest(
                    rollup.longValueExact(), height.longValueExact(), block.longValueExact()));
          }
        } catch (NumberFormatException e) {
          // not a hex quantity: skip this entry
        }
      }
    }
    return out;
  }

  private static String strip(String hex) {
    return hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
  }

  /**
   * Whether the operator set's latest snapshot has no operator table yet (AvsRegistry
   * publishOperatorTable: certificates then verify from storage, at a higher gas cost).
   */
  public boolean operatorTableMissing() {
    var c = read("setConfig", () -> registry.setConfig(BigInteger.valueOf(operatorSetId)).send());
    return c.component1() && new BigInteger(strip(c.component4()), 16).signum() == 0;
  }

  /** {@code AvsRegistry.publishOperatorTable} of this set. */
  public TxRequest publishOperatorTable() {
    return TxRequest.call(
        reader.registryAddress(),
        registry.publishOperatorTable(BigInteger.valueOf(operatorSetId)).encodeFunctionCall());
  }

  /** {@code FinalityOracle.requestFinality}: what a consumer sends to get a block finalized now. */
  public TxRequest requestFinality(long rollupId, long l2BlockNumber) {
    String data =
        oracle
            .requestFinality(BigInteger.valueOf(rollupId), BigInteger.valueOf(l2BlockNumber))
            .encodeFunctionCall();
    return TxRequest.call(oracleAddress, data);
  }

  public boolean evidenceUsed(byte[] operator, long rollupId, long l2BlockNumber) {
    return used(
        "machEvidenceKey",
        () ->
            coordinator
                .machEvidenceKey(
                    hex(operator), BigInteger.valueOf(rollupId), BigInteger.valueOf(l2BlockNumber))
                .send());
  }

  /**
   * Whether evidence of {@code operator} attesting to invalidated output {@code index} was used.
   */
  public boolean invalidOutputEvidenceUsed(byte[] operator, long rollupId, BigInteger index) {
    return used(
        "machInvalidOutputEvidenceKey",
        () ->
            coordinator
                .machInvalidOutputEvidenceKey(hex(operator), BigInteger.valueOf(rollupId), index)
                .send());
  }

  /** Whether the coordinator has used the evidence key that {@code key} reads. */
  private boolean used(String what, RegistryReader.Read<byte[]> key) {
    byte[] k = read(what, key);
    return read("evidenceUsed", () -> coordinator.evidenceUsed(k).send());
  }

  /** {@code SlashingCoordinator.slashMachInvalidOutput}: the attestation and its signature. */
  public TxRequest slashMachInvalidOutput(
      byte[] operator, FinalityAttestation a, byte[] signatureEip2537, BigInteger outputIndex) {
    String data =
        coordinator
            .slashMachInvalidOutput(
                hex(operator), coordinatorStruct(a), signatureEip2537, outputIndex)
            .encodeFunctionCall();
    return TxRequest.call(coordinatorAddress, data);
  }

  /** The nonSignerIndices a certificate implies under its snapshot. */
  public static List<BigInteger> nonSigners(Certificate c, OperatorSetSnapshot snapshot) {
    SignerBitmap bitmap = SignerBitmap.fromBytes(c.signers(), snapshot.size());
    List<BigInteger> out = new ArrayList<>();
    for (long i : OperatorOrdering.nonSignerIndices(snapshot, bitmap)) {
      out.add(BigInteger.valueOf(i));
    }
    return out;
  }

  /** {@code FinalityOracle.submitCertificate} for a certificate made under {@code snapshot}. */
  public TxRequest submitCertificate(Certificate c, OperatorSetSnapshot snapshot) {
    FinalityAttestation m = c.finalityAttestation();
    String data =
        oracle
            .submitCertificate(
                new FinalityOracle.FinalityAttestation(
                    BigInteger.valueOf(m.rollupId()),
                    BigInteger.valueOf(m.l2BlockNumber()),
                    m.l2BlockHash(),
                    m.outputRoot(),
                    BigInteger.valueOf(m.stakeEpoch())),
                nonSigners(c, snapshot),
                c.aggregateSignatureEip2537())
            .encodeFunctionCall();
    return TxRequest.call(oracleAddress, data);
  }

  /** {@code AvsRegistry.verifyCertificate} as a view: signed and total stake, or a revert. */
  public BigInteger[] verifyCertificateView(Certificate c, OperatorSetSnapshot snapshot) {
    var t =
        read(
            "verifyCertificate",
            () ->
                registry
                    .verifyCertificate(
                        c.digest(),
                        BigInteger.valueOf(c.operatorSetId()),
                        BigInteger.valueOf(c.finalityAttestation().stakeEpoch()),
                        nonSigners(c, snapshot),
                        c.aggregateSignatureEip2537())
                    .send());
    return new BigInteger[] {t.component1(), t.component2()};
  }

  /** {@code SlashingCoordinator.slashMachEquivocation} with both messages and signatures. */
  public TxRequest slashMachEquivocation(
      byte[] operator,
      FinalityAttestation a,
      byte[] signatureAEip2537,
      FinalityAttestation b,
      byte[] signatureBEip2537) {
    String data =
        coordinator
            .slashMachEquivocation(
                hex(operator),
                coordinatorStruct(a),
                signatureAEip2537,
                coordinatorStruct(b),
                signatureBEip2537)
            .encodeFunctionCall();
    return TxRequest.call(coordinatorAddress, data);
  }

  private static SlashingCoordinator.FinalityAttestation coordinatorStruct(FinalityAttestation m) {
    return new SlashingCoordinator.FinalityAttestation(
        BigInteger.valueOf(m.rollupId()),
        BigInteger.valueOf(m.l2BlockNumber()),
        m.l2BlockHash(),
        m.outputRoot(),
        BigInteger.valueOf(m.stakeEpoch()));
  }

  /** Whether a mined submission's receipt carries BlockFinalized (false: a duplicate). */
  public boolean finalizedBy(String txHash) {
    Object r = l1.rawCall("eth_getTransactionReceipt", List.of(txHash));
    if (!(r instanceof Map<?, ?> receipt) || !(receipt.get("logs") instanceof List<?> logs)) {
      return false;
    }
    for (Object log : logs) {
      if (log instanceof Map<?, ?> m
          && m.get("topics") instanceof List<?> topics
          && !topics.isEmpty()
          && BLOCK_FINALIZED_TOPIC.equalsIgnoreCase(String.valueOf(topics.get(0)))) {
        return true;
      }
    }
    return false;
  }

  public static byte[] address(String hex) {
    String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    if (h.length() != 40) {
      throw new IllegalArgumentException("not a 20-byte address: " + hex);
    }
    return HexFormat.of().parseHex(h);
  }

  public static String hex(byte[] b) {
    return "0x" + HexFormat.of().formatHex(b);
  }

  private static <T> T read(String what, RegistryReader.Read<T> r) {
    return RegistryReader.read(what, r);
  }
}
