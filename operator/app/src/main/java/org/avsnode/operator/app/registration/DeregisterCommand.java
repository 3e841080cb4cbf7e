package org.avsnode.operator.app.registration;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import org.avsnode.operator.app.config.NodeOptions;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.registration.OperatorRegistrar;
import org.avsnode.operator.registration.RegistrationStep;
import org.avsnode.operator.registration.RestakingContracts;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code operator deregister}: leaves the AVS operator set(s) (safe to re-run). */
@Command(
    name = "deregister",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ConfigDefaultProvider.class,
    description = {
      "Deregister the node's operator from the AVS operator set(s) with"
          + " AllocationManager.deregisterFromOperatorSets; sends nothing when it is not a member.",
      "The allocated stake stays slashable for the deallocation delay; the operator stays an"
          + " EigenLayer operator and keeps its allocations and its BLS key in the registry."
    },
    usageHelpAutoWidth = true)
public final class DeregisterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin NodeOptions node;

  @Mixin RegistrationOptions chain;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeSettings config = node.toNodeSettings();
    Credentials credentials = OperatorKeys.ecdsa(RegisterCommand.requireEcdsa(config));
    try (ChainSession session = ChainSession.open(config, chain)) {
      return ChainSession.guard(
          err,
          () -> {
            String operator = Keys.toChecksumAddress(credentials.getAddress());
            RestakingContracts contracts = session.contracts(operator);
            out.printf(
                "operator %s on chain %d: AVS %s, operator set(s) %s%n",
                operator, session.deployment.chainId(), contracts.avs(), session.operatorSetIds);
            out.flush();
            OperatorRegistrar registrar =
                new OperatorRegistrar(
                    contracts,
                    session.sender(credentials, chain),
                    step -> ChainSession.print(out, step));
            List<RegistrationStep> steps = registrar.deregister(session.operatorSetIds);
            boolean sent =
                steps.stream().anyMatch(s -> s.outcome() == RegistrationStep.Outcome.SENT);
            out.println(sent ? "deregistration complete" : "nothing to do (no transaction sent)");
            out.flush();
            return 0;
          });
    }
  }
}
