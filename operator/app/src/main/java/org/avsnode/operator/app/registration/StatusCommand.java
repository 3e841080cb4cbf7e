package org.avsnode.operator.app.registration;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.avsnode.bls.BlsPublicKey;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import org.avsnode.operator.app.config.NodeOptions;
import org.avsnode.operator.keys.KeystoreRef;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.registration.OperatorStatus;
import org.avsnode.operator.registration.OperatorStatus.SetAllocation;
import org.avsnode.operator.registration.OperatorStatus.SetStatus;
import org.avsnode.operator.registration.OperatorStatus.StrategyStatus;
import org.avsnode.operator.registration.RestakingContracts;
import org.avsnode.operator.registration.StatusReader;
import org.web3j.crypto.Keys;
import org.web3j.crypto.WalletUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code operator status}: the operator's registration, stake, allocations and BLS key. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ConfigDefaultProvider.class,
    description = {
      "Show the operator's standing: EigenLayer operator registration, delegated shares and"
          + " magnitudes per strategy, allocations and slashable stake per operator set,"
          + " membership, the registry's stake at the current epoch, the BLS key registered"
          + " on chain against the local one, and the running node's health, each duty's, and"
          + " the last things it signed (from --node-url). Reads only; sends nothing.",
      "The operator address comes from --operator or the ECDSA keystore (its recorded address;"
          + " no password needed when it has one)."
    },
    usageHelpAutoWidth = true)
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin NodeOptions node;

  @Mixin RegistrationOptions chain;

  @Option(
      names = "--operator",
      paramLabel = "ADDRESS",
      description =
          "Operator address to show. Env: AVS_OPERATOR. Default: the ECDSA keystore's address.")
  String operatorAddress;

  @Option(names = "--json", description = "Print the status as JSON (amounts as decimal strings).")
  boolean json;

  @Option(
      names = "--node-url",
      paramLabel = "URL",
      description =
          "The running node's API, for its health and last signatures. Env: AVS_NODE_URL."
              + " Default: http://<http-host>:<http-port> of the configuration.")
  java.net.URI nodeUrl;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeSettings config = node.toNodeSettings();
    String operator = operator(config);
    Optional<BlsPublicKey> localKey = config.blsKey().map(StatusCommand::localKey);
    try (ChainSession session = ChainSession.open(config, chain)) {
      return ChainSession.guard(
          err,
          () -> {
            RestakingContracts contracts = session.contracts(operator);
            OperatorStatus status =
                new StatusReader(session.l1, contracts)
                    .read(operator, localKey, session.operatorSetIds);
            java.net.URI base =
                nodeUrl != null
                    ? nodeUrl
                    : java.net.URI.create(
                        "http://" + hostForUrl(config.http().host()) + ":" + config.http().port());
            NodeSection.Summary node = NodeSection.read(base);
            if (json) {
              com.fasterxml.jackson.databind.ObjectMapper m =
                  new com.fasterxml.jackson.databind.ObjectMapper();
              com.fasterxml.jackson.databind.node.ObjectNode o =
                  (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(status.toJson());
              com.fasterxml.jackson.databind.node.ObjectNode n = o.putObject("node");
              n.put("url", base.toString());
              if (node.json() != null) {
                n.set("summary", node.json());
              } else {
                n.put("error", node.error());
              }
              out.println(m.writeValueAsString(o));
            } else {
              printText(out, status);
              NodeSection.printText(out, node, java.time.Instant.now());
            }
            out.flush();
            return 0;
          });
    }
  }

  private String operator(NodeSettings config) {
    if (operatorAddress != null && !operatorAddress.isBlank()) {
      String a = operatorAddress.strip();
      if (!WalletUtils.isValidAddress(a) || !a.startsWith("0x")) {
        throw new UserException("--operator is not a 0x-prefixed 20-byte address: " + a);
      }
      return Keys.toChecksumAddress(a);
    }
    KeystoreRef ref =
        config
            .ecdsaKey()
            .orElseThrow(
                () ->
                    new UserException(
                        "status needs the operator: --operator ADDRESS or --ecdsa-keystore-file"));
    return OperatorKeys.ecdsaAddress(ref)
        .orElseGet(() -> Keys.toChecksumAddress(OperatorKeys.ecdsa(ref).getAddress()));
  }

  /** The node's HTTP host as a URL host: a wildcard bind is reached on loopback. */
  private static String hostForUrl(String host) {
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static BlsPublicKey localKey(KeystoreRef ref) {
    Optional<BlsPublicKey> recorded = OperatorKeys.blsPublicKey(ref);
    if (recorded.isPresent()) {
      return recorded.get();
    }
    BlsSecretKey key = OperatorKeys.bls(ref);
    try {
      return key.publicKey();
    } finally {
      key.destroy();
    }
  }

  static void printText(PrintWriter out, OperatorStatus s) {
    out.printf("operator             %s%n", s.operator());
    out.printf(
        "chain                %d at block %d (epoch %d, %d blocks per epoch)%n",
        s.chainId(), s.blockNumber(), s.currentEpoch(), s.epochLength());
    if (s.registeredAsOperator()) {
      out.printf(
          "registered operator  yes (allocation delay %s blocks)%n",
          s.allocationDelay() == null ? "unset" : s.allocationDelay().toString());
    } else {
      out.printf(
          "registered operator  no%s%n",
          s.delegatedTo() == null ? "" : " (delegated as a staker to " + s.delegatedTo() + ")");
    }
    for (StrategyStatus st : s.strategies()) {
      out.printf(
          "strategy             %s: delegated shares %s, max magnitude %s, allocated %s,"
              + " allocatable %s%n",
          st.strategy(),
          st.operatorShares(),
          st.maxMagnitude(),
          st.encumberedMagnitude(),
          st.allocatableMagnitude());
    }
    for (SetStatus set : s.operatorSets()) {
      out.printf(
          "operator set %-7d %s%s%s%n",
          set.id(),
          set.member() ? "registered" : "not registered",
          set.slashable() ? ", slashable" : ", not slashable",
          set.operatorIndex() == null ? "" : ", operator index " + set.operatorIndex());
      for (SetAllocation a : set.allocations()) {
        out.printf(
            "  allocation         %s: magnitude %s%s, allocated stake %s, slashable stake %s%n",
            a.strategy(),
            a.currentMagnitude(),
            a.pendingMagnitudeChange().signum() == 0
                ? ""
                : " (" + signed(a.pendingMagnitudeChange()) + " at block " + a.effectBlock() + ")",
            a.allocatedStake(),
            a.slashableStake());
      }
      out.printf(
          "  stake              allocated %s, slashable %s (guaranteed until block %d)%n",
          set.allocatedStake(), set.slashableStake(), set.slashableUntilBlock());
      out.printf(
          "  registry stake     epoch %d: %s (%s); next epoch: %s (%s)%n",
          s.currentEpoch(),
          set.registryStake(),
          set.registryActive() ? "active" : "inactive",
          set.registryNextStake(),
          set.registryNextActive() ? "active" : "inactive");
      out.printf(
          "  set                total stake %s, %d active operator(s), threshold %d bps%n",
          set.setTotalStake(), set.setActiveOperators(), set.thresholdBps());
    }
    out.printf(
        "BLS key on chain     %s%n",
        s.registeredBlsKey() == null ? "none registered" : s.registeredBlsKey());
    out.printf(
        "BLS key local        %s%s%n",
        s.localBlsKey() == null ? "unknown (no BLS keystore configured)" : s.localBlsKey(),
        s.blsKeyMatches() == null
            ? ""
            : s.blsKeyMatches() ? " (matches)" : " (DIFFERS from the registered key)");
  }

  private static String signed(BigInteger v) {
    return v.signum() > 0 ? "+" + v : v.toString();
  }
}
