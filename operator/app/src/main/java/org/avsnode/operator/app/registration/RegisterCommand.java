package org.avsnode.operator.app.registration;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.Callable;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import org.avsnode.operator.app.config.NodeOptions;
import org.avsnode.operator.keys.KeystoreRef;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.registration.OperatorRegistrar;
import org.avsnode.operator.registration.RegistrationData;
import org.avsnode.operator.registration.RegistrationStep;
import org.avsnode.operator.registration.RestakingContracts;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator register}: registers as an EigenLayer operator, allocates magnitude to the AVS
 * operator set(s) and registers for them with the BLS key and its proof of possession. Every step
 * reads the chain first, so running it again sends nothing once everything is in place.
 */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ConfigDefaultProvider.class,
    description = {
      "Register the node's operator with the restaking contracts and the AVS (safe to re-run):",
      "1. DelegationManager.registerAsOperator, unless already an operator;",
      "2. AllocationManager.modifyAllocations to --allocation-wad of each strategy of the set(s);",
      "3. AllocationManager.registerForOperatorSets with the BLS key and its proof of possession;",
      "4. AvsRegistry.updateOperators when the registry's stake is behind the allocation.",
      "Refuses, before any transaction, a BLS key other than the one registered on chain."
    },
    usageHelpAutoWidth = true)
public final class RegisterCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin NodeOptions node;

  @Mixin RegistrationOptions chain;

  @Option(
      names = "--metadata-uri",
      paramLabel = "URI",
      defaultValue = "",
      description =
          "Operator metadata URI (EigenLayer's JSON: name, website, logo...), used when registering"
              + " as operator. Env: AVS_METADATA_URI. Default: empty.")
  String metadataUri;

  @Option(
      names = "--allocation-delay",
      paramLabel = "BLOCKS",
      defaultValue = "0",
      description =
          "Blocks before an allocation increase takes effect, set when registering as operator."
              + " Env: AVS_ALLOCATION_DELAY. Default: ${DEFAULT-VALUE}.")
  long allocationDelay;

  @Option(
      names = "--allocation-wad",
      paramLabel = "WAD",
      defaultValue = "1e18",
      description =
          "Share of the operator's magnitude in each strategy of the set(s) to allocate:"
              + " 1e18 = 100%, 5e17 or 50% = half. Env: AVS_ALLOCATION_WAD. Default: 1e18.")
  String allocationWad;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NodeSettings config = node.toNodeSettings();
    KeystoreRef ecdsaRef = requireEcdsa(config);
    KeystoreRef blsRef =
        config
            .blsKey()
            .orElseThrow(
                () ->
                    new UserException(
                        "register needs the BLS key: --bls-keystore-file and --bls-password-file"
                            + " (or AVS_BLS_KEYSTORE_FILE / AVS_BLS_PASSWORD_FILE, or the config"
                            + " file)"));
    BigInteger wad;
    try {
      wad = Wad.parse(allocationWad);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
    if (allocationDelay < 0 || allocationDelay > 0xffffffffL) {
      throw new UserException("--allocation-delay must be between 0 and 4294967295 blocks");
    }
    if (metadataUri.length() > 2048) {
      throw new UserException("--metadata-uri is longer than 2048 characters");
    }
    // keys first: a wrong password fails before anything touches the network
    Credentials credentials = OperatorKeys.ecdsa(ecdsaRef);
    RegistrationData data;
    BlsSecretKey bls = OperatorKeys.bls(blsRef);
    try {
      data = RegistrationData.of(bls);
    } finally {
      bls.destroy();
    }
    try (ChainSession session = ChainSession.open(config, chain)) {
      OperatorRegistrar.Request request =
          new OperatorRegistrar.Request(session.operatorSetIds, metadataUri, allocationDelay, wad);
      return ChainSession.guard(
          err,
          () -> {
            String operator = Keys.toChecksumAddress(credentials.getAddress());
            RestakingContracts contracts = session.contracts(operator);
            out.printf(
                "operator %s on chain %d: AVS %s, operator set(s) %s, BLS key %s%n",
                operator,
                session.deployment.chainId(),
                contracts.avs(),
                session.operatorSetIds,
                data.publicKey().toHex());
            out.flush();
            OperatorRegistrar registrar =
                new OperatorRegistrar(
                    contracts,
                    session.sender(credentials, chain),
                    step -> ChainSession.print(out, step));
            List<RegistrationStep> steps = registrar.register(request, data);
            long sent =
                steps.stream().filter(s -> s.outcome() == RegistrationStep.Outcome.SENT).count();
            out.println(
                sent == 0
                    ? "nothing to do: already registered (no transaction sent)"
                    : "registration complete: " + sent + " transaction(s) sent");
            out.flush();
            return 0;
          });
    }
  }

  static KeystoreRef requireEcdsa(NodeSettings config) {
    return config
        .ecdsaKey()
        .orElseThrow(
            () ->
                new UserException(
                    "the ECDSA key that signs L1 transactions is needed: --ecdsa-keystore-file and"
                        + " --ecdsa-password-file (or AVS_ECDSA_KEYSTORE_FILE /"
                        + " AVS_ECDSA_PASSWORD_FILE, or the config file)"));
  }
}
