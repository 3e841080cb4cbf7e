package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.SquadDeployer;
import org.avsnode.operator.registration.RegistrationData;
import org.avsnode.toolchain.AnvilProcess;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * One anvil with the restaking contracts and AVS registry deployed (4-block stake epochs), and
 * helpers to register operators with real BLS keys, move time and read revert data.
 */
public final class SquadChain implements AutoCloseable {
  public static final long CHAIN_ID = 31_337;
  public static final BigInteger WAD = BigInteger.TEN.pow(18);
  private static final SecureRandom RANDOM = new SecureRandom();

  public final AnvilProcess anvil;
  public final HttpService http;
  public final Web3j web3j;
  public final ContractGasProvider gas;
  public final Credentials deployer;
  public final Deployment dep;
  private final java.util.Map<String, BlsSecretKey> blsKeys =
      new java.util.concurrent.ConcurrentHashMap<>();

  public SquadChain() throws Exception {
    anvil =
        AnvilProcess.builder()
            .chainId(CHAIN_ID)
            .accounts(1)
            .arg("--block-base-fee-per-gas")
            .arg("0")
            .start();
    http = new HttpService(anvil.rpcUrl());
    web3j = Web3j.build(http);
    gas = Chain.gasProvider(web3j, Chain.DEFAULT_GAS_LIMIT);
    deployer = newAccount();
    dep = Deployer.deploy(web3j, deployer, Deployer.Config.devnet().withEpochLength(4));
  }

  public TransactionManager tm(Credentials c) {
    return Chain.transactionManager(web3j, c, CHAIN_ID, 20);
  }

  public Credentials newAccount() throws Exception {
    Credentials c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    rpc("anvil_setBalance", List.of(c.getAddress(), "0x3635c9adc5dea00000"));
    return c;
  }

  public BigInteger balance(String address) throws IOException {
    return web3j.ethGetBalance(address, DefaultBlockParameterName.LATEST).send().getBalance();
  }

  /** A registered operator of the deployment's set with {@code stake} tokens allocated to it. */
  public Credentials registerOperator(BigInteger stake) throws Exception {
    Credentials op = newAccount();
    Deployment.Contracts c = dep.contracts();
    DelegationManager.load(c.delegationManager(), web3j, tm(op), gas)
        .registerAsOperator("0x0000000000000000000000000000000000000000", BigInteger.ZERO, "uri")
        .send();
    if (stake.signum() > 0) {
      deposit(op, stake);
    }
    AllocationManager am = AllocationManager.load(c.allocationManager(), web3j, tm(op), gas);
    AllocationManager.OperatorSet set =
        new AllocationManager.OperatorSet(c.avsRegistry(), BigInteger.valueOf(dep.operatorSetId()));
    am.modifyAllocations(
            op.getAddress(),
            List.of(new AllocationManager.AllocateParams(set, List.of(c.strategy()), List.of(WAD))))
        .send();
    BlsSecretKey sk = BlsSecretKey.random(RANDOM);
    blsKeys.put(op.getAddress().toLowerCase(java.util.Locale.ROOT), sk);
    byte[] data = RegistrationData.of(sk).encode();
    TransactionReceipt r =
        am.registerForOperatorSets(
                op.getAddress(),
                new AllocationManager.RegisterParams(
                    c.avsRegistry(), List.of(BigInteger.valueOf(dep.operatorSetId())), data))
            .send();
    assertThat(r.isStatusOK()).isTrue();
    return op;
  }

  /** The BLS key an operator registered with {@link #registerOperator}. */
  public BlsSecretKey blsKey(Credentials op) {
    return blsKeys.get(op.getAddress().toLowerCase(java.util.Locale.ROOT));
  }

  /** {@code op}'s signature (EIP-2537 form) over the EIP-712 digest of {@code message}. */
  public byte[] sign(Credentials op, org.avsnode.bls.eip712.TypedMessage message) {
    byte[] registry = Numeric.hexStringToByteArray(dep.contracts().avsRegistry());
    return blsKey(op)
        .sign(message.digest(org.avsnode.bls.eip712.Eip712Domain.avsNode(CHAIN_ID, registry)))
        .toEip2537();
  }

  /** The SQUAD contracts of one rollup: schedule, forced-inclusion queue and inbox, wired. */
  public record Squad(
      org.avsnode.contracts.bindings.SlotSchedule schedule,
      org.avsnode.contracts.bindings.ForcedInclusionQueue queue,
      String inbox,
      long genesis) {}

  /**
   * Deploys and wires the SQUAD contracts (2 backups, 32-slot epochs, epochs 0 to 2 fixed, the
   * inbox registered with the slashing coordinator); genesis is {@code genesisDelay} seconds after
   * the latest block.
   */
  public Squad deploySquad(
      long genesisDelay,
      long slotSeconds,
      long graceSeconds,
      long dueAfter,
      long escapeAfter,
      BigInteger fee,
      long rollupId,
      byte[] genesisBlockHash)
      throws Exception {
    long genesis = latestTimestamp() + genesisDelay;
    SquadDeployer.Squad s =
        SquadDeployer.deploy(
            web3j,
            deployer,
            dep,
            new SquadDeployer.Params(
                genesis,
                slotSeconds,
                32,
                2,
                graceSeconds,
                dueAfter,
                escapeAfter,
                fee,
                rollupId,
                genesisBlockHash,
                3));
    return new Squad(
        org.avsnode.contracts.bindings.SlotSchedule.load(s.schedule(), web3j, tm(deployer), gas),
        org.avsnode.contracts.bindings.ForcedInclusionQueue.load(
            s.queue(), web3j, tm(deployer), gas),
        s.inbox(),
        genesis);
  }

  public void deposit(Credentials op, BigInteger amount) throws Exception {
    Deployment.Contracts c = dep.contracts();
    TestToken.load(c.testToken(), web3j, tm(deployer), gas).mint(op.getAddress(), amount).send();
    TestToken.load(c.testToken(), web3j, tm(op), gas).approve(c.strategyManager(), amount).send();
    StrategyManager.load(c.strategyManager(), web3j, tm(op), gas)
        .depositIntoStrategy(c.strategy(), c.testToken(), amount)
        .send();
  }

  /** Deposits more for {@code op} and refreshes its stake in the registry. */
  public void addStake(Credentials op, BigInteger amount) throws Exception {
    deposit(op, amount);
    AvsRegistry.load(dep.contracts().avsRegistry(), web3j, tm(deployer), gas)
        .updateOperators(BigInteger.valueOf(dep.operatorSetId()), List.of(op.getAddress()))
        .send();
  }

  /** Mines into the registry's next stake epoch, so changes made so far are in its snapshot. */
  public void mineRegistryEpoch() throws IOException {
    long n = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    long next = (n / dep.epochLength() + 1) * dep.epochLength();
    rpc("anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(next - n + 1))));
  }

  public long latestTimestamp() throws IOException {
    return web3j
        .ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false)
        .send()
        .getBlock()
        .getTimestamp()
        .longValueExact();
  }

  /** The next block (the next transaction's, with automine) has timestamp {@code t}. */
  public void setNextTimestamp(long t) throws IOException {
    rpc("evm_setNextBlockTimestamp", List.of(t));
  }

  /** Mines one empty block at timestamp {@code t}. */
  public void mineAt(long t) throws IOException {
    setNextTimestamp(t);
    rpc("evm_mine", List.of());
  }

  /** eth_call at the latest block; the revert data (0x...), or null when the call succeeds. */
  public String revertData(String from, String to, String data) throws IOException {
    EthCall r =
        web3j
            .ethCall(
                Transaction.createEthCallTransaction(from, to, data),
                DefaultBlockParameterName.LATEST)
            .send();
    if (r.hasError()) {
      String d = r.getError().getData();
      return d == null ? "0x" : d.replace("\"", "");
    }
    return r.isReverted() ? r.getRevertReason() : null;
  }

  public static String selector(String signature) {
    return Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.US_ASCII)))
        .substring(0, 10);
  }

  public void rpc(String method, List<?> params) throws IOException {
    Response<?> r = new Request<>(method, params, http, VoidResponse.class).send();
    if (r.hasError()) {
      throw new IOException(method + ": " + r.getError().getMessage());
    }
  }

  @Override
  public void close() {
    web3j.shutdown();
    anvil.close();
  }

  public static final class VoidResponse extends Response<Object> {}
}
