package org.avsnode.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.BlsSignature;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.DisputeGameFactory;
import org.avsnode.contracts.bindings.FinalityOracle;
import org.avsnode.contracts.bindings.OutputOracle;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.bindings.VerdictOracle;
import org.avsnode.contracts.bindings.ZkBatchProposer;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tx.TransactionManager;
import org.web3j.utils.Numeric;

/**
 * The whole system on one anvil: deploy tool, restaking core, registration with on-chain proof of
 * possession, certificates, finality oracle, equivocation slashing, output oracle, gas figures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AvsSystemIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final BigInteger WAD = BigInteger.TEN.pow(18);
  private static final BigInteger STAKE = BigInteger.valueOf(100).multiply(WAD);
  private static final long EPOCH_LENGTH = 8;
  private static final BigInteger P =
      new BigInteger(
          "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
          16);

  private static ChainFixture chain;
  private static Credentials deployer;
  private static Deployment dep;
  private static final Map<String, String> GAS = new LinkedHashMap<>();

  record Op(Credentials creds, BlsSecretKey sk, long setId) {
    String address() {
      return creds.getAddress();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    chain = new ChainFixture();
    deployer = chain.newAccount();
    dep =
        Deployer.deploy(
            chain.web3j,
            deployer,
            Deployer.Config.devnet().withEpochLength(EPOCH_LENGTH).withMaxEpochAge(2));
  }

  /** The committed gas figures (written by {@code benchmarks/run}) a run must not exceed by 5%. */
  static final Path COMMITTED_GAS = Path.of("..", "benchmarks", "results", "gas.json");

  /**
   * No gas figure measured by this run is more than 5% above the committed one (figures that are
   * not measured in this run, such as the 200-operator rows, are skipped). Writes this run's
   * figures to {@code target/benchmarks/gas.json}, the file {@code benchmarks/run} commits.
   */
  @Test
  @Order(100)
  void gasFiguresHaveNotRegressed() throws Exception {
    Path measured = GasResults.write(GAS, Path.of("target", "benchmarks", "gas.json"));
    assertThat(measured).exists();
    assertThat(COMMITTED_GAS).as("committed gas results").exists();
    java.util.List<String> regressions = GasResults.regressions(COMMITTED_GAS, GAS, 0.05);
    assertThat(regressions).as("gas figures more than 5%% above %s", COMMITTED_GAS).isEmpty();
  }

  @AfterAll
  static void stop() throws IOException {
    if (!GAS.isEmpty()) {
      StringBuilder sb = new StringBuilder("| measurement | gas |\n| --- | --- |\n");
      GAS.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
      System.out.println(sb);
      Path out = Path.of("target", "gas-report.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, sb.toString());
    }
    if (chain != null) {
      chain.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static TransactionManager tm(Credentials c) {
    return chain.tm(c);
  }

  private static AvsRegistry registry(Credentials c) {
    return AvsRegistry.load(dep.contracts().avsRegistry(), chain.web3j, tm(c), chain.gas);
  }

  private static AllocationManager am(Credentials c) {
    return AllocationManager.load(
        dep.contracts().allocationManager(), chain.web3j, tm(c), chain.gas);
  }

  private static byte[] registrationData(BlsSecretKey sk) {
    byte[] data = new byte[384];
    System.arraycopy(sk.publicKey().toEip2537(), 0, data, 0, 128);
    System.arraycopy(sk.proofOfPossession().toEip2537(), 0, data, 128, 256);
    return data;
  }

  /**
   * An operator with STAKE of its own tokens, fully allocated to {@code setId}, not yet registered.
   */
  private static Credentials prepareOperator(long setId, BigInteger stake) throws Exception {
    Credentials op = chain.newAccount();
    TestToken.load(dep.contracts().testToken(), chain.web3j, tm(deployer), chain.gas)
        .mint(op.getAddress(), stake)
        .send();
    DelegationManager.load(dep.contracts().delegationManager(), chain.web3j, tm(op), chain.gas)
        .registerAsOperator("0x0000000000000000000000000000000000000000", BigInteger.ZERO, "uri")
        .send();
    TestToken.load(dep.contracts().testToken(), chain.web3j, tm(op), chain.gas)
        .approve(dep.contracts().strategyManager(), stake)
        .send();
    StrategyManager.load(dep.contracts().strategyManager(), chain.web3j, tm(op), chain.gas)
        .depositIntoStrategy(dep.contracts().strategy(), dep.contracts().testToken(), stake)
        .send();
    am(op)
        .modifyAllocations(
            op.getAddress(),
            List.of(
                new AllocationManager.AllocateParams(
                    new AllocationManager.OperatorSet(
                        dep.contracts().avsRegistry(), BigInteger.valueOf(setId)),
                    List.of(dep.contracts().strategy()),
                    List.of(WAD))))
        .send();
    return op;
  }

  private static String registerCall(Credentials op, long setId, byte[] data) {
    return am(op)
        .registerForOperatorSets(
            op.getAddress(),
            new AllocationManager.RegisterParams(
                dep.contracts().avsRegistry(), List.of(BigInteger.valueOf(setId)), data))
        .encodeFunctionCall();
  }

  private static Op registeredOperator(long setId) throws Exception {
    Credentials op = prepareOperator(setId, STAKE);
    BlsSecretKey sk = BlsSecretKey.random(RANDOM);
    TransactionReceipt r =
        am(op)
            .registerForOperatorSets(
                op.getAddress(),
                new AllocationManager.RegisterParams(
                    dep.contracts().avsRegistry(),
                    List.of(BigInteger.valueOf(setId)),
                    registrationData(sk)))
            .send();
    GAS.putIfAbsent(
        "registerForOperatorSets (first key, PoP verified on-chain)", r.getGasUsed().toString());
    return new Op(op, sk, setId);
  }

  private static long currentEpoch() throws Exception {
    return registry(deployer).currentEpoch().send().longValueExact();
  }

  /** Mines to the first block of the next epoch. */
  private static long nextEpoch() throws Exception {
    long b = chain.blockNumber();
    long target = (b / EPOCH_LENGTH + 1) * EPOCH_LENGTH;
    chain.mine(target - b);
    return currentEpoch();
  }

  private static FinalityOracle.FinalityAttestation attestation(
      long rollup, long block, byte[] hash, byte[] root, long epoch) {
    return new FinalityOracle.FinalityAttestation(
        BigInteger.valueOf(rollup),
        BigInteger.valueOf(block),
        hash,
        root,
        BigInteger.valueOf(epoch));
  }

  private static byte[] digest(FinalityOracle.FinalityAttestation a) throws Exception {
    byte[] onChain =
        registry(deployer)
            .finalityAttestationDigest(
                new AvsRegistry.FinalityAttestation(
                    a.rollupId, a.l2BlockNumber, a.l2BlockHash, a.outputRoot, a.stakeEpoch))
            .send();
    byte[] local =
        new org.avsnode.bls.eip712.FinalityAttestation(
                a.rollupId.longValueExact(),
                a.l2BlockNumber.longValueExact(),
                a.l2BlockHash,
                a.outputRoot,
                a.stakeEpoch.longValueExact())
            .digest(
                new Eip712Domain(
                    "AVS Operator Node",
                    "1",
                    dep.chainId(),
                    Numeric.hexStringToByteArray(dep.contracts().avsRegistry())));
    assertThat(onChain).isEqualTo(local);
    return local;
  }

  private static byte[] aggregate(List<Op> ops, Set<Integer> nonSigners, byte[] digest) {
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (!nonSigners.contains(i)) {
        sigs.add(ops.get(i).sk().sign(digest));
      }
    }
    return BlsSignature.aggregate(sigs).toEip2537();
  }

  private static List<BigInteger> indices(Set<Integer> s) {
    List<BigInteger> out = new ArrayList<>();
    new TreeSet<>(s).forEach(i -> out.add(BigInteger.valueOf(i)));
    return out;
  }

  private static byte[] random32() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  // ---------------------------------------------------------------- tests

  @Test
  @Order(1)
  void deploymentJsonRoundTripsAndMatchesTheChain() throws Exception {
    Path file = Files.createTempDirectory("deploy").resolve("deployment.json");
    DeploymentJson.write(dep, file);
    assertThat(DeploymentJson.read(file)).isEqualTo(dep);
    assertThat(dep.chainId()).isEqualTo(ChainFixture.CHAIN_ID);
    assertThat(registry(deployer).epochLength().send().longValueExact()).isEqualTo(EPOCH_LENGTH);
    assertThat(registry(deployer).slasher().send())
        .isEqualToIgnoringCase(dep.contracts().slashingCoordinator());
    assertThat(registry(deployer).thresholdBps(BigInteger.ZERO).send().intValue()).isEqualTo(6667);
  }

  @Test
  @Order(2)
  void registrationVerifiesTheProofOfPossessionOnChain() throws Exception {
    Op ok = registeredOperator(0);
    assertThat(registry(deployer).pubkeyOf(ok.address()).send())
        .isEqualTo(ok.sk().publicKey().toEip2537());
    assertThat(registry(deployer).compressedPubkeyOf(ok.address()).send())
        .isEqualTo(ok.sk().publicKey().toBytes());

    Credentials op = prepareOperator(0, STAKE);
    String from = op.getAddress();
    String am = dep.contracts().allocationManager();
    BlsSecretKey sk = BlsSecretKey.random(RANDOM);
    byte[] good = registrationData(sk);

    // a proof by another key
    byte[] wrongPop = good.clone();
    System.arraycopy(
        BlsSecretKey.random(RANDOM).proofOfPossession().toEip2537(), 0, wrongPop, 128, 256);
    chain.assertReverts(from, am, registerCall(op, 0, wrongPop), "InvalidProofOfPossession()");
    // a signature with the signing DST instead of the POP DST
    byte[] sigDst = good.clone();
    System.arraycopy(sk.sign(sk.publicKey().toBytes()).toEip2537(), 0, sigDst, 128, 256);
    chain.assertReverts(from, am, registerCall(op, 0, sigDst), "InvalidProofOfPossession()");
    // a flipped bit in the proof
    byte[] flipped = good.clone();
    flipped[383] ^= 1;
    chain.assertReverts(from, am, registerCall(op, 0, flipped), "InvalidProofOfPossession()");
    // a point on the curve but outside the prime-order subgroup
    byte[] offSubgroup = good.clone();
    System.arraycopy(pointOnCurveNotInSubgroup(), 0, offSubgroup, 0, 128);
    chain.assertReverts(from, am, registerCall(op, 0, offSubgroup), "InvalidProofOfPossession()");
    // a point off the curve
    byte[] offCurve = good.clone();
    offCurve[127] ^= 1;
    chain.assertReverts(from, am, registerCall(op, 0, offCurve), "InvalidProofOfPossession()");
    // the identity
    byte[] identity = good.clone();
    java.util.Arrays.fill(identity, 0, 128, (byte) 0);
    chain.assertReverts(from, am, registerCall(op, 0, identity), "IdentityKey()");
    // wrong lengths
    chain.assertReverts(
        from,
        am,
        registerCall(op, 0, java.util.Arrays.copyOf(good, 383)),
        "InvalidRegistrationData(uint256)");
    chain.assertReverts(
        from,
        am,
        registerCall(op, 0, java.util.Arrays.copyOf(good, 48 + 96)),
        "InvalidRegistrationData(uint256)");
    // non-zero padding in the G1 encoding
    byte[] padding = good.clone();
    padding[0] = 1;
    chain.assertReverts(from, am, registerCall(op, 0, padding), "MalformedPoint()");
    // a key that another operator already registered
    chain.assertReverts(
        from, am, registerCall(op, 0, registrationData(ok.sk())), "KeyAlreadyRegistered(address)");
    // and the valid data goes through
    assertThat(chain.revertData(from, am, registerCall(op, 0, good))).isNull();
  }

  @Test
  @Order(3)
  void certificatesAreVerifiedAgainstTheEpochSnapshot() throws Exception {
    // set 0 already holds one operator from the registration test; add three more
    List<Op> ops = new ArrayList<>();
    AvsRegistry reg = registry(deployer);
    for (int i = 0; i < 3; i++) {
      ops.add(registeredOperator(0));
    }
    long epoch = nextEpoch();
    int n = reg.operatorCount(BigInteger.ZERO).send().intValueExact();
    // index order is registration order; rebuild the list from the chain
    List<Op> byIndex = new ArrayList<>();
    var snapshot = reg.operatorSetAt(BigInteger.ZERO, BigInteger.valueOf(epoch)).send();
    long active = snapshot.component3().stream().filter(b -> b).count();
    assertThat(active).isEqualTo(4);
    assertThat(n).isEqualTo(4);
    // the operator from test 2 is index 0; we do not hold its key here, so it is a non-signer
    byteKeysMatch(snapshot.component4(), ops);

    FinalityOracle oracle =
        FinalityOracle.load(dep.contracts().finalityOracle(), chain.web3j, tm(deployer), chain.gas);
    String oracleAddr = dep.contracts().finalityOracle();
    String from = deployer.getAddress();
    byIndex.add(null);
    byIndex.addAll(ops);

    FinalityOracle.FinalityAttestation att = attestation(42, 1000, random32(), random32(), epoch);
    byte[] d = digest(att);
    Set<Integer> nonSigners = Set.of(0);
    byte[] sig = aggregateSkippingNull(byIndex, nonSigners, d);

    // tampered non-signer list: claims operator 1 did not sign instead of operator 0
    chain.assertReverts(
        from,
        oracleAddr,
        oracle.submitCertificate(att, indices(Set.of(1)), sig).encodeFunctionCall(),
        "InvalidSignature()");
    // flipped signature bit
    byte[] flipped = sig.clone();
    flipped[200] ^= 0x10;
    chain.assertReverts(
        from,
        oracleAddr,
        oracle.submitCertificate(att, indices(nonSigners), flipped).encodeFunctionCall(),
        "InvalidSignature()");
    // unsorted / duplicate non-signers
    chain.assertReverts(
        from,
        oracleAddr,
        oracle
            .submitCertificate(att, List.of(BigInteger.ZERO, BigInteger.ZERO), sig)
            .encodeFunctionCall(),
        "NonSignersNotSorted()");
    // below threshold: two of four signers (50% < 66.67%)
    byte[] half = aggregateSkippingNull(byIndex, Set.of(0, 1), d);
    chain.assertReverts(
        from,
        oracleAddr,
        oracle.submitCertificate(att, indices(Set.of(0, 1)), half).encodeFunctionCall(),
        "BelowThreshold(uint256,uint256,uint16)");
    // the message must match the signature (another block hash)
    FinalityOracle.FinalityAttestation other =
        attestation(42, 1000, random32(), att.outputRoot, epoch);
    chain.assertReverts(
        from,
        oracleAddr,
        oracle.submitCertificate(other, indices(nonSigners), sig).encodeFunctionCall(),
        "InvalidSignature()");
    // malformed signature length
    chain.assertReverts(
        from,
        oracleAddr,
        oracle
            .submitCertificate(att, indices(nonSigners), java.util.Arrays.copyOf(sig, 96))
            .encodeFunctionCall(),
        "MalformedSignature()");

    // three of four sign: accepted
    var sc =
        reg.checkSignatures(d, BigInteger.ZERO, BigInteger.valueOf(epoch), indices(nonSigners), sig)
            .send();
    assertThat(sc.component1()).isEqualTo(STAKE.multiply(BigInteger.valueOf(3)));
    assertThat(sc.component2()).isEqualTo(STAKE.multiply(BigInteger.valueOf(4)));
    TransactionReceipt r = oracle.submitCertificate(att, indices(nonSigners), sig).send();
    assertThat(r.isStatusOK()).isTrue();
    assertThat(r.getLogs()).hasSize(1);
    assertThat(
            oracle
                .isFinalizedAs(att.rollupId, att.l2BlockNumber, att.l2BlockHash, att.outputRoot)
                .send())
        .isTrue();
    assertThat(oracle.latestFinalizedBlock(att.rollupId).send().longValueExact()).isEqualTo(1000);
    // a racing duplicate succeeds as a no-op: returns false, emits nothing
    String dupCall = oracle.submitCertificate(att, indices(nonSigners), sig).encodeFunctionCall();
    assertThat(chain.revertData(from, oracleAddr, dupCall)).isNull();
    TransactionReceipt dup = oracle.submitCertificate(att, indices(nonSigners), sig).send();
    assertThat(dup.isStatusOK()).isTrue();
    assertThat(dup.getLogs()).isEmpty();
    GAS.put("submitCertificate duplicate (no-op)", dup.getGasUsed().toString());

    // a future epoch is rejected; after maxEpochAge epochs the snapshot is stale
    FinalityOracle.FinalityAttestation future =
        attestation(42, 1001, random32(), random32(), epoch + 1);
    byte[] fd = digest(future);
    chain.assertReverts(
        from,
        oracleAddr,
        oracle
            .submitCertificate(
                future, indices(nonSigners), aggregateSkippingNull(byIndex, nonSigners, fd))
            .encodeFunctionCall(),
        "FutureEpoch(uint32,uint32)");
    nextEpoch();
    nextEpoch();
    nextEpoch();
    FinalityOracle.FinalityAttestation stale = attestation(42, 1002, random32(), random32(), epoch);
    byte[] sd = digest(stale);
    chain.assertReverts(
        from,
        oracleAddr,
        oracle
            .submitCertificate(
                stale, indices(nonSigners), aggregateSkippingNull(byIndex, nonSigners, sd))
            .encodeFunctionCall(),
        "StaleEpoch(uint32,uint32)");
  }

  private static void byteKeysMatch(byte[] keys, List<Op> ops) {
    assertThat(keys.length).isEqualTo(128 * 4);
    for (int i = 0; i < ops.size(); i++) {
      byte[] k = java.util.Arrays.copyOfRange(keys, 128 * (i + 1), 128 * (i + 2));
      assertThat(k).isEqualTo(ops.get(i).sk().publicKey().toEip2537());
    }
  }

  private static byte[] aggregateSkippingNull(List<Op> byIndex, Set<Integer> nonSigners, byte[] d) {
    for (int i = 0; i < byIndex.size(); i++) {
      if (byIndex.get(i) == null && !nonSigners.contains(i)) {
        throw new IllegalArgumentException("no key for signer " + i);
      }
    }
    List<BlsSignature> sigs = new ArrayList<>();
    for (int i = 0; i < byIndex.size(); i++) {
      if (!nonSigners.contains(i)) {
        sigs.add(byIndex.get(i).sk().sign(d));
      }
    }
    return BlsSignature.aggregate(sigs).toEip2537();
  }

  @Test
  @Order(4)
  void equivocationSlashesExactlyOnce() throws Exception {
    Op op = registeredOperator(0);
    long epoch = nextEpoch();
    SlashingCoordinator coord =
        SlashingCoordinator.load(
            dep.contracts().slashingCoordinator(), chain.web3j, tm(deployer), chain.gas);
    String coordAddr = dep.contracts().slashingCoordinator();
    String from = deployer.getAddress();
    byte[] root = random32();
    SlashingCoordinator.FinalityAttestation a =
        new SlashingCoordinator.FinalityAttestation(
            BigInteger.valueOf(7),
            BigInteger.valueOf(99),
            random32(),
            root,
            BigInteger.valueOf(epoch));
    SlashingCoordinator.FinalityAttestation b =
        new SlashingCoordinator.FinalityAttestation(
            BigInteger.valueOf(7),
            BigInteger.valueOf(99),
            random32(),
            root,
            BigInteger.valueOf(epoch));
    byte[] sigA = op.sk().sign(digest(attestation(7, 99, a.l2BlockHash, root, epoch))).toEip2537();
    byte[] sigB = op.sk().sign(digest(attestation(7, 99, b.l2BlockHash, root, epoch))).toEip2537();

    // same contents twice is not an equivocation
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashMachEquivocation(op.address(), a, sigA, a, sigA).encodeFunctionCall(),
        "NotEquivocation()");
    // different blocks are not an equivocation
    SlashingCoordinator.FinalityAttestation c =
        new SlashingCoordinator.FinalityAttestation(
            BigInteger.valueOf(7),
            BigInteger.valueOf(100),
            b.l2BlockHash,
            root,
            BigInteger.valueOf(epoch));
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashMachEquivocation(op.address(), a, sigA, c, sigB).encodeFunctionCall(),
        "NotEquivocation()");
    // signatures must be the operator's, over exactly these messages
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashMachEquivocation(op.address(), a, sigB, b, sigB).encodeFunctionCall(),
        "InvalidOperatorSignature(uint256)");

    BigInteger before = allocatedStake(op.address());
    assertThat(before).isEqualTo(STAKE);
    TransactionReceipt r = coord.slashMachEquivocation(op.address(), a, sigA, b, sigB).send();
    assertThat(r.isStatusOK()).isTrue();
    GAS.put("slashMachEquivocation (2 pairings + slashOperator)", r.getGasUsed().toString());
    BigInteger after = allocatedStake(op.address());
    // 10% of the allocated magnitude is slashed
    assertThat(after).isEqualTo(STAKE.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
    // the registry records the lower stake from the next epoch on
    var idx = registry(deployer).operatorIndex(BigInteger.ZERO, op.address()).send();
    var stakeNext =
        registry(deployer)
            .stakeAt(BigInteger.ZERO, idx, BigInteger.valueOf(currentEpoch() + 1))
            .send();
    assertThat(stakeNext.component1())
        .isEqualTo(STAKE.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
    // the same evidence (either order) cannot be used again
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashMachEquivocation(op.address(), b, sigB, a, sigA).encodeFunctionCall(),
        "EvidenceAlreadyUsed(bytes32)");
  }

  @Test
  @Order(5)
  void delegatedStakeCanBeWithdrawnOnlyAfterTheDelay() throws Exception {
    Op op = registeredOperator(0);
    Credentials staker = chain.newAccount();
    BigInteger amount = BigInteger.valueOf(5).multiply(WAD);
    TestToken.load(dep.contracts().testToken(), chain.web3j, tm(deployer), chain.gas)
        .mint(staker.getAddress(), amount)
        .send();
    TestToken token =
        TestToken.load(dep.contracts().testToken(), chain.web3j, tm(staker), chain.gas);
    token.approve(dep.contracts().strategyManager(), amount).send();
    StrategyManager.load(dep.contracts().strategyManager(), chain.web3j, tm(staker), chain.gas)
        .depositIntoStrategy(dep.contracts().strategy(), dep.contracts().testToken(), amount)
        .send();
    DelegationManager dm =
        DelegationManager.load(
            dep.contracts().delegationManager(), chain.web3j, tm(staker), chain.gas);
    dm.delegateTo(
            op.address(),
            new DelegationManager.SignatureWithExpiry(new byte[0], BigInteger.ZERO),
            new byte[32])
        .send();
    assertThat(dm.operatorShares(op.address(), dep.contracts().strategy()).send())
        .isEqualTo(STAKE.add(amount));
    TransactionReceipt u = dm.undelegate(staker.getAddress()).send();
    var queued = DelegationManager.getSlashingWithdrawalQueuedEvents(u).get(0);
    assertThat(dm.operatorShares(op.address(), dep.contracts().strategy()).send()).isEqualTo(STAKE);
    DelegationManager.Withdrawal w = queued.withdrawal;
    String call =
        dm.completeQueuedWithdrawal(w, List.of(dep.contracts().testToken()), true)
            .encodeFunctionCall();
    chain.assertReverts(
        staker.getAddress(),
        dep.contracts().delegationManager(),
        call,
        "WithdrawalDelayNotElapsed()");
    chain.mine(10);
    dm.completeQueuedWithdrawal(w, List.of(dep.contracts().testToken()), true).send();
    assertThat(token.balanceOf(staker.getAddress()).send()).isEqualTo(amount);
  }

  @Test
  @Order(6)
  void outputOracleIndexesProposals() throws Exception {
    OutputOracle oracle =
        OutputOracle.load(dep.contracts().outputOracle(), chain.web3j, tm(deployer), chain.gas);
    byte[] r1 = random32();
    oracle.proposeL2Output(r1, BigInteger.TEN, new byte[32], BigInteger.ZERO).send();
    assertThat(oracle.latestOutputIndex().send().longValueExact()).isZero();
    assertThat(oracle.getL2Output(BigInteger.ZERO).send().outputRoot).isEqualTo(r1);
    assertThat(oracle.nextBlockNumber().send().longValueExact()).isEqualTo(20);
    chain.assertReverts(
        deployer.getAddress(),
        dep.contracts().outputOracle(),
        oracle
            .proposeL2Output(random32(), BigInteger.valueOf(25), new byte[32], BigInteger.ZERO)
            .encodeFunctionCall(),
        "UnexpectedBlockNumber(uint256,uint256)");
    Credentials stranger = chain.newAccount();
    chain.assertReverts(
        stranger.getAddress(),
        dep.contracts().outputOracle(),
        oracle
            .proposeL2Output(random32(), BigInteger.valueOf(20), new byte[32], BigInteger.ZERO)
            .encodeFunctionCall(),
        "OnlyProposer()");
  }

  @Test
  @Order(7)
  void certificateGasBySetSizeAndNonSigners() throws Exception {
    // the 200-operator set only in the benchmark run (benchmarks/run): registering it takes minutes
    boolean large = Boolean.getBoolean("avs.bench.large");
    int[] sizes = large ? new int[] {4, 16, 50, 200} : new int[] {4, 16, 50};
    int[][] nonSignerCounts = {{0, 1}, {0, 1, 10}, {0, 1, 10, 25}, {0, 1, 10, 25, 50}};
    AvsRegistry reg = registry(deployer);
    for (int s = 0; s < sizes.length; s++) {
      long setId = 10 + s;
      reg.createOperatorSet(
              BigInteger.valueOf(setId), List.of(dep.contracts().strategy()), BigInteger.ONE)
          .send();
      FinalityOracle oracle =
          FinalityOracle.deploy(
                  chain.web3j,
                  tm(deployer),
                  chain.gas,
                  dep.contracts().avsRegistry(),
                  BigInteger.valueOf(setId))
              .send();
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < sizes[s]; i++) {
        ops.add(registeredOperator(setId));
      }
      long epoch = nextEpoch();
      // the storage path first (no table yet), then the published table
      for (int k : nonSignerCounts[s]) {
        Set<Integer> ns = nonSigners(sizes[s], k);
        byte[] d = digest(attestation(1, 4000 + s * 10 + k, random32(), random32(), epoch));
        GAS.put(
            "verifyCertificate without a table (eth_estimateGas), "
                + sizes[s]
                + " operators, "
                + k
                + " non-signers",
            estimateVerify(setId, epoch, ns, d, aggregate(ops, ns, d)).toString());
      }
      TransactionReceipt pub = reg.publishOperatorTable(BigInteger.valueOf(setId)).send();
      assertThat(pub.isStatusOK()).isTrue();
      GAS.put("publishOperatorTable, " + sizes[s] + " operators", pub.getGasUsed().toString());
      for (int k : nonSignerCounts[s]) {
        Set<Integer> ns = nonSigners(sizes[s], k);
        var att = attestation(1, 5000 + s * 10 + k, random32(), random32(), epoch);
        byte[] d = digest(att);
        TransactionReceipt r =
            oracle.submitCertificate(att, indices(ns), aggregate(ops, ns, d)).send();
        assertThat(r.isStatusOK()).isTrue();
        assertThat(r.getLogs()).hasSize(1);
        GAS.put(
            "submitCertificate, " + sizes[s] + " operators, " + k + " non-signers",
            r.getGasUsed().toString());
        // the verification alone, as a bridge's eth_estimateGas of the view call sees it (21k
        // transaction base and calldata included)
        GAS.put(
            "verifyCertificate (eth_estimateGas), "
                + sizes[s]
                + " operators, "
                + k
                + " non-signers",
            estimateVerify(setId, epoch, ns, d, aggregate(ops, ns, d)).toString());
      }
    }
  }

  private static Set<Integer> nonSigners(int size, int k) {
    Set<Integer> ns = new TreeSet<>();
    for (int i = 0; i < k; i++) {
      ns.add(i * (size / k));
    }
    return ns;
  }

  private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

  private BigInteger estimateVerify(long setId, long epoch, Set<Integer> ns, byte[] d, byte[] sig)
      throws Exception {
    String call =
        registry(deployer)
            .verifyCertificate(
                d, BigInteger.valueOf(setId), BigInteger.valueOf(epoch), indices(ns), sig)
            .encodeFunctionCall();
    var est =
        chain
            .web3j
            .ethEstimateGas(
                org.web3j.protocol.core.methods.request.Transaction.createEthCallTransaction(
                    deployer.getAddress(), dep.contracts().avsRegistry(), call))
            .send();
    assertThat(est.hasError()).as("verifyCertificate estimate: %s", est.getError()).isFalse();
    return est.getAmountUsed();
  }

  /**
   * Operator tables: a published table gives the same answers as the stake checkpoints in storage
   * for less gas; a change of the set withdraws it from the next epoch on while the epoch it
   * describes keeps using it; the table path rejects what the storage path rejects.
   */
  @Test
  @Order(13)
  void operatorTablesAgreeWithStorageAndFollowChanges() throws Exception {
    long setId = 30;
    AvsRegistry reg = registry(deployer);
    reg.createOperatorSet(
            BigInteger.valueOf(setId),
            List.of(dep.contracts().strategy()),
            BigInteger.valueOf(6000))
        .send();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ops.add(registeredOperator(setId));
    }
    long e1 = nextEpoch();
    BigInteger set = BigInteger.valueOf(setId);
    assertThat(reg.operatorTableAt(set, BigInteger.valueOf(e1)).send()).isEqualTo(ZERO_ADDRESS);

    byte[] d1 = digest(attestation(7, 1, random32(), random32(), e1));
    Set<Integer> ns = Set.of(2);
    byte[] sig1 = aggregate(ops, ns, d1);
    var fromStorage =
        reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(ns), sig1).send();
    BigInteger storageGas = estimateVerify(setId, e1, ns, d1, sig1);

    // anyone may publish; once per change
    Credentials stranger = chain.newAccount();
    TransactionReceipt pub = registry(stranger).publishOperatorTable(set).send();
    assertThat(pub.isStatusOK()).isTrue();
    GAS.put("publishOperatorTable, 3 operators", pub.getGasUsed().toString());
    String table1 = reg.operatorTableAt(set, BigInteger.valueOf(e1)).send();
    assertThat(table1).isNotEqualTo(ZERO_ADDRESS);
    // the table's code starts with STOP, then the 128-byte header, then 112 bytes per operator
    byte[] code =
        Numeric.hexStringToByteArray(
            chain
                .web3j
                .ethGetCode(table1, org.web3j.protocol.core.DefaultBlockParameterName.LATEST)
                .send()
                .getCode());
    assertThat(code).hasSize(1 + 128 + 112 * 3);
    assertThat(code[0]).isZero();
    chain.assertReverts(
        deployer.getAddress(),
        dep.contracts().avsRegistry(),
        reg.publishOperatorTable(set).encodeFunctionCall(),
        "TableAlreadyPublished(uint32,uint32)");

    var fromTable = reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(ns), sig1).send();
    assertThat(fromTable.component1()).isEqualTo(fromStorage.component1());
    assertThat(fromTable.component2()).isEqualTo(fromStorage.component2());
    assertThat(fromTable.component1()).isEqualTo(STAKE.multiply(BigInteger.TWO));
    BigInteger tableGas = estimateVerify(setId, e1, ns, d1, sig1);
    assertThat(tableGas).isLessThan(storageGas);

    // what the storage path rejects, the table path rejects too
    String regAddr = dep.contracts().avsRegistry();
    String from = deployer.getAddress();
    chain.assertReverts(
        from,
        regAddr,
        reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(Set.of(1)), sig1)
            .encodeFunctionCall(),
        "InvalidSignature()");
    chain.assertReverts(
        from,
        regAddr,
        reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(Set.of(3)), sig1)
            .encodeFunctionCall(),
        "NonSignerOutOfRange(uint32)");
    chain.assertReverts(
        from,
        regAddr,
        reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(Set.of(0, 1, 2)), sig1)
            .encodeFunctionCall(),
        "NoSigners()");
    chain.assertReverts(
        from,
        regAddr,
        reg.checkSignatures(
                d1,
                set,
                BigInteger.valueOf(e1),
                List.of(BigInteger.ONE, BigInteger.ZERO),
                aggregate(ops, Set.of(0, 1), d1))
            .encodeFunctionCall(),
        "NonSignersNotSorted()");
    chain.assertReverts(
        from,
        regAddr,
        reg.verifyCertificate(
                d1,
                set,
                BigInteger.valueOf(e1),
                indices(Set.of(1, 2)),
                aggregate(ops, Set.of(1, 2), d1))
            .encodeFunctionCall(),
        "BelowThreshold(uint256,uint256,uint16)");

    // a fourth operator joins during e1: from e1 + 1 on the table is withdrawn, e1 keeps it
    ops.add(registeredOperator(setId));
    assertThat(reg.operatorTableAt(set, BigInteger.valueOf(e1)).send()).isEqualTo(table1);
    assertThat(reg.operatorTableAt(set, BigInteger.valueOf(e1 + 1)).send()).isEqualTo(ZERO_ADDRESS);
    byte[] d1b = digest(attestation(7, 2, random32(), random32(), e1));
    var stillE1 =
        reg.checkSignatures(
                d1b,
                set,
                BigInteger.valueOf(e1),
                indices(ns),
                aggregate(ops.subList(0, 3), ns, d1b))
            .send();
    assertThat(stillE1.component2()).isEqualTo(STAKE.multiply(BigInteger.valueOf(3)));

    long e2 = nextEpoch();
    byte[] d2 = digest(attestation(7, 3, random32(), random32(), e2));
    Set<Integer> ns2 = Set.of(3);
    byte[] sig2 = aggregate(ops, ns2, d2);
    var e2Storage = reg.checkSignatures(d2, set, BigInteger.valueOf(e2), indices(ns2), sig2).send();
    assertThat(e2Storage.component2()).isEqualTo(STAKE.multiply(BigInteger.valueOf(4)));
    registry(stranger).publishOperatorTable(set).send();
    String table2 = reg.operatorTableAt(set, BigInteger.valueOf(e2)).send();
    assertThat(table2).isNotEqualTo(ZERO_ADDRESS).isNotEqualTo(table1);
    assertThat(reg.operatorTableAt(set, BigInteger.valueOf(e1)).send()).isEqualTo(table1);
    var e2Table = reg.checkSignatures(d2, set, BigInteger.valueOf(e2), indices(ns2), sig2).send();
    assertThat(e2Table.component1()).isEqualTo(e2Storage.component1());
    assertThat(e2Table.component2()).isEqualTo(e2Storage.component2());
    // the e1 certificate still checks against e1's table (3 operators)
    var e1Again = reg.checkSignatures(d1, set, BigInteger.valueOf(e1), indices(ns), sig1).send();
    assertThat(e1Again.component2()).isEqualTo(STAKE.multiply(BigInteger.valueOf(3)));
  }

  private static byte[] verdictDigest(
      long rollup, long index, byte[] root, boolean valid, long epoch) {
    return new org.avsnode.bls.eip712.OutputVerdict(
            rollup, BigInteger.valueOf(index), root, valid, epoch)
        .digest(
            new Eip712Domain(
                "AVS Operator Node",
                "1",
                dep.chainId(),
                Numeric.hexStringToByteArray(dep.contracts().avsRegistry())));
  }

  private static VerdictOracle.OutputVerdict verdict(
      long rollup, long index, byte[] root, boolean valid, long epoch) {
    return new VerdictOracle.OutputVerdict(
        BigInteger.valueOf(rollup),
        BigInteger.valueOf(index),
        root,
        valid,
        BigInteger.valueOf(epoch));
  }

  /**
   * VITAL on chain: a verdict certificate over the OutputVerdict digest invalidates (or validates)
   * exactly the root the rollup posted at that index; once; a contradicting quorum is reported, not
   * stored.
   */
  @Test
  @Order(9)
  void verdictCertificatesInvalidateOrValidateThePostedOutput() throws Exception {
    long setId = 20;
    long rollup = 77;
    AvsRegistry reg = registry(deployer);
    reg.createOperatorSet(
            BigInteger.valueOf(setId),
            List.of(dep.contracts().strategy()),
            BigInteger.valueOf(6000))
        .send();
    VerdictOracle verdicts =
        VerdictOracle.deploy(
                chain.web3j,
                tm(deployer),
                chain.gas,
                dep.contracts().avsRegistry(),
                BigInteger.valueOf(setId))
            .send();
    OutputOracle outputs =
        OutputOracle.deploy(
                chain.web3j,
                tm(deployer),
                chain.gas,
                BigInteger.valueOf(rollup),
                deployer.getAddress(),
                BigInteger.TEN,
                BigInteger.ZERO)
            .send();
    String addr = verdicts.getContractAddress();
    String from = deployer.getAddress();
    // a rollup must be registered by the owner, and only by the owner
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(
                verdict(rollup, 0, random32(), false, 1), List.of(), new byte[256])
            .encodeFunctionCall(),
        "UnknownRollup(uint64)");
    Credentials stranger = chain.newAccount();
    chain.assertReverts(
        stranger.getAddress(),
        addr,
        verdicts
            .registerRollup(BigInteger.valueOf(rollup), outputs.getContractAddress())
            .encodeFunctionCall(),
        "OnlyOwner()");
    verdicts.registerRollup(BigInteger.valueOf(rollup), outputs.getContractAddress()).send();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ops.add(registeredOperator(setId));
    }
    long epoch = nextEpoch();
    byte[] bad = random32();
    byte[] good = random32();
    outputs.proposeL2Output(bad, BigInteger.TEN, new byte[32], BigInteger.ZERO).send();
    outputs.proposeL2Output(good, BigInteger.valueOf(20), new byte[32], BigInteger.ZERO).send();

    // INVALID on output 0, signed by all three
    byte[] d0 = verdictDigest(rollup, 0, bad, false, epoch);
    byte[] sig0 = aggregate(ops, Set.of(), d0);
    // the verdict must name the posted root, at an index that exists
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(verdict(rollup, 0, good, false, epoch), List.of(), sig0)
            .encodeFunctionCall(),
        "NotThePostedRoot(bytes32,bytes32)");
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(verdict(rollup, 2, bad, false, epoch), List.of(), sig0)
            .encodeFunctionCall(),
        "NoSuchOutput(uint64,uint256)");
    // a certificate of the other verdict's digest does not verify for this one
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(verdict(rollup, 0, bad, true, epoch), List.of(), sig0)
            .encodeFunctionCall(),
        "InvalidSignature()");
    // one of three is below the 60% threshold
    byte[] one = aggregate(ops, Set.of(0, 1), d0);
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(
                verdict(rollup, 0, bad, false, epoch), indices(Set.of(0, 1)), one)
            .encodeFunctionCall(),
        "BelowThreshold(uint256,uint256,uint16)");
    assertThat(verdicts.isInvalidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send())
        .isFalse();
    TransactionReceipt r =
        verdicts
            .submitVerdictCertificate(verdict(rollup, 0, bad, false, epoch), List.of(), sig0)
            .send();
    assertThat(r.isStatusOK()).isTrue();
    assertThat(VerdictOracle.getOutputInvalidatedEvents(r)).hasSize(1);
    GAS.put(
        "submitVerdictCertificate INVALID, 3 operators, 0 non-signers", r.getGasUsed().toString());
    assertThat(verdicts.isInvalidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send()).isTrue();
    assertThat(verdicts.isValidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send()).isFalse();
    // a racing duplicate changes nothing and emits nothing
    TransactionReceipt dup =
        verdicts
            .submitVerdictCertificate(verdict(rollup, 0, bad, false, epoch), List.of(), sig0)
            .send();
    assertThat(dup.getLogs()).isEmpty();
    // a contradicting quorum (VALID on the invalidated output) is reported, not stored
    byte[] d0v = verdictDigest(rollup, 0, bad, true, epoch);
    TransactionReceipt conflict =
        verdicts
            .submitVerdictCertificate(
                verdict(rollup, 0, bad, true, epoch), List.of(), aggregate(ops, Set.of(), d0v))
            .send();
    assertThat(VerdictOracle.getConflictingVerdictsEvents(conflict)).hasSize(1);
    assertThat(verdicts.isValidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send()).isFalse();
    // VALID on output 1 with one non-signer (2 of 3 = 66.7% >= 60%)
    byte[] d1 = verdictDigest(rollup, 1, good, true, epoch);
    TransactionReceipt v =
        verdicts
            .submitVerdictCertificate(
                verdict(rollup, 1, good, true, epoch),
                indices(Set.of(2)),
                aggregate(ops, Set.of(2), d1))
            .send();
    assertThat(VerdictOracle.getOutputValidatedEvents(v)).hasSize(1);
    GAS.put("submitVerdictCertificate VALID, 3 operators, 1 non-signer", v.getGasUsed().toString());
    assertThat(verdicts.isValidated(BigInteger.valueOf(rollup), BigInteger.ONE).send()).isTrue();
    assertThat(verdicts.isInvalidated(BigInteger.valueOf(rollup), BigInteger.ONE).send()).isFalse();
  }

  /**
   * A rollup whose proposals are dispute games (OP Stack's fault-proof shape): the verdict oracle
   * reads the claimed root from the game at the output index of the registered factory.
   */
  @Test
  @Order(12)
  void verdictsOnDisputeGamesNameTheGameAtTheirIndex() throws Exception {
    long setId = 21;
    long rollup = 78;
    registry(deployer)
        .createOperatorSet(
            BigInteger.valueOf(setId),
            List.of(dep.contracts().strategy()),
            BigInteger.valueOf(6000))
        .send();
    VerdictOracle verdicts =
        VerdictOracle.deploy(
                chain.web3j,
                tm(deployer),
                chain.gas,
                dep.contracts().avsRegistry(),
                BigInteger.valueOf(setId))
            .send();
    DisputeGameFactory factory =
        DisputeGameFactory.deploy(chain.web3j, tm(deployer), chain.gas, deployer.getAddress())
            .send();
    String addr = verdicts.getContractAddress();
    String from = deployer.getAddress();
    Credentials stranger = chain.newAccount();
    chain.assertReverts(
        stranger.getAddress(),
        addr,
        verdicts
            .registerGameRollup(BigInteger.valueOf(rollup), factory.getContractAddress())
            .encodeFunctionCall(),
        "OnlyOwner()");
    verdicts.registerGameRollup(BigInteger.valueOf(rollup), factory.getContractAddress()).send();
    assertThat(verdicts.gameRollupOf(factory.getContractAddress()).send())
        .isEqualTo(BigInteger.valueOf(rollup));
    // one rollup id, one kind of source
    chain.assertReverts(
        from,
        addr,
        verdicts
            .registerRollup(BigInteger.valueOf(rollup), factory.getContractAddress())
            .encodeFunctionCall(),
        "RollupAlreadyRegistered(uint64)");
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ops.add(registeredOperator(setId));
    }
    long epoch = nextEpoch();
    byte[] good = random32();
    byte[] bad = random32();
    // only the proposer creates games; extraData is the L2 block number
    chain.assertReverts(
        stranger.getAddress(),
        factory.getContractAddress(),
        factory
            .create(
                BigInteger.ZERO, good, Numeric.toBytesPadded(BigInteger.TEN, 32), BigInteger.ZERO)
            .encodeFunctionCall(),
        "OnlyProposer()");
    TransactionReceipt created =
        factory
            .create(
                BigInteger.ZERO, good, Numeric.toBytesPadded(BigInteger.TEN, 32), BigInteger.ZERO)
            .send();
    GAS.put("DisputeGameFactory.create (a game per proposal)", created.getGasUsed().toString());
    assertThat(DisputeGameFactory.getDisputeGameCreatedEvents(created)).hasSize(1);
    factory
        .create(
            BigInteger.ZERO,
            bad,
            Numeric.toBytesPadded(BigInteger.valueOf(20), 32),
            BigInteger.ZERO)
        .send();
    assertThat(factory.gameCount().send()).isEqualTo(BigInteger.TWO);
    var posted = verdicts.postedOutput(BigInteger.valueOf(rollup), BigInteger.ONE).send();
    assertThat(posted.component1()).isEqualTo(bad);
    assertThat(posted.component2()).isEqualTo(BigInteger.valueOf(20));
    byte[] sig1 = aggregate(ops, Set.of(), verdictDigest(rollup, 1, bad, false, epoch));
    // the root must be the game's claim, the index an existing game
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(verdict(rollup, 1, good, false, epoch), List.of(), sig1)
            .encodeFunctionCall(),
        "NotThePostedRoot(bytes32,bytes32)");
    chain.assertReverts(
        from,
        addr,
        verdicts
            .submitVerdictCertificate(verdict(rollup, 2, bad, false, epoch), List.of(), sig1)
            .encodeFunctionCall(),
        "NoSuchOutput(uint64,uint256)");
    TransactionReceipt r =
        verdicts
            .submitVerdictCertificate(verdict(rollup, 1, bad, false, epoch), List.of(), sig1)
            .send();
    assertThat(VerdictOracle.getOutputInvalidatedEvents(r)).hasSize(1);
    GAS.put(
        "submitVerdictCertificate INVALID on a dispute game, 3 operators",
        r.getGasUsed().toString());
    assertThat(verdicts.isInvalidated(BigInteger.valueOf(rollup), BigInteger.ONE).send()).isTrue();
    verdicts
        .submitVerdictCertificate(
            verdict(rollup, 0, good, true, epoch),
            List.of(),
            aggregate(ops, Set.of(), verdictDigest(rollup, 0, good, true, epoch)))
        .send();
    assertThat(verdicts.isValidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send()).isTrue();
  }

  /** VITAL's offence: VALID and INVALID signed for one (rollupId, outputIndex, outputRoot). */
  @Test
  @Order(10)
  void contradictingVerdictsSlashExactlyOnce() throws Exception {
    Op op = registeredOperator(0);
    long epoch = nextEpoch();
    SlashingCoordinator coord =
        SlashingCoordinator.load(
            dep.contracts().slashingCoordinator(), chain.web3j, tm(deployer), chain.gas);
    String coordAddr = dep.contracts().slashingCoordinator();
    String from = deployer.getAddress();
    byte[] root = random32();
    var yes =
        new SlashingCoordinator.OutputVerdict(
            BigInteger.valueOf(9), BigInteger.valueOf(4), root, true, BigInteger.valueOf(epoch));
    var no =
        new SlashingCoordinator.OutputVerdict(
            BigInteger.valueOf(9), BigInteger.valueOf(4), root, false, BigInteger.valueOf(epoch));
    byte[] sigYes = op.sk().sign(verdictDigest(9, 4, root, true, epoch)).toEip2537();
    byte[] sigNo = op.sk().sign(verdictDigest(9, 4, root, false, epoch)).toEip2537();
    // the same verdict twice, or verdicts on different roots, are no contradiction
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashVitalContradiction(op.address(), yes, sigYes, yes, sigYes).encodeFunctionCall(),
        "NotEquivocation()");
    var otherRoot =
        new SlashingCoordinator.OutputVerdict(
            BigInteger.valueOf(9),
            BigInteger.valueOf(4),
            random32(),
            false,
            BigInteger.valueOf(epoch));
    chain.assertReverts(
        from,
        coordAddr,
        coord
            .slashVitalContradiction(op.address(), yes, sigYes, otherRoot, sigNo)
            .encodeFunctionCall(),
        "NotEquivocation()");
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashVitalContradiction(op.address(), yes, sigNo, no, sigNo).encodeFunctionCall(),
        "InvalidOperatorSignature(uint256)");
    BigInteger before = allocatedStake(op.address());
    TransactionReceipt r =
        coord.slashVitalContradiction(op.address(), yes, sigYes, no, sigNo).send();
    assertThat(r.isStatusOK()).isTrue();
    GAS.put("slashVitalContradiction (2 pairings + slashOperator)", r.getGasUsed().toString());
    assertThat(allocatedStake(op.address()))
        .isEqualTo(before.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
    assertThat(
            coord
                .evidenceUsed(
                    coord
                        .vitalEvidenceKey(
                            op.address(), BigInteger.valueOf(9), BigInteger.valueOf(4), root)
                        .send())
                .send())
        .isTrue();
    chain.assertReverts(
        from,
        coordAddr,
        coord.slashVitalContradiction(op.address(), no, sigNo, yes, sigYes).encodeFunctionCall(),
        "EvidenceAlreadyUsed(bytes32)");
  }

  /**
   * MACH's second offence: an attestation vouching for exactly the output the VITAL quorum
   * invalidated. Runs on a second, fresh deployment (its coordinator is bound to its own verdict
   * oracle, whose operator set this test controls completely).
   */
  @Test
  @Order(11)
  void aMachAttestationToAnInvalidatedOutputIsSlashedOnce() throws Exception {
    Deployment first = dep;
    Deployer.Config config =
        Deployer.Config.devnet().withEpochLength(EPOCH_LENGTH).withMaxEpochAge(2);
    dep = Deployer.deploy(chain.web3j, deployer, config);
    try {
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ops.add(registeredOperator(0));
      }
      long epoch = nextEpoch();
      long rollup = config.rollupId();
      long block = config.outputSubmissionInterval();
      OutputOracle outputs =
          OutputOracle.load(dep.contracts().outputOracle(), chain.web3j, tm(deployer), chain.gas);
      byte[] bad = random32();
      outputs.proposeL2Output(bad, BigInteger.valueOf(block), new byte[32], BigInteger.ZERO).send();
      SlashingCoordinator coord =
          SlashingCoordinator.load(
              dep.contracts().slashingCoordinator(), chain.web3j, tm(deployer), chain.gas);
      String coordAddr = dep.contracts().slashingCoordinator();
      String from = deployer.getAddress();
      assertThat(coord.verdictOracle().send())
          .isEqualToIgnoringCase(dep.contracts().verdictOracle());
      Op liar = ops.get(0);
      byte[] hash = random32();
      SlashingCoordinator.FinalityAttestation a =
          new SlashingCoordinator.FinalityAttestation(
              BigInteger.valueOf(rollup),
              BigInteger.valueOf(block),
              hash,
              bad,
              BigInteger.valueOf(epoch));
      byte[] sig = liar.sk().sign(digest(attestation(rollup, block, hash, bad, epoch))).toEip2537();
      // not slashable before the quorum invalidated the output
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashMachInvalidOutput(liar.address(), a, sig, BigInteger.ZERO)
              .encodeFunctionCall(),
          "NotInvalidated(uint64,uint256)");
      VerdictOracle verdicts =
          VerdictOracle.load(dep.contracts().verdictOracle(), chain.web3j, tm(deployer), chain.gas);
      assertThat(
              verdicts
                  .submitVerdictCertificate(
                      verdict(rollup, 0, bad, false, epoch),
                      List.of(),
                      aggregate(ops, Set.of(), verdictDigest(rollup, 0, bad, false, epoch)))
                  .send()
                  .isStatusOK())
          .isTrue();
      assertThat(verdicts.isInvalidated(BigInteger.valueOf(rollup), BigInteger.ZERO).send())
          .isTrue();
      // an honest attestation to that block names another root: no offence
      byte[] trueRoot = random32();
      SlashingCoordinator.FinalityAttestation honest =
          new SlashingCoordinator.FinalityAttestation(
              BigInteger.valueOf(rollup),
              BigInteger.valueOf(block),
              hash,
              trueRoot,
              BigInteger.valueOf(epoch));
      byte[] honestSig =
          liar.sk().sign(digest(attestation(rollup, block, hash, trueRoot, epoch))).toEip2537();
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashMachInvalidOutput(liar.address(), honest, honestSig, BigInteger.ZERO)
              .encodeFunctionCall(),
          "NotTheInvalidatedOutput()");
      // the root at another block is not that output either
      SlashingCoordinator.FinalityAttestation otherBlock =
          new SlashingCoordinator.FinalityAttestation(
              BigInteger.valueOf(rollup),
              BigInteger.valueOf(block + 1),
              hash,
              bad,
              BigInteger.valueOf(epoch));
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashMachInvalidOutput(liar.address(), otherBlock, sig, BigInteger.ZERO)
              .encodeFunctionCall(),
          "NotTheInvalidatedOutput()");
      // another operator's signature is not the liar's
      byte[] notHis =
          ops.get(1).sk().sign(digest(attestation(rollup, block, hash, bad, epoch))).toEip2537();
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashMachInvalidOutput(liar.address(), a, notHis, BigInteger.ZERO)
              .encodeFunctionCall(),
          "InvalidOperatorSignature(uint256)");
      BigInteger before = allocatedStake(liar.address());
      TransactionReceipt r =
          coord.slashMachInvalidOutput(liar.address(), a, sig, BigInteger.ZERO).send();
      assertThat(r.isStatusOK()).isTrue();
      GAS.put(
          "slashMachInvalidOutput (2 oracle reads, 1 pairing + slashOperator)",
          r.getGasUsed().toString());
      assertThat(allocatedStake(liar.address()))
          .isEqualTo(before.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashMachInvalidOutput(liar.address(), a, sig, BigInteger.ZERO)
              .encodeFunctionCall(),
          "EvidenceAlreadyUsed(bytes32)");
      // the verdict oracle is bound once, by the deployer only
      chain.assertReverts(
          from,
          coordAddr,
          coord.setVerdictOracle(deployer.getAddress()).encodeFunctionCall(),
          "VerdictOracleAlreadySet()");
      Credentials stranger = chain.newAccount();
      chain.assertReverts(
          stranger.getAddress(),
          coordAddr,
          coord.setVerdictOracle(stranger.getAddress()).encodeFunctionCall(),
          "OnlyDeployer()");
    } finally {
      dep = first;
    }
  }

  @SuppressWarnings("rawtypes")
  /**
   * A validity rollup on L1 (ZkBatchProposer with the Groth16 verifier zk/build.sh generated, real
   * proofs from snarkjs): a batch is verified only by a proof over the public inputs the contract
   * rebuilds; and a verdict a verified proof contradicts (INVALID on the proven root, VALID on a
   * root the proof replaced) is slashed once per operator and commitment.
   */
  @Test
  @Order(11)
  void zkBatchesVerifyOnlyWithBindingProofsAndContradictedVerdictsAreSlashed() throws Exception {
    long rollup = 77;
    java.nio.file.Path zk = org.avsnode.toolchain.ZkProver.artifactsDir();
    TransactionManager dtm = tm(deployer);
    var created =
        dtm.sendTransaction(
            BigInteger.ONE.shiftLeft(32),
            BigInteger.valueOf(3_000_000),
            null,
            "0x" + org.avsnode.toolchain.ZkProver.verifierBytecode(zk),
            BigInteger.ZERO,
            true);
    TransactionReceipt vr =
        new org.web3j.tx.response.PollingTransactionReceiptProcessor(chain.web3j, 50, 200)
            .waitForTransactionReceipt(created.getTransactionHash());
    assertThat(vr.isStatusOK()).isTrue();
    byte[] genesis = random32();
    ZkBatchProposer proposer =
        ZkBatchProposer.deploy(
                chain.web3j,
                dtm,
                chain.gas,
                BigInteger.valueOf(rollup),
                deployer.getAddress(),
                deployer.getAddress(),
                vr.getContractAddress(),
                genesis)
            .send();
    String pAddr = proposer.getContractAddress();
    String from = deployer.getAddress();
    SlashingCoordinator coord =
        SlashingCoordinator.load(
            dep.contracts().slashingCoordinator(), chain.web3j, dtm, chain.gas);
    String coordAddr = dep.contracts().slashingCoordinator();
    coord.setZkProposer(BigInteger.valueOf(rollup), pAddr).send();

    try (var prover = org.avsnode.toolchain.ZkProver.start(zk, java.time.Duration.ofSeconds(120))) {
      byte[] r1 = random32();
      byte[] h1 = random32();
      byte[] t1 = random32();
      TransactionReceipt c1 =
          proposer.commitBatch(BigInteger.ONE, r1, h1, t1, BigInteger.valueOf(5)).send();
      GAS.put("ZkBatchProposer.commitBatch", c1.getGasUsed().toString());
      var p1 = prover.prove(genesis, r1, h1, t1);
      assertThat(p1.verifiedByProver()).isTrue();
      // the contract's public inputs are the prover's: one bytes32 = (high, low) 128-bit limbs
      List<BigInteger> onChainInputs = new ArrayList<>();
      for (Object x : proposer.publicInputs(BigInteger.ONE).send()) {
        onChainInputs.add(
            x instanceof BigInteger b ? b : ((org.web3j.abi.datatypes.Uint) x).getValue());
      }
      assertThat(onChainInputs).isEqualTo(p1.publicInputs());

      // a tampered proof, and a valid proof of other public inputs, are refused
      List<BigInteger> tampered = new ArrayList<>(flat(p1));
      tampered.set(0, tampered.get(0).add(BigInteger.ONE));
      chain.assertReverts(
          from,
          pAddr,
          proposer.verifyBatch(BigInteger.ONE, tampered).encodeFunctionCall(),
          "InvalidProof()");
      var unbound = prover.prove(genesis, r1, h1, random32());
      assertThat(unbound.verifiedByProver()).isTrue();
      chain.assertReverts(
          from,
          pAddr,
          proposer.verifyBatch(BigInteger.ONE, flat(unbound)).encodeFunctionCall(),
          "InvalidProof()");
      assertThat(proposer.proofVerifies(BigInteger.ONE, flat(unbound)).send()).isFalse();
      // proofs are published for the operators by the prover only, whether they verify or not
      chain.assertReverts(
          chain.newAccount().getAddress(),
          pAddr,
          proposer.submitProof(BigInteger.ONE, flat(p1)).encodeFunctionCall(),
          "OnlyProver()");
      TransactionReceipt published = proposer.submitProof(BigInteger.ONE, tampered).send();
      var events = proposer.getProofSubmittedEvents(published);
      assertThat(events).hasSize(1);
      assertThat(events.get(0).commitmentIndex).isEqualTo(BigInteger.ONE);
      assertThat(events.get(0).proof).isEqualTo(tampered);
      GAS.put("ZkBatchProposer.submitProof", published.getGasUsed().toString());
      TransactionReceipt v1 = proposer.verifyBatch(BigInteger.ONE, flat(p1)).send();
      assertThat(v1.isStatusOK()).isTrue();
      GAS.put("ZkBatchProposer.verifyBatch (Groth16, 8 public inputs)", v1.getGasUsed().toString());
      assertThat(proposer.lastVerifiedBatch().send()).isEqualTo(BigInteger.ONE);

      // batch 2: a wrong root is committed (commitment 2), reverted, committed again (3), proven
      byte[] bad = random32();
      byte[] r2 = random32();
      byte[] h2 = random32();
      byte[] t2 = random32();
      proposer.commitBatch(BigInteger.TWO, bad, h2, t2, BigInteger.valueOf(9)).send();
      proposer.revertBatch(BigInteger.TWO).send();
      proposer.commitBatch(BigInteger.TWO, r2, h2, t2, BigInteger.valueOf(9)).send();
      assertThat(proposer.commitmentOfBatch(BigInteger.TWO).send())
          .isEqualTo(BigInteger.valueOf(3));
      var p3 = prover.prove(r1, r2, h2, t2);
      // batch 3 (commitment 4) proven before batch 2 is verified: not yet on the verified chain
      byte[] r3 = random32();
      byte[] h3 = random32();
      byte[] t3 = random32();
      proposer.commitBatch(BigInteger.valueOf(3), r3, h3, t3, BigInteger.valueOf(12)).send();
      var p4 = prover.prove(r2, r3, h3, t3);

      Op liar = registeredOperator(0);
      Op blind = registeredOperator(0);
      long epoch = nextEpoch();
      var invalidOnProven = zkVerdict(rollup, 1, r1, false, epoch);
      byte[] sigInvalid = liar.sk().sign(verdictDigest(rollup, 1, r1, false, epoch)).toEip2537();
      var validOnReplaced = zkVerdict(rollup, 2, bad, true, epoch);
      byte[] sigValid = blind.sk().sign(verdictDigest(rollup, 2, bad, true, epoch)).toEip2537();

      // what is not a contradiction, or not proven, is refused
      var validOnProven = zkVerdict(rollup, 1, r1, true, epoch);
      byte[] sigOk = liar.sk().sign(verdictDigest(rollup, 1, r1, true, epoch)).toEip2537();
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(liar.address(), validOnProven, sigOk, BigInteger.ONE, flat(p1))
              .encodeFunctionCall(),
          "VerdictNotContradicted()");
      var invalidOnReplaced = zkVerdict(rollup, 2, bad, false, epoch);
      byte[] sigRight = blind.sk().sign(verdictDigest(rollup, 2, bad, false, epoch)).toEip2537();
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(
                  blind.address(), invalidOnReplaced, sigRight, BigInteger.valueOf(3), flat(p3))
              .encodeFunctionCall(),
          "VerdictNotContradicted()");
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(liar.address(), invalidOnProven, sigInvalid, BigInteger.ONE, tampered)
              .encodeFunctionCall(),
          "ProofDoesNotVerify()");
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(
                  liar.address(), invalidOnProven, sigInvalid, BigInteger.valueOf(3), flat(p3))
              .encodeFunctionCall(),
          "NotTheSameBlocks()");
      var invalidOn4 = zkVerdict(rollup, 4, r3, false, epoch);
      byte[] sigOn4 = liar.sk().sign(verdictDigest(rollup, 4, r3, false, epoch)).toEip2537();
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(liar.address(), invalidOn4, sigOn4, BigInteger.valueOf(4), flat(p4))
              .encodeFunctionCall(),
          "ProofNotOnVerifiedChain(uint256)");
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(
                  blind.address(), invalidOnProven, sigInvalid, BigInteger.ONE, flat(p1))
              .encodeFunctionCall(),
          "InvalidOperatorSignature(uint256)");

      // INVALID on the proven root of commitment 1: slashed once
      BigInteger before = allocatedStake(liar.address());
      TransactionReceipt s1 =
          coord
              .slashZkVerdict(liar.address(), invalidOnProven, sigInvalid, BigInteger.ONE, flat(p1))
              .send();
      assertThat(s1.isStatusOK()).isTrue();
      GAS.put(
          "slashZkVerdict (Groth16 check + 1 pairing + slashOperator)", s1.getGasUsed().toString());
      assertThat(allocatedStake(liar.address()))
          .isEqualTo(before.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(liar.address(), invalidOnProven, sigInvalid, BigInteger.ONE, flat(p1))
              .encodeFunctionCall(),
          "EvidenceAlreadyUsed(bytes32)");

      // VALID on the root batch 2's proof replaced: slashed once the batch is verified
      chain.assertReverts(
          from,
          coordAddr,
          coord
              .slashZkVerdict(
                  blind.address(), validOnReplaced, sigValid, BigInteger.valueOf(3), flat(p4))
              .encodeFunctionCall(),
          "ProofDoesNotVerify()");
      proposer.verifyBatch(BigInteger.TWO, flat(p3)).send();
      BigInteger beforeBlind = allocatedStake(blind.address());
      assertThat(
              coord
                  .slashZkVerdict(
                      blind.address(), validOnReplaced, sigValid, BigInteger.valueOf(3), flat(p3))
                  .send()
                  .isStatusOK())
          .isTrue();
      assertThat(allocatedStake(blind.address()))
          .isEqualTo(beforeBlind.multiply(BigInteger.valueOf(9)).divide(BigInteger.TEN));
      // with batch 2 verified, batch 3's proof is on the verified chain and verifies the batch
      assertThat(proposer.chainsFromVerified(BigInteger.valueOf(4)).send()).isTrue();
      proposer.verifyBatch(BigInteger.valueOf(3), flat(p4)).send();
      assertThat(proposer.lastVerifiedBatch().send()).isEqualTo(BigInteger.valueOf(3));

      // the verdict oracle takes verdict certificates on commitments: index = commitment index
      long setId = 22;
      registry(deployer)
          .createOperatorSet(
              BigInteger.valueOf(setId),
              List.of(dep.contracts().strategy()),
              BigInteger.valueOf(6000))
          .send();
      VerdictOracle verdicts =
          VerdictOracle.deploy(
                  chain.web3j,
                  dtm,
                  chain.gas,
                  dep.contracts().avsRegistry(),
                  BigInteger.valueOf(setId))
              .send();
      verdicts.registerZkRollup(BigInteger.valueOf(rollup), pAddr).send();
      chain.assertReverts(
          from,
          verdicts.getContractAddress(),
          verdicts.registerRollup(BigInteger.valueOf(rollup), pAddr).encodeFunctionCall(),
          "RollupAlreadyRegistered(uint64)");
      var posted = verdicts.postedOutput(BigInteger.valueOf(rollup), BigInteger.TWO).send();
      assertThat(posted.component1()).isEqualTo(bad);
      assertThat(posted.component2()).isEqualTo(BigInteger.valueOf(9));
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ops.add(registeredOperator(setId));
      }
      long e2 = nextEpoch();
      byte[] dv = verdictDigest(rollup, 3, r2, true, e2);
      chain.assertReverts(
          from,
          verdicts.getContractAddress(),
          verdicts
              .submitVerdictCertificate(
                  verdict(rollup, 5, r2, true, e2), List.of(), aggregate(ops, Set.of(), dv))
              .encodeFunctionCall(),
          "NoSuchOutput(uint64,uint256)");
      TransactionReceipt cert =
          verdicts
              .submitVerdictCertificate(
                  verdict(rollup, 3, r2, true, e2), List.of(), aggregate(ops, Set.of(), dv))
              .send();
      assertThat(cert.isStatusOK()).isTrue();
      assertThat(verdicts.isValidated(BigInteger.valueOf(rollup), BigInteger.valueOf(3)).send())
          .isTrue();
      GAS.put("submitVerdictCertificate VALID on a ZK commitment", cert.getGasUsed().toString());
    }
  }

  private static SlashingCoordinator.OutputVerdict zkVerdict(
      long rollup, long commitment, byte[] root, boolean valid, long epoch) {
    return new SlashingCoordinator.OutputVerdict(
        BigInteger.valueOf(rollup),
        BigInteger.valueOf(commitment),
        root,
        valid,
        BigInteger.valueOf(epoch));
  }

  /** A proof in verifyBatch's layout: a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y. */
  private static List<BigInteger> flat(org.avsnode.toolchain.ZkProver.Proof p) {
    return p.words();
  }

  private static BigInteger allocatedStake(String operator) throws Exception {
    List raw =
        am(deployer)
            .getAllocatedStake(
                new AllocationManager.OperatorSet(dep.contracts().avsRegistry(), BigInteger.ZERO),
                List.of(operator),
                List.of(dep.contracts().strategy()))
            .send();
    Object row = raw.get(0);
    Object cell =
        row instanceof org.web3j.abi.datatypes.Array<?> a
            ? a.getValue().get(0)
            : ((List) row).get(0);
    return cell instanceof org.web3j.abi.datatypes.Type<?> t
        ? (BigInteger) t.getValue()
        : (BigInteger) cell;
  }

  /** A point on y^2 = x^3 + 4 over Fp that is (with overwhelming probability) not in G1. */
  static byte[] pointOnCurveNotInSubgroup() {
    BigInteger x = BigInteger.valueOf(3);
    BigInteger exp = P.add(BigInteger.ONE).shiftRight(2);
    while (true) {
      BigInteger rhs = x.pow(3).add(BigInteger.valueOf(4)).mod(P);
      BigInteger y = rhs.modPow(exp, P);
      if (y.multiply(y).mod(P).equals(rhs)) {
        byte[] out = new byte[128];
        System.arraycopy(Numeric.toBytesPadded(x, 64), 0, out, 0, 64);
        System.arraycopy(Numeric.toBytesPadded(y, 64), 0, out, 64, 64);
        return out;
      }
      x = x.add(BigInteger.ONE);
    }
  }

  @Test
  @Order(8)
  void deployedRegistryRejectsCallsFromStrangers() throws Exception {
    Credentials stranger = chain.newAccount();
    assertThatThrownBy(() -> registry(stranger).setSlasher(stranger.getAddress()).send())
        .isInstanceOf(Exception.class);
    chain.assertReverts(
        stranger.getAddress(),
        dep.contracts().avsRegistry(),
        registry(stranger).setSlasher(stranger.getAddress()).encodeFunctionCall(),
        "OnlyOwner()");
  }
}
