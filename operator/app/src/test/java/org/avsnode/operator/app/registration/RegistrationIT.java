package org.avsnode.operator.app.registration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.keystore.Eip2335Keystore;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.deploy.Chain;
import org.avsnode.contracts.deploy.Deployer;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.app.config.Cli;
import org.avsnode.operator.app.config.Cli.Result;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * End to end on a real anvil with the contracts deployed by the deploy tool: keys created with
 * {@code keys create}, a staker that deposits and delegates, {@code register} in-process and
 * through the packaged binary, idempotent re-runs, {@code status}, {@code deregister}, and the
 * failures an operator can run into.
 */
class RegistrationIT {
  private static final long CHAIN_ID = 31_337;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigInteger STAKE = BigInteger.TEN.pow(21);
  private static final Pattern KEY_LINE =
      Pattern.compile("^(bls|ecdsa)\\s+(0x[0-9a-fA-F]+)\\s+(\\S+)$", Pattern.MULTILINE);

  private static AnvilProcess anvil;
  private static HttpService http;
  private static Web3j web3j;
  private static ContractGasProvider gas;
  private static Credentials deployer;
  private static Deployment deployment;
  private static Path dir;
  private static Path deploymentFile;

  @BeforeAll
  static void deploy() throws Exception {
    dir = Files.createTempDirectory("registration-it");
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
    deployment = Deployer.deploy(web3j, deployer, Deployer.Config.devnet().withEpochLength(8));
    deploymentFile = dir.resolve("deployment.json");
    DeploymentJson.write(deployment, deploymentFile);
  }

  @AfterAll
  static void stop() throws IOException {
    if (web3j != null) {
      web3j.shutdown();
    }
    if (anvil != null) {
      anvil.close();
    }
    if (dir != null) {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Credentials newAccount() throws Exception {
    Credentials c = Credentials.create(Keys.createEcKeyPair(RANDOM));
    fund(c.getAddress());
    return c;
  }

  private static void fund(String address) throws IOException {
    rpc("anvil_setBalance", List.of(address, "0x3635c9adc5dea00000"));
  }

  private static void rpc(String method, List<?> params) throws IOException {
    Response<?> r = new Request<>(method, params, http, VoidResponse.class).send();
    if (r.hasError()) {
      throw new IOException(method + ": " + r.getError().getMessage());
    }
  }

  /** A JSON-RPC response whose result is ignored. */
  public static final class VoidResponse extends Response<Object> {}

  private static TransactionManager tm(Credentials c) {
    return Chain.transactionManager(web3j, c, CHAIN_ID, 20);
  }

  private static long nonce(String address) throws IOException {
    return web3j
        .ethGetTransactionCount(address, DefaultBlockParameterName.LATEST)
        .send()
        .getTransactionCount()
        .longValueExact();
  }

  private static long blockNumber() throws IOException {
    return web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
  }

  /** An operator's keys: created through {@code operator keys create}. */
  private record OperatorFiles(
      Path data, String address, String blsPubkey, Path ecdsaKeystore, Path blsKeystore, Path pw) {}

  private static OperatorFiles createOperator(String name) throws Exception {
    Path data = dir.resolve(name);
    Files.createDirectories(data);
    Path pw = data.resolve("password.txt");
    Files.writeString(pw, "correct horse battery " + name + "\n", StandardCharsets.UTF_8);
    Path keys = data.resolve("keys");
    String[] ecdsa = createKey(keys, pw, "ecdsa");
    String[] bls = createKey(keys, pw, "bls");
    fund(ecdsa[0]);
    return new OperatorFiles(data, ecdsa[0], bls[0], Path.of(ecdsa[1]), Path.of(bls[1]), pw);
  }

  /**
   * Like {@link #createOperator} but with cheap keystores written through the keystore APIs, for
   * the tests that are not about key creation (standard scrypt costs a second per key).
   */
  private static OperatorFiles createOperatorQuickly(String name) throws Exception {
    Path data = dir.resolve(name);
    Path keys = data.resolve("keys");
    Files.createDirectories(keys);
    String password = "correct horse battery " + name;
    Path pw = data.resolve("password.txt");
    Files.writeString(pw, password + "\n", StandardCharsets.UTF_8);
    var ecKey = Keys.createEcKeyPair(RANDOM);
    Path ecdsa = keys.resolve("ecdsa.json");
    JSON.writeValue(ecdsa.toFile(), Wallet.createLight(password, ecKey));
    BlsSecretKey blsKey = BlsSecretKey.random(RANDOM);
    Path bls = keys.resolve("bls.json");
    Files.writeString(
        bls,
        Eip2335Keystore.encrypt(blsKey, password, Eip2335Keystore.Kdf.PBKDF2, 4096, "", "", RANDOM)
            .toJson());
    String address = Credentials.create(ecKey).getAddress();
    fund(address);
    return new OperatorFiles(data, address, blsKey.publicKey().toHex(), ecdsa, bls, pw);
  }

  private static String[] createKey(Path keys, Path pw, String type) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "keys",
                "create",
                "--type",
                type,
                "--keys-dir",
                keys.toString(),
                "--password-file",
                pw.toString()));
    if (type.equals("bls")) {
      args.add("--kdf");
      args.add("pbkdf2");
    }
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isZero();
    Matcher m = KEY_LINE.matcher(r.out().strip());
    assertThat(m.find()).as(r.out()).isTrue();
    return new String[] {m.group(2), m.group(3)};
  }

  private static List<String> nodeArgs(OperatorFiles op, String command, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                "--data-path",
                op.data().toString(),
                "--l1-rpc-url",
                anvil.rpcUrl(),
                "--deployment-file",
                deploymentFile.toString(),
                "--ecdsa-keystore-file",
                op.ecdsaKeystore().toString(),
                "--ecdsa-password-file",
                op.pw().toString(),
                "--bls-keystore-file",
                op.blsKeystore().toString(),
                "--bls-password-file",
                op.pw().toString()));
    a.addAll(List.of(extra));
    return a;
  }

  private static Result cli(OperatorFiles op, String command, String... extra) {
    Result r = Cli.run(nodeArgs(op, command, extra).toArray(String[]::new));
    // kept in the failsafe report, to see what the operator would see
    System.out.println("$ operator " + command + " " + String.join(" ", extra));
    System.out.print(r.out());
    System.out.print(r.err());
    return r;
  }

  private record Run(int code, String out) {}

  /** Runs the packaged binary as a process. */
  private static Run binary(List<String> args) throws Exception {
    Path dist = Paths.get(System.getProperty("avs.operator.dist", "target/operator-dist"));
    Path bin = dist.resolve("bin/operator");
    assertThat(bin).as("packaged launcher").isExecutable();
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.toString());
    cmd.addAll(args);
    Path log = Files.createTempFile(dir, "operator", ".out");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AVS_"));
    Process p = pb.start();
    try {
      assertThat(p.waitFor(120, TimeUnit.SECONDS))
          .as("operator %s finished in time", args)
          .isTrue();
      Run run = new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      System.out.println("$ bin/operator " + args.get(0) + " (exit " + run.code() + ")");
      System.out.print(run.out());
      return run;
    } finally {
      p.destroyForcibly();
    }
  }

  /** A staker with {@code STAKE} tokens in the strategy, delegated to {@code operator}. */
  private static void stakeWith(String operator) throws Exception {
    Credentials staker = newAccount();
    Deployment.Contracts c = deployment.contracts();
    TestToken token = TestToken.load(c.testToken(), web3j, tm(deployer), gas);
    assertThat(token.mint(staker.getAddress(), STAKE).send().isStatusOK()).isTrue();
    TestToken tokenAsStaker = TestToken.load(c.testToken(), web3j, tm(staker), gas);
    assertThat(tokenAsStaker.approve(c.strategyManager(), STAKE).send().isStatusOK()).isTrue();
    StrategyManager sm = StrategyManager.load(c.strategyManager(), web3j, tm(staker), gas);
    assertThat(sm.depositIntoStrategy(c.strategy(), c.testToken(), STAKE).send().isStatusOK())
        .isTrue();
    DelegationManager dm = DelegationManager.load(c.delegationManager(), web3j, tm(staker), gas);
    assertThat(
            dm.delegateTo(
                    operator,
                    new DelegationManager.SignatureWithExpiry(new byte[0], BigInteger.ZERO),
                    new byte[32])
                .send()
                .isStatusOK())
        .isTrue();
  }

  private static void mineToNextEpoch() throws IOException {
    long n = blockNumber();
    long next = (n / deployment.epochLength() + 1) * deployment.epochLength();
    rpc("anvil_mine", List.of(Numeric.toHexStringWithPrefix(BigInteger.valueOf(next - n + 1))));
  }

  private static JsonNode statusJson(OperatorFiles op) throws IOException {
    Result r = cli(op, "status", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    return JSON.readTree(r.out());
  }

  // ------------------------------------------------------------------ tests

  @Test
  void registerIsIdempotentStatusShowsItAndDeregisterLeaves() throws Exception {
    OperatorFiles op = createOperator("op1");
    Deployment.Contracts c = deployment.contracts();
    AllocationManager am = AllocationManager.load(c.allocationManager(), web3j, tm(deployer), gas);
    AvsRegistry registry = AvsRegistry.load(c.avsRegistry(), web3j, tm(deployer), gas);
    DelegationManager dm = DelegationManager.load(c.delegationManager(), web3j, tm(deployer), gas);
    var set0 = new AllocationManager.OperatorSet(c.avsRegistry(), BigInteger.ZERO);

    // 0. status of an address that is nothing yet
    JsonNode before = statusJson(op);
    assertThat(before.path("registeredAsOperator").asBoolean()).isFalse();
    assertThat(before.path("allocationDelay").isNull()).isTrue();
    assertThat(before.path("registeredBlsKey").isNull()).isTrue();
    assertThat(before.path("localBlsKey").asText()).isEqualTo(op.blsPubkey());
    assertThat(before.path("blsKeyMatches").isNull()).isTrue();
    JsonNode beforeSet = before.path("operatorSets").get(0);
    assertThat(beforeSet.path("member").asBoolean()).isFalse();
    assertThat(beforeSet.path("operatorIndex").isNull()).isTrue();
    assertThat(beforeSet.path("registryStake").asText()).isEqualTo("0");

    // 1. first run, in-process: operator, allocation, operator set (stake 0: nothing delegated yet)
    Result first = cli(op, "register", "--metadata-uri", "https://example.org/op1.json");
    assertThat(first.code()).as(first.err() + first.out()).isZero();
    assertThat(first.out())
        .contains("registered " + Keys.toChecksumAddress(op.address()) + " as operator")
        .contains("registered in operator set(s) [0]")
        .containsPattern("tx 0x[0-9a-f]{64} block \\d+ gas \\d+")
        .contains("registration complete: 3 transaction(s) sent");
    assertThat(dm.isOperator(op.address()).send()).isTrue();
    assertThat(am.isMemberOfOperatorSet(op.address(), set0).send()).isTrue();
    assertThat(am.getAllocation(op.address(), set0, c.strategy()).send().currentMagnitude)
        .isEqualTo(BigInteger.TEN.pow(18));
    // the registry holds exactly the local key, checked with its proof of possession
    byte[] onChain = registry.pubkeyOf(op.address()).send();
    assertThat(BlsPublicKey.fromEip2537(onChain).toHex()).isEqualTo(op.blsPubkey());

    // 2. a staker deposits and delegates: the registry's stake is now behind the allocation
    stakeWith(op.address());

    // 3. second run, through the packaged binary: only the registry stake is refreshed
    long nonceBefore = nonce(op.address());
    Run second = binary(nodeArgs(op, "register"));
    assertThat(second.code()).as(second.out()).isZero();
    assertThat(second.out())
        .contains("already registered as operator")
        .contains("already allocated")
        .contains("already registered in operator set(s) [0]")
        .contains("registry stake updated")
        .contains("0 -> " + STAKE)
        .contains("registration complete: 1 transaction(s) sent")
        .doesNotContain("Exception");
    assertThat(nonce(op.address())).isEqualTo(nonceBefore + 1);

    // 4. third run: nothing to send
    long nonceBeforeThird = nonce(op.address());
    Result third = cli(op, "register");
    assertThat(third.code()).as(third.err()).isZero();
    assertThat(third.out())
        .contains("already registered as operator")
        .contains("registry stake up to date")
        .contains("nothing to do: already registered (no transaction sent)")
        .doesNotContain(" tx 0x");
    assertThat(nonce(op.address())).isEqualTo(nonceBeforeThird);

    // 5. status after the epoch turns: member, stake counted, key matches
    mineToNextEpoch();
    JsonNode s = statusJson(op);
    assertThat(s.path("operator").asText()).isEqualToIgnoringCase(op.address());
    assertThat(s.path("registeredAsOperator").asBoolean()).isTrue();
    assertThat(s.path("registeredBlsKey").asText()).isEqualTo(op.blsPubkey());
    assertThat(s.path("localBlsKey").asText()).isEqualTo(op.blsPubkey());
    assertThat(s.path("blsKeyMatches").asBoolean()).isTrue();
    JsonNode strategy = s.path("strategies").get(0);
    assertThat(strategy.path("operatorShares").asText()).isEqualTo(STAKE.toString());
    assertThat(strategy.path("allocatableMagnitude").asText()).isEqualTo("0");
    JsonNode set = s.path("operatorSets").get(0);
    assertThat(set.path("id").asLong()).isZero();
    assertThat(set.path("member").asBoolean()).isTrue();
    assertThat(set.path("slashable").asBoolean()).isTrue();
    assertThat(set.path("allocatedStake").asText()).isEqualTo(STAKE.toString());
    assertThat(set.path("slashableStake").asText()).isEqualTo(STAKE.toString());
    assertThat(set.path("registryStake").asText()).isEqualTo(STAKE.toString());
    assertThat(set.path("registryActive").asBoolean()).isTrue();
    assertThat(new BigInteger(set.path("setTotalStake").asText())).isGreaterThanOrEqualTo(STAKE);
    Result text = cli(op, "status");
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("registered operator  yes")
        .containsPattern("operator set 0\\s+registered, slashable, operator index \\d+")
        .contains("BLS key on chain     " + op.blsPubkey())
        .contains("(matches)");

    // 6. deregister, then again (nothing to do), and status shows it
    Result dereg = cli(op, "deregister");
    assertThat(dereg.code()).as(dereg.err()).isZero();
    assertThat(dereg.out())
        .contains("deregistered from operator set(s) [0]")
        .containsPattern("tx 0x[0-9a-f]{64} block \\d+ gas \\d+");
    assertThat(am.isMemberOfOperatorSet(op.address(), set0).send()).isFalse();
    long nonceAfterDereg = nonce(op.address());
    Result again = cli(op, "deregister");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.out()).contains("not registered in operator set(s) [0]");
    assertThat(nonce(op.address())).isEqualTo(nonceAfterDereg);
    JsonNode after = statusJson(op);
    JsonNode setAfter = after.path("operatorSets").get(0);
    assertThat(setAfter.path("member").asBoolean()).isFalse();
    assertThat(setAfter.path("registryNextActive").asBoolean()).isFalse();
    assertThat(setAfter.path("registryNextStake").asText()).isEqualTo("0");
    // still slashable during the deallocation delay
    assertThat(setAfter.path("slashable").asBoolean()).isTrue();
  }

  @Test
  void refusesALocalBlsKeyOtherThanTheRegisteredOne() throws Exception {
    OperatorFiles op = createOperatorQuickly("op2");
    Result first = cli(op, "register");
    assertThat(first.code()).as(first.err() + first.out()).isZero();
    // a second BLS keystore for the same operator
    Path otherKeys = op.data().resolve("other-keys");
    String[] otherBls = createKey(otherKeys, op.pw(), "bls");
    long nonceBefore = nonce(op.address());
    List<String> args = nodeArgs(op, "register");
    int i = args.indexOf("--bls-keystore-file");
    args.set(i + 1, otherBls[1]);
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0))
        .contains("the BLS key registered on chain")
        .contains(op.blsPubkey())
        .contains(otherBls[0]);
    assertThat(nonce(op.address())).isEqualTo(nonceBefore);
  }

  @Test
  void allocationWadAllocatesThatShareOfTheMagnitude() throws Exception {
    OperatorFiles op = createOperatorQuickly("op3");
    Result r = cli(op, "register", "--allocation-wad", "50%");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    Deployment.Contracts c = deployment.contracts();
    AllocationManager am = AllocationManager.load(c.allocationManager(), web3j, tm(deployer), gas);
    var set0 = new AllocationManager.OperatorSet(c.avsRegistry(), BigInteger.ZERO);
    assertThat(am.getAllocation(op.address(), set0, c.strategy()).send().currentMagnitude)
        .isEqualTo(BigInteger.TEN.pow(18).divide(BigInteger.TWO));
    AvsRegistry registry = AvsRegistry.load(c.avsRegistry(), web3j, tm(deployer), gas);
    assertThat(BlsPublicKey.fromBytes(registry.compressedPubkeyOf(op.address()).send()).toHex())
        .isEqualTo(op.blsPubkey());
    JsonNode status = statusJson(op);
    assertThat(status.path("strategies").get(0).path("allocatableMagnitude").asText())
        .isEqualTo(BigInteger.TEN.pow(18).divide(BigInteger.TWO).toString());
  }

  @Test
  void aDelayedAllocationIsReportedPendingAndCountedOnTheNextRun() throws Exception {
    OperatorFiles op = createOperatorQuickly("op7");
    Result first = cli(op, "register", "--allocation-delay", "20");
    assertThat(first.code()).as(first.err() + first.out()).isZero();
    assertThat(first.out())
        .containsPattern(
            "allocation\\s+done\\s+allocated set 0 strategy 0x[0-9a-f]{40}: magnitude 0 ->"
                + " 1000000000000000000 \\(set 0 strategy 0x[0-9a-f]{40} takes effect at block"
                + " \\d+; run register again after that block")
        .contains("registered in operator set(s) [0]");
    stakeWith(op.address());
    // still inside the delay: the change is pending, the registry has nothing to count yet
    Result pending = cli(op, "register", "--allocation-delay", "20");
    assertThat(pending.code()).as(pending.err()).isZero();
    assertThat(pending.out())
        .containsPattern("allocation\\s+pending\\s+allocation change pending: set 0 strategy")
        .contains("nothing to do");
    rpc("anvil_mine", List.of("0x14"));
    Result effective = cli(op, "register", "--allocation-delay", "20");
    assertThat(effective.code()).as(effective.err()).isZero();
    assertThat(effective.out())
        .contains("already allocated")
        .contains("registry stake updated (from the next epoch): set 0: 0 -> " + STAKE)
        .contains("registration complete: 1 transaction(s) sent");
  }

  @Test
  void aSecondOperatorSetNeedsUnallocatedMagnitude() throws Exception {
    OperatorFiles op = createOperatorQuickly("op8");
    Deployment.Contracts c = deployment.contracts();
    AvsRegistry registry = AvsRegistry.load(c.avsRegistry(), web3j, tm(deployer), gas);
    assertThat(
            registry
                .createOperatorSet(
                    BigInteger.valueOf(7), List.of(c.strategy()), BigInteger.valueOf(5000))
                .send()
                .isStatusOK())
        .isTrue();
    Result first = cli(op, "register");
    assertThat(first.code()).as(first.err() + first.out()).isZero();
    long nonceBefore = nonce(op.address());
    Result full = cli(op, "register", "--operator-set-ids", "0,7");
    assertThat(full.code()).isEqualTo(2);
    assertThat(full.errLines())
        .singleElement()
        .asString()
        .contains("cannot allocate magnitude 1000000000000000000 in set 7")
        .contains("only 0 of max magnitude 1000000000000000000 is unallocated");
    assertThat(nonce(op.address())).isEqualTo(nonceBefore);
    // set 0 at 100% is what the operator has; set 7 at 0% can be joined
    Result zero = cli(op, "register", "--operator-set-ids", "7", "--allocation-wad", "0");
    assertThat(zero.code()).as(zero.err() + zero.out()).isZero();
    assertThat(zero.out()).contains("registered in operator set(s) [7]");
    Result unknown = cli(op, "status", "--operator-set-ids", "0,9");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.errLines())
        .singleElement()
        .asString()
        .contains("operator set 9 does not exist");
    JsonNode s = JSON.readTree(cli(op, "status", "--json", "--operator-set-ids", "0,7").out());
    assertThat(s.path("operatorSets")).hasSize(2);
    assertThat(s.path("operatorSets").get(1).path("member").asBoolean()).isTrue();
    Result dereg = cli(op, "deregister", "--operator-set-ids", "0,7");
    assertThat(dereg.code()).as(dereg.err()).isZero();
    assertThat(dereg.out()).contains("deregistered from operator set(s) [0, 7]");
  }

  @Test
  void wrongPasswordIsOneLineAndExitCode2() throws Exception {
    OperatorFiles op = createOperatorQuickly("op4");
    Path bad = op.data().resolve("bad-password.txt");
    Files.writeString(bad, "not the password\n");
    List<String> args = nodeArgs(op, "register");
    args.set(args.indexOf("--ecdsa-password-file") + 1, bad.toString());
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("wrong password").doesNotContain("Exception");
    assertThat(r.out()).doesNotContain("tx 0x");
  }

  @Test
  void deploymentOfAnotherChainIsRefusedWithExitCode2() throws Exception {
    OperatorFiles op = createOperatorQuickly("op5");
    Deployment other =
        new Deployment(
            deployment.version(),
            1,
            deployment.deploymentBlock(),
            deployment.epochLength(),
            deployment.maxEpochAge(),
            deployment.operatorSetId(),
            deployment.thresholdBps(),
            deployment.deployer(),
            deployment.contracts());
    Path otherFile = op.data().resolve("mainnet-deployment.json");
    DeploymentJson.write(other, otherFile);
    List<String> args = nodeArgs(op, "register");
    args.set(args.indexOf("--deployment-file") + 1, otherFile.toString());
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0)).contains("chain id 31337").contains("expected 1");
    // and a --l1-chain-id that contradicts the deployment file
    Result s = cli(op, "status", "--l1-chain-id", "5");
    assertThat(s.code()).isEqualTo(2);
    assertThat(s.errLines()).hasSize(1);
    assertThat(s.errLines().get(0)).contains("--l1-chain-id is 5").contains("chain 31337");
    assertThat(nonce(op.address())).isZero();
  }

  @Test
  void anRpcThatIsDownIsOneLineWithoutStackTrace() throws Exception {
    OperatorFiles op = createOperatorQuickly("op6");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> args = nodeArgs(op, "register", "--l1-request-timeout", "2s");
    args.set(args.indexOf("--l1-rpc-url") + 1, "http://127.0.0.1:" + port);
    Result r = Cli.run(args.toArray(String[]::new));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.errLines().get(0))
        .startsWith("error: ")
        .contains("unavailable")
        .contains("127.0.0.1:" + port);
    assertThat(r.err()).doesNotContain("\tat ");
  }
}
