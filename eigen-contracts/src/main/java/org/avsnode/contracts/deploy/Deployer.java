package org.avsnode.contracts.deploy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.avsnode.contracts.bindings.AllocationManager;
import org.avsnode.contracts.bindings.AvsRegistry;
import org.avsnode.contracts.bindings.DelegationManager;
import org.avsnode.contracts.bindings.DisputeGameFactory;
import org.avsnode.contracts.bindings.FinalityOracle;
import org.avsnode.contracts.bindings.OutputOracle;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.Strategy;
import org.avsnode.contracts.bindings.StrategyManager;
import org.avsnode.contracts.bindings.TestToken;
import org.avsnode.contracts.bindings.VerdictOracle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.http.HttpService;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;
import org.web3j.utils.Numeric;

/**
 * Deploys the whole system (restaking core, test token and strategy, AVS registry with one operator
 * set, finality oracle, slashing coordinator, rollup output oracle) to an RPC endpoint and
 * describes it as a {@link Deployment}.
 *
 * <p>Command line: {@code Deployer --rpc-url URL --out deployment.json [--key-env NAME | --key-file
 * PATH] [--epoch-length N] [--max-epoch-age N] [--threshold-bps N] ...}. The deployer's private key
 * (hex) comes from an environment variable (default {@code AVS_DEPLOYER_KEY}) or a file, never from
 * the command line.
 */
public final class Deployer {
  private static final Logger LOG = LoggerFactory.getLogger(Deployer.class);

  /** Deployment parameters. */
  public record Config(
      long epochLength,
      long maxEpochAge,
      long operatorSetId,
      int thresholdBps,
      long minWithdrawalDelayBlocks,
      long deallocationDelayBlocks,
      BigInteger slashWad,
      long rollupId,
      String outputProposer,
      long outputSubmissionInterval) {

    public Config {
      if (epochLength <= 0 || epochLength > 0xffffffffL) {
        throw new IllegalArgumentException("epochLength must be in 1..2^32-1");
      }
      if (maxEpochAge < 0 || maxEpochAge > 0xffffffffL) {
        throw new IllegalArgumentException("maxEpochAge must be a uint32");
      }
      if (operatorSetId < 0 || operatorSetId > 0xffffffffL) {
        throw new IllegalArgumentException("operatorSetId must be a uint32");
      }
      if (thresholdBps <= 0 || thresholdBps > 10_000) {
        throw new IllegalArgumentException("thresholdBps must be in 1..10000");
      }
      if (minWithdrawalDelayBlocks < 0 || minWithdrawalDelayBlocks > 0xffffffffL) {
        throw new IllegalArgumentException("minWithdrawalDelayBlocks must be a uint32");
      }
      if (deallocationDelayBlocks < 0 || deallocationDelayBlocks > 0xffffffffL) {
        throw new IllegalArgumentException("deallocationDelayBlocks must be a uint32");
      }
      Objects.requireNonNull(slashWad, "slashWad");
      if (slashWad.signum() <= 0 || slashWad.compareTo(BigInteger.TEN.pow(18)) > 0) {
        throw new IllegalArgumentException("slashWad must be in 1..1e18");
      }
      if (rollupId < 0 || rollupId == Long.MAX_VALUE) {
        throw new IllegalArgumentException("rollupId must not be negative");
      }
      if (outputSubmissionInterval <= 0) {
        throw new IllegalArgumentException("outputSubmissionInterval must be positive");
      }
    }

    /**
     * Devnet defaults: 32-block epochs, certificates valid for 2 epochs, 2/3 threshold, 10% slash
     * per offence, the deployer as output proposer (when {@code outputProposer} is null).
     */
    /** The rollup id under which the dispute game factory is registered: {@code rollupId + 1}. */
    public long gameRollupId() {
      return rollupId + 1;
    }

    public static Config devnet() {
      return new Config(32, 2, 0, 6667, 10, 10, BigInteger.TEN.pow(17), 42, null, 10);
    }

    public Config withEpochLength(long v) {
      return new Config(
          v,
          maxEpochAge,
          operatorSetId,
          thresholdBps,
          minWithdrawalDelayBlocks,
          deallocationDelayBlocks,
          slashWad,
          rollupId,
          outputProposer,
          outputSubmissionInterval);
    }

    public Config withThresholdBps(int v) {
      return new Config(
          epochLength,
          maxEpochAge,
          operatorSetId,
          v,
          minWithdrawalDelayBlocks,
          deallocationDelayBlocks,
          slashWad,
          rollupId,
          outputProposer,
          outputSubmissionInterval);
    }

    public Config withMaxEpochAge(long v) {
      return new Config(
          epochLength,
          v,
          operatorSetId,
          thresholdBps,
          minWithdrawalDelayBlocks,
          deallocationDelayBlocks,
          slashWad,
          rollupId,
          outputProposer,
          outputSubmissionInterval);
    }

    public Config withOutputProposer(String v) {
      return new Config(
          epochLength,
          maxEpochAge,
          operatorSetId,
          thresholdBps,
          minWithdrawalDelayBlocks,
          deallocationDelayBlocks,
          slashWad,
          rollupId,
          v,
          outputSubmissionInterval);
    }
  }

  private Deployer() {}

  /** Deploys everything with {@code deployer} as owner; blocks until every receipt is in. */
  public static Deployment deploy(Web3j web3j, Credentials deployer, Config config) {
    long chainId = Chain.chainId(web3j);
    TransactionManager tm = Chain.transactionManager(web3j, deployer, chainId, 100);
    ContractGasProvider gas = Chain.gasProvider(web3j, Chain.DEFAULT_GAS_LIMIT);
    String owner = deployer.getAddress();
    try {
      TestToken token =
          TestToken.deploy(web3j, tm, gas, "Devnet Restaking Token", "DRT", owner).send();
      long deploymentBlock =
          token.getTransactionReceipt().map(r -> r.getBlockNumber().longValueExact()).orElse(0L);
      DelegationManager dm =
          DelegationManager.deploy(
                  web3j, tm, gas, BigInteger.valueOf(config.minWithdrawalDelayBlocks()), owner)
              .send();
      StrategyManager sm =
          StrategyManager.deploy(web3j, tm, gas, dm.getContractAddress(), owner).send();
      AllocationManager am =
          AllocationManager.deploy(
                  web3j,
                  tm,
                  gas,
                  dm.getContractAddress(),
                  BigInteger.valueOf(config.deallocationDelayBlocks()))
              .send();
      check(dm.initialize(sm.getContractAddress(), am.getContractAddress()).send(), "initialize");
      Strategy strategy =
          Strategy.deploy(web3j, tm, gas, token.getContractAddress(), sm.getContractAddress())
              .send();
      check(
          sm.addStrategiesToDepositWhitelist(List.of(strategy.getContractAddress())).send(),
          "addStrategiesToDepositWhitelist");
      AvsRegistry registry =
          AvsRegistry.deploy(
                  web3j,
                  tm,
                  gas,
                  am.getContractAddress(),
                  BigInteger.valueOf(config.epochLength()),
                  BigInteger.valueOf(config.maxEpochAge()),
                  owner)
              .send();
      check(
          registry
              .createOperatorSet(
                  BigInteger.valueOf(config.operatorSetId()),
                  List.of(strategy.getContractAddress()),
                  BigInteger.valueOf(config.thresholdBps()))
              .send(),
          "createOperatorSet");
      FinalityOracle oracle =
          FinalityOracle.deploy(
                  web3j,
                  tm,
                  gas,
                  registry.getContractAddress(),
                  BigInteger.valueOf(config.operatorSetId()))
              .send();
      SlashingCoordinator coordinator =
          SlashingCoordinator.deploy(
                  web3j,
                  tm,
                  gas,
                  registry.getContractAddress(),
                  BigInteger.valueOf(config.operatorSetId()),
                  config.slashWad())
              .send();
      check(registry.setSlasher(coordinator.getContractAddress()).send(), "setSlasher");
      String proposer = config.outputProposer() == null ? owner : config.outputProposer();
      OutputOracle outputs =
          OutputOracle.deploy(
                  web3j,
                  tm,
                  gas,
                  BigInteger.valueOf(config.rollupId()),
                  proposer,
                  BigInteger.valueOf(config.outputSubmissionInterval()),
                  BigInteger.ZERO)
              .send();
      VerdictOracle verdicts =
          VerdictOracle.deploy(
                  web3j,
                  tm,
                  gas,
                  registry.getContractAddress(),
                  BigInteger.valueOf(config.operatorSetId()))
              .send();
      check(
          verdicts
              .registerRollup(BigInteger.valueOf(config.rollupId()), outputs.getContractAddress())
              .send(),
          "registerRollup");
      check(coordinator.setVerdictOracle(verdicts.getContractAddress()).send(), "setVerdictOracle");
      // the same L2 proposed a second way, through fault-proof-shaped games: rollup id + 1
      DisputeGameFactory games = DisputeGameFactory.deploy(web3j, tm, gas, proposer).send();
      check(
          verdicts
              .registerGameRollup(
                  BigInteger.valueOf(config.gameRollupId()), games.getContractAddress())
              .send(),
          "registerGameRollup");
      Deployment d =
          new Deployment(
              Deployment.VERSION,
              chainId,
              deploymentBlock,
              config.epochLength(),
              config.maxEpochAge(),
              config.operatorSetId(),
              config.thresholdBps(),
              owner,
              new Deployment.Contracts(
                  token.getContractAddress(),
                  strategy.getContractAddress(),
                  dm.getContractAddress(),
                  sm.getContractAddress(),
                  am.getContractAddress(),
                  registry.getContractAddress(),
                  oracle.getContractAddress(),
                  coordinator.getContractAddress(),
                  outputs.getContractAddress(),
                  verdicts.getContractAddress(),
                  games.getContractAddress()));
      LOG.info(
          "deployed to chain {} from block {}: registry {}",
          chainId,
          deploymentBlock,
          registry.getContractAddress());
      return DeploymentJson.validate(d);
    } catch (DeploymentException e) {
      throw e;
    } catch (Exception e) {
      throw new DeploymentException("deployment failed: " + e.getMessage(), e);
    }
  }

  private static void check(TransactionReceipt r, String what) {
    if (!r.isStatusOK()) {
      throw new DeploymentException(what + " reverted in tx " + r.getTransactionHash());
    }
  }

  /**
   * Parses a hex private key (with or without 0x), as read from an environment variable or file.
   */
  public static Credentials credentialsFromHex(String hex) {
    if (hex == null) {
      throw new DeploymentException("no deployer key");
    }
    String clean = hex.strip();
    if (clean.startsWith("0x") || clean.startsWith("0X")) {
      clean = clean.substring(2);
    }
    if (!clean.matches("[0-9a-fA-F]{64}")) {
      throw new DeploymentException("deployer key must be 32 bytes of hex");
    }
    BigInteger k = new BigInteger(clean, 16);
    if (k.signum() == 0) {
      throw new DeploymentException("deployer key must not be zero");
    }
    return Credentials.create(ECKeyPair.create(Numeric.toBytesPadded(k, 32)));
  }

  /** Command-line entry point; exit code 0 on success, 1 on a deployment error, 2 on usage. */
  public static void main(String[] args) {
    int code = run(args, System.getenv());
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args, Map<String, String> env) {
    String rpcUrl = null;
    String keyEnv = "AVS_DEPLOYER_KEY";
    Path keyFile = null;
    Path out = null;
    Config config = Config.devnet();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          usage();
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--rpc-url" -> rpcUrl = v;
          case "--key-env" -> keyEnv = v;
          case "--key-file" -> keyFile = Path.of(v);
          case "--out" -> out = Path.of(v);
          case "--epoch-length" -> config = config.withEpochLength(Long.parseLong(v));
          case "--max-epoch-age" -> config = config.withMaxEpochAge(Long.parseLong(v));
          case "--threshold-bps" -> config = config.withThresholdBps(Integer.parseInt(v));
          case "--output-proposer" -> config = config.withOutputProposer(v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (rpcUrl == null || out == null) {
        throw new IllegalArgumentException("--rpc-url and --out are required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("deployer: " + e.getMessage());
      usage();
      return 2;
    }
    try {
      String keyHex;
      if (keyFile != null) {
        try {
          keyHex = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
          throw new DeploymentException("cannot read key file " + keyFile + ": " + e.getMessage());
        }
      } else {
        keyHex = env.get(keyEnv);
        if (keyHex == null) {
          throw new DeploymentException("environment variable " + keyEnv + " is not set");
        }
      }
      Credentials creds = credentialsFromHex(keyHex);
      Web3j web3j = Web3j.build(new HttpService(rpcUrl));
      try {
        Deployment d = deploy(web3j, creds, config);
        DeploymentJson.write(d, out);
        System.out.println("deployment written to " + out);
      } finally {
        web3j.shutdown();
      }
      return 0;
    } catch (DeploymentException e) {
      System.err.println("deployer: " + e.getMessage());
      return 1;
    }
  }

  private static void usage() {
    System.err.println(
        "usage: Deployer --rpc-url URL --out FILE [--key-env NAME (default AVS_DEPLOYER_KEY) |"
            + " --key-file PATH] [--epoch-length N] [--max-epoch-age N] [--threshold-bps N]"
            + " [--output-proposer ADDRESS]");
  }
}
