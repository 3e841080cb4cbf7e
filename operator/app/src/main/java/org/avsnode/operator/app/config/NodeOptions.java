package org.avsnode.operator.app.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.avsnode.operator.app.DurationConverter;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.config.InvalidConfigException;
import org.avsnode.operator.node.NodeSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The node's options, as a Picocli mixin for {@code operator run} (and any command that needs the
 * node's configuration). Each option may also come from the environment ({@code AVS_DATA_PATH} for
 * {@code --data-path}) or from the YAML config file ({@code data-path: /var/lib/avs}), with the
 * precedence flag > environment > config file > default.
 *
 * <p>How to use it:
 *
 * <pre>{@code
 * @Command(name = "run", mixinStandardHelpOptions = true,
 *     defaultValueProvider = ConfigDefaultProvider.class)   // required: env + config file
 * final class RunCommand implements Callable<Integer> {
 *   @Mixin NodeOptions node;
 *
 *   public Integer call() {
 *     NodeSettings config = node.toNodeSettings(); // UserException (exit 2, one line) if bad
 *     ...
 *   }
 * }
 * }</pre>
 *
 * {@link #toNodeSettings()} reports config-file problems (unknown key, bad value), domain
 * validation failures ({@link NodeSettings}) and missing files as a {@link UserException} naming
 * where the bad value came from. It does not create directories or read key material.
 */
public final class NodeOptions {
  /** The default data path: {@code ~/.avs-operator}. */
  public static final String DEFAULT_DATA_PATH = "${sys:user.home}/.avs-operator";

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @picocli.CommandLine.Mixin DataPathOptions paths;

  @Option(
      names = "--l1-rpc-url",
      paramLabel = "URL",
      description = "JSON-RPC endpoint of the L1 (http, https, ws, wss). Env: AVS_L1_RPC_URL.")
  URI l1RpcUrl;

  @Option(
      names = "--l1-chain-id",
      paramLabel = "ID",
      description =
          "Refuse to start unless the L1 reports this chain id. Env: AVS_L1_CHAIN_ID."
              + " Default: not checked.")
  Long l1ChainId;

  @Option(
      names = "--deployment-file",
      paramLabel = "FILE",
      description = "JSON file with the deployed contract addresses. Env: AVS_DEPLOYMENT_FILE.")
  Path deploymentFile;

  @Option(
      names = "--http-host",
      paramLabel = "HOST",
      defaultValue = NodeSettings.DEFAULT_HTTP_HOST,
      description = "Interface of the HTTP API. Env: AVS_HTTP_HOST. Default: ${DEFAULT-VALUE}.")
  String httpHost;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "" + NodeSettings.DEFAULT_HTTP_PORT,
      description =
          "Port of the HTTP API; 0 picks a free port. Env: AVS_HTTP_PORT."
              + " Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(
      names = "--metrics-enabled",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "false",
      description =
          "Serve Prometheus metrics. Env: AVS_METRICS_ENABLED. Default: ${DEFAULT-VALUE}.")
  boolean metricsEnabled;

  @Option(
      names = "--duties",
      paramLabel = "DUTY",
      split = ",",
      defaultValue = "mach",
      description =
          "Duties to perform, comma-separated (e.g. mach,vital). Env: AVS_DUTIES."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> duties;

  @Option(
      names = "--slashing-protection-db-url",
      paramLabel = "JDBC_URL",
      description =
          "Slashing-protection database (jdbc:postgresql:... or jdbc:h2:...)."
              + " Env: AVS_SLASHING_PROTECTION_DB_URL. Default: an embedded H2 database under"
              + " the data path.")
  String slashingProtectionDbUrl;

  @Option(
      names = "--bls-keystore-file",
      paramLabel = "FILE",
      description = "EIP-2335 keystore of the BLS key. Env: AVS_BLS_KEYSTORE_FILE.")
  Path blsKeystoreFile;

  @Option(
      names = "--bls-password-file",
      paramLabel = "FILE",
      description = "File with the BLS keystore's password. Env: AVS_BLS_PASSWORD_FILE.")
  Path blsPasswordFile;

  @Option(
      names = "--ecdsa-keystore-file",
      paramLabel = "FILE",
      description =
          "V3 keystore of the ECDSA key for L1 transactions. Env: AVS_ECDSA_KEYSTORE_FILE.")
  Path ecdsaKeystoreFile;

  @Option(
      names = "--ecdsa-password-file",
      paramLabel = "FILE",
      description = "File with the ECDSA keystore's password. Env: AVS_ECDSA_PASSWORD_FILE.")
  Path ecdsaPasswordFile;

  @Option(
      names = "--confirmations",
      paramLabel = "N",
      defaultValue = "" + NodeSettings.DEFAULT_CONFIRMATIONS,
      description =
          "L1 blocks to wait before acting on an event. Env: AVS_CONFIRMATIONS."
              + " Default: ${DEFAULT-VALUE}.")
  int confirmations;

  @Option(
      names = "--l1-request-timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Timeout of one L1 JSON-RPC request. Env: AVS_L1_REQUEST_TIMEOUT. Default: 10s.")
  Duration l1RequestTimeout;

  /**
   * The validated configuration.
   *
   * @throws UserException (exit code 2, one line) for a config-file problem, an invalid value, or a
   *     deployment, keystore or password file that does not exist
   */
  /** The enabled duties as given (trimmed, blanks dropped; validated with the settings). */
  public List<String> duties() {
    return duties == null
        ? List.of()
        : duties.stream().map(String::strip).filter(d -> !d.isEmpty()).toList();
  }

  public NodeSettings toNodeSettings() {
    return toNodeSettings(b -> {});
  }

  /**
   * The validated configuration, with settings of the calling command ({@code run}'s own options)
   * applied to the builder before validation.
   */
  public NodeSettings toNodeSettings(Consumer<NodeSettings.Builder> more) {
    ConfigSupport.check(mixee);
    NodeSettings config;
    try {
      if (l1RpcUrl == null) {
        throw new InvalidConfigException("l1-rpc-url", "is required");
      }
      if (deploymentFile == null) {
        throw new InvalidConfigException("deployment-file", "is required");
      }
      NodeSettings.Builder b =
          NodeSettings.builder()
              .dataPath(paths.dataPath())
              .l1RpcUrl(l1RpcUrl)
              .l1ChainId(l1ChainId)
              .deploymentFile(deploymentFile)
              .httpHost(httpHost)
              .httpPort(httpPort)
              .metricsEnabled(metricsEnabled)
              .duties(duties == null ? List.of() : duties)
              .slashingProtectionDbUrl(slashingProtectionDbUrl)
              .blsKey(blsKeystoreFile, blsPasswordFile)
              .ecdsaKey(ecdsaKeystoreFile, ecdsaPasswordFile)
              .confirmations(confirmations)
              .l1RequestTimeout(l1RequestTimeout);
      more.accept(b);
      config = b.build();
    } catch (InvalidConfigException e) {
      String where = ConfigSupport.where(mixee, e.key());
      String hint =
          e.getMessage().equals("is required")
              ? " (flag, environment variable "
                  + ConfigDefaultProvider.envName(e.key())
                  + " or '"
                  + e.key()
                  + "' in the config file)"
              : "";
      throw new UserException(where + " " + e.getMessage() + hint);
    }
    if (Files.exists(config.dataPath()) && !Files.isDirectory(config.dataPath())) {
      throw new UserException(
          ConfigSupport.where(mixee, "data-path")
              + " "
              + config.dataPath()
              + " is not a directory");
    }
    requireFile("deployment-file", config.requireDeploymentFile());
    config
        .blsKey()
        .ifPresent(
            k -> {
              requireFile("bls-keystore-file", k.keystoreFile());
              requireFile("bls-password-file", k.passwordFile());
            });
    config
        .ecdsaKey()
        .ifPresent(
            k -> {
              requireFile("ecdsa-keystore-file", k.keystoreFile());
              requireFile("ecdsa-password-file", k.passwordFile());
            });
    return config;
  }

  private void requireFile(String key, Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserException(
          ConfigSupport.where(mixee, key)
              + " "
              + file
              + (Files.exists(file) ? " is not a regular file" : " does not exist"));
    }
    if (!Files.isReadable(file)) {
      throw new UserException(ConfigSupport.where(mixee, key) + " " + file + " is not readable");
    }
  }
}
