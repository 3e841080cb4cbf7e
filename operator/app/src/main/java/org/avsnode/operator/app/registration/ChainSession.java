package org.avsnode.operator.app.registration;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentException;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.L1RpcErrorException;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.chain.SenderConfig;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.registration.RegistrationException;
import org.avsnode.operator.registration.RegistrationStep;
import org.avsnode.operator.registration.RestakingContracts;
import org.web3j.crypto.Credentials;

/**
 * What the registration commands share: the deployment, the L1 client, the contracts, and the
 * mapping of failures to exit codes (2 and one line for what the operator can fix, 1 and one line
 * for an L1 that cannot be reached or does not mine in time; only bugs print a stack trace).
 */
final class ChainSession implements AutoCloseable {
  final NodeSettings config;
  final Deployment deployment;
  final L1Client l1;
  final List<Long> operatorSetIds;

  private ChainSession(
      NodeSettings config, Deployment deployment, L1Client l1, List<Long> operatorSetIds) {
    this.config = config;
    this.deployment = deployment;
    this.l1 = l1;
    this.operatorSetIds = operatorSetIds;
  }

  /** Reads the deployment file and connects to L1 (nothing is sent yet). */
  static ChainSession open(NodeSettings config, RegistrationOptions options) {
    Deployment deployment;
    try {
      deployment = DeploymentJson.read(config.requireDeploymentFile());
    } catch (DeploymentException e) {
      throw new UserException(
          "deployment file " + config.requireDeploymentFile() + ": " + e.getMessage());
    }
    if (config.l1ChainId().isPresent() && config.l1ChainId().getAsLong() != deployment.chainId()) {
      throw new UserException(
          "--l1-chain-id is "
              + config.l1ChainId().getAsLong()
              + " but the deployment file "
              + config.requireDeploymentFile()
              + " is for chain "
              + deployment.chainId());
    }
    String scheme = String.valueOf(config.requireL1RpcUrl().getScheme()).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new UserException(
          "registration needs an http(s) --l1-rpc-url, got a " + scheme + " URL");
    }
    if (options.receiptTimeout.isZero()) {
      throw new UserException("--receipt-timeout must be positive");
    }
    List<Long> ids =
        options.operatorSetIds == null || options.operatorSetIds.isEmpty()
            ? List.of(deployment.operatorSetId())
            : List.copyOf(options.operatorSetIds);
    for (Long id : ids) {
      if (id == null || id < 0 || id > 0xffffffffL) {
        throw new UserException("--operator-set-ids: " + id + " is not a uint32");
      }
    }
    if (ids.stream().distinct().count() != ids.size()) {
      throw new UserException("--operator-set-ids lists an operator set twice: " + ids);
    }
    L1Client l1 =
        L1Client.http(
            config.requireL1RpcUrl().toString(),
            config.l1RequestTimeout(),
            RetryPolicy.DEFAULT,
            new NodeMetrics(new NoOpMetricsSystem()));
    return new ChainSession(config, deployment, l1, ids);
  }

  /** The contracts, after checking the endpoint's chain id and the contracts' code. */
  RestakingContracts contracts(String from) {
    RestakingContracts c = new RestakingContracts(l1, deployment, from);
    c.verifyDeployment();
    return c;
  }

  TransactionSender sender(Credentials credentials, RegistrationOptions options) {
    SenderConfig sc =
        SenderConfig.DEFAULT.withTimeouts(options.receiptTimeout, Duration.ofMillis(500));
    return new TransactionSender(
        l1,
        credentials,
        deployment.chainId(),
        sc,
        new NodeMetrics(new NoOpMetricsSystem()),
        Clock.systemUTC());
  }

  /** Prints one step: {@code [step] message} and the transaction's hash, block and gas. */
  static void print(PrintWriter out, RegistrationStep step) {
    String tag =
        switch (step.outcome()) {
          case SENT -> "done";
          case ALREADY_DONE -> "ok";
          case PENDING -> "pending";
        };
    out.printf("%-15s %-8s %s%n", step.step(), tag, step.message());
    step.tx()
        .ifPresent(
            tx ->
                out.printf(
                    "%-15s %-8s tx %s block %d gas %s%s%n",
                    "",
                    "",
                    tx.hash(),
                    tx.blockNumber(),
                    tx.gasUsed(),
                    tx.effectiveGasPrice() == null
                        ? ""
                        : " at " + tx.effectiveGasPrice() + " wei/gas"));
    out.flush();
  }

  /**
   * Runs {@code body}, turning the failures the operator can act on into one line: {@link
   * UserException} (exit 2) for registration problems, a malformed deployment or the wrong chain;
   * exit 1 with one line on {@code err} for an L1 that is down or slow.
   */
  static int guard(PrintWriter err, Callable<Integer> body) throws Exception {
    try {
      return body.call();
    } catch (RegistrationException | DeploymentException e) {
      throw new UserException(e.getMessage(), e);
    } catch (L1Exception e) {
      if (e.kind() == L1Exception.Kind.WRONG_CHAIN) {
        throw new UserException(
            e.getMessage() + " (check --l1-rpc-url and the deployment file)", e);
      }
      if (e instanceof L1RpcErrorException r
          && r.rpcMessage().toLowerCase(Locale.ROOT).contains("insufficient funds")) {
        throw new UserException(
            "the operator account cannot pay for gas: " + r.rpcMessage() + " (fund it with ETH)",
            e);
      }
      // down, slow, not an Ethereum endpoint, or a rejected transaction: one line, exit 1
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  @Override
  public void close() {
    l1.close();
  }
}
