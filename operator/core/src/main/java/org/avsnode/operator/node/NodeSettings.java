package org.avsnode.operator.node;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.config.InvalidConfigException;
import org.avsnode.operator.http.HttpServerConfig;
import org.avsnode.operator.keys.KeystoreRef;

/**
 * The node's one configuration model, validated and immutable: what {@code operator run}, the
 * registration commands and the devnet's operators start from. The command line maps flags,
 * environment, config file and defaults (in that order of precedence) onto a {@link Builder}; a
 * check that needs no I/O happens in {@link Builder#build()}, and a failure is an {@link
 * InvalidConfigException} naming the setting by its option name without dashes.
 *
 * @param nodeName {@code node_name} in {@code /eigen/node}
 * @param nodeVersion {@code node_version} in {@code /eigen/node}
 * @param dataPath the node's directory (admin token, databases), absolute and normalised
 * @param http where the API listens (loopback unless configured)
 * @param adminTokenFile the admin token file; empty: {@code <dataPath>/admin-token}, created
 * @param metricsEnabled serve {@code /metrics}
 * @param l1RpcUrl L1 JSON-RPC endpoint (http, https, ws or wss); empty: no L1 access
 * @param l1ChainId the chain the endpoint must serve; empty: the deployment file's, if any
 * @param deploymentFile the JSON file with the deployed contract addresses
 * @param l1Confirmations blocks on top before a block counts as confirmed
 * @param l1PollInterval head polling interval
 * @param l1RequestTimeout timeout of one JSON-RPC request
 * @param l1Retry retries of transient L1 faults
 * @param duties enabled duty ids, in the order given, without duplicates
 * @param dutyConfig each enabled duty's configuration section, by duty id
 * @param slashingProtectionDbUrl JDBC URL of the slashing-protection database; by default an
 *     embedded H2 database under {@code dataPath}
 * @param blsKey the BLS keystore (EIP-2335) and its password file; required when a duty runs
 * @param ecdsaKey the ECDSA keystore (V3) and its password file; required when a duty runs
 */
public record NodeSettings(
    String nodeName,
    String nodeVersion,
    Path dataPath,
    HttpServerConfig http,
    Optional<Path> adminTokenFile,
    boolean metricsEnabled,
    Optional<URI> l1RpcUrl,
    OptionalLong l1ChainId,
    Optional<Path> deploymentFile,
    int l1Confirmations,
    Duration l1PollInterval,
    Duration l1RequestTimeout,
    RetryPolicy l1Retry,
    List<String> duties,
    Map<String, Map<String, String>> dutyConfig,
    String slashingProtectionDbUrl,
    Optional<KeystoreRef> blsKey,
    Optional<KeystoreRef> ecdsaKey) {

  public static final String DEFAULT_NODE_NAME = "avs-operator";
  public static final String DEFAULT_HTTP_HOST = HttpServerConfig.DEFAULT_HOST;
  public static final int DEFAULT_HTTP_PORT = 9000;
  public static final int DEFAULT_CONFIRMATIONS = 2;
  public static final int MAX_CONFIRMATIONS = 1000;
  public static final Duration DEFAULT_L1_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_L1_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern DUTY = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  public NodeSettings {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(nodeVersion, "nodeVersion");
    if (dataPath == null) {
      throw new InvalidConfigException("data-path", "is required");
    }
    dataPath = dataPath.toAbsolutePath().normalize();
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(adminTokenFile, "adminTokenFile");
    Objects.requireNonNull(l1RpcUrl, "l1RpcUrl");
    l1RpcUrl.ifPresent(NodeSettings::checkRpcUrl);
    Objects.requireNonNull(l1ChainId, "l1ChainId");
    if (l1ChainId.isPresent() && l1ChainId.getAsLong() <= 0) {
      throw new InvalidConfigException(
          "l1-chain-id", "must be a positive chain id, got " + l1ChainId.getAsLong());
    }
    Objects.requireNonNull(deploymentFile, "deploymentFile");
    if (l1Confirmations < 0 || l1Confirmations > MAX_CONFIRMATIONS) {
      throw new InvalidConfigException(
          "confirmations",
          "must be between 0 and " + MAX_CONFIRMATIONS + ", got " + l1Confirmations);
    }
    positive("l1-poll-interval", l1PollInterval);
    positive("l1-request-timeout", l1RequestTimeout);
    Objects.requireNonNull(l1Retry, "l1Retry");
    duties = checkDuties(duties);
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> e :
        Objects.requireNonNull(dutyConfig, "dutyConfig").entrySet()) {
      if (!duties.contains(e.getKey())) {
        throw new InvalidConfigException(
            "duty-option",
            "names duty '"
                + e.getKey()
                + "', which is not enabled (duties: "
                + String.join(",", duties)
                + ")");
      }
      sections.put(e.getKey(), Map.copyOf(e.getValue()));
    }
    dutyConfig = Map.copyOf(sections);
    if (slashingProtectionDbUrl == null || slashingProtectionDbUrl.isBlank()) {
      slashingProtectionDbUrl = embeddedSlashingProtectionDbUrl(dataPath);
    } else if (!slashingProtectionDbUrl.startsWith("jdbc:h2:")
        && !slashingProtectionDbUrl.startsWith("jdbc:postgresql:")) {
      throw new InvalidConfigException(
          "slashing-protection-db-url",
          "must be a jdbc:postgresql: or jdbc:h2: URL, got '"
              + redactUserInfo(slashingProtectionDbUrl)
              + "'");
    }
    Objects.requireNonNull(blsKey, "blsKey");
    Objects.requireNonNull(ecdsaKey, "ecdsaKey");
    if (!duties.isEmpty()) {
      if (blsKey.isEmpty()) {
        throw new InvalidConfigException(
            "bls-keystore-file", "is required to perform duties " + String.join(",", duties));
      }
      if (ecdsaKey.isEmpty()) {
        throw new InvalidConfigException(
            "ecdsa-keystore-file",
            "is required to perform duties "
                + String.join(",", duties)
                + " (its address names the operator)");
      }
    }
  }

  /** The L1 endpoint, for commands that cannot work without one. */
  public URI requireL1RpcUrl() {
    return l1RpcUrl.orElseThrow(() -> new InvalidConfigException("l1-rpc-url", "is required"));
  }

  /** The deployment file, for commands that cannot work without one. */
  public Path requireDeploymentFile() {
    return deploymentFile.orElseThrow(
        () -> new InvalidConfigException("deployment-file", "is required"));
  }

  /** The default slashing-protection database: an H2 file under the data path. */
  public static String embeddedSlashingProtectionDbUrl(Path dataPath) {
    return "jdbc:h2:file:"
        + dataPath.toAbsolutePath().normalize().resolve("slashing-protection").resolve("db");
  }

  /** True when the slashing-protection database is the embedded default. */
  public boolean slashingProtectionEmbedded() {
    return slashingProtectionDbUrl.equals(embeddedSlashingProtectionDbUrl(dataPath));
  }

  private static void positive(String key, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new InvalidConfigException(key, "must be positive");
    }
  }

  private static void checkRpcUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!Set.of("http", "https", "ws", "wss").contains(scheme)) {
      throw new InvalidConfigException(
          "l1-rpc-url", "must be an http(s) or ws(s) URL, got '" + redactUrl(url) + "'");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new InvalidConfigException("l1-rpc-url", "has no host: '" + redactUrl(url) + "'");
    }
  }

  private static List<String> checkDuties(List<String> duties) {
    if (duties == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(duties.size());
    Set<String> seen = new HashSet<>();
    for (String d : duties) {
      String name = d == null ? "" : d.trim();
      if (name.isEmpty()) {
        continue; // "--duties ''" or a trailing comma: nothing
      }
      if (!DUTY.matcher(name).matches()) {
        throw new InvalidConfigException(
            "duties",
            "contains '" + name + "', which is not a duty name (lowercase letters, digits, '-')");
      }
      if (!seen.add(name)) {
        throw new InvalidConfigException("duties", "lists '" + name + "' twice");
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  /** Scheme, host and port only: providers put API keys in the user info, the path or the query. */
  public static String redactUrl(URI url) {
    if (url == null) {
      return "null";
    }
    return (url.getScheme() == null ? "" : url.getScheme() + "://")
        + (url.getHost() == null ? "?" : url.getHost())
        + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  private static String redactUserInfo(String url) {
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  private static String redactDbUrl(String url) {
    return redactUserInfo(url).replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  /** Shows everything but credentials that may sit in the URLs. */
  @Override
  public String toString() {
    return "NodeSettings[dataPath="
        + dataPath
        + ", http="
        + http.host()
        + ":"
        + http.port()
        + ", l1RpcUrl="
        + l1RpcUrl.map(NodeSettings::redactUrl).orElse("none")
        + ", l1ChainId="
        + (l1ChainId.isPresent() ? l1ChainId.getAsLong() : "from the deployment file")
        + ", deploymentFile="
        + deploymentFile.map(Path::toString).orElse("none")
        + ", metricsEnabled="
        + metricsEnabled
        + ", duties="
        + duties
        + ", slashingProtectionDbUrl="
        + redactDbUrl(slashingProtectionDbUrl)
        + ", blsKey="
        + blsKey.map(KeystoreRef::keystoreFile).map(Path::toString).orElse("none")
        + ", ecdsaKey="
        + ecdsaKey.map(KeystoreRef::keystoreFile).map(Path::toString).orElse("none")
        + ", confirmations="
        + l1Confirmations
        + "]";
  }

  /** Defaults for everything but the data path: for tests and tools. */
  public static Builder builder(Path dataPath) {
    return new Builder().dataPath(dataPath);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change a few. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.nodeName = nodeName;
    b.nodeVersion = nodeVersion;
    b.dataPath = dataPath;
    b.httpHost = http.host();
    b.httpPort = http.port();
    b.adminTokenFile = adminTokenFile.orElse(null);
    b.metricsEnabled = metricsEnabled;
    b.l1RpcUrl = l1RpcUrl.orElse(null);
    b.l1ChainId = l1ChainId.isPresent() ? l1ChainId.getAsLong() : null;
    b.deploymentFile = deploymentFile.orElse(null);
    b.confirmations = l1Confirmations;
    b.l1PollInterval = l1PollInterval;
    b.l1RequestTimeout = l1RequestTimeout;
    b.l1Retry = l1Retry;
    b.duties = duties;
    b.dutyConfig = new LinkedHashMap<>(dutyConfig);
    b.slashingProtectionDbUrl = slashingProtectionEmbedded() ? null : slashingProtectionDbUrl;
    b.blsKey = blsKey.orElse(null);
    b.ecdsaKey = ecdsaKey.orElse(null);
    return b;
  }

  /** Mutable builder with the documented defaults; {@link #build()} validates. */
  public static final class Builder {
    private String nodeName = DEFAULT_NODE_NAME;
    private String nodeVersion = "unknown";
    private Path dataPath;
    private String httpHost = DEFAULT_HTTP_HOST;
    private int httpPort = DEFAULT_HTTP_PORT;
    private Path adminTokenFile;
    private boolean metricsEnabled;
    private URI l1RpcUrl;
    private Long l1ChainId;
    private Path deploymentFile;
    private int confirmations = DEFAULT_CONFIRMATIONS;
    private Duration l1PollInterval = DEFAULT_L1_POLL_INTERVAL;
    private Duration l1RequestTimeout = DEFAULT_L1_REQUEST_TIMEOUT;
    private RetryPolicy l1Retry = RetryPolicy.DEFAULT;
    private List<String> duties = List.of();
    private Map<String, Map<String, String>> dutyConfig = new LinkedHashMap<>();
    private String slashingProtectionDbUrl;
    private KeystoreRef blsKey;
    private KeystoreRef ecdsaKey;

    private Builder() {}

    public Builder nodeName(String v) {
      this.nodeName = v;
      return this;
    }

    public Builder nodeVersion(String v) {
      this.nodeVersion = v;
      return this;
    }

    public Builder dataPath(Path v) {
      this.dataPath = v;
      return this;
    }

    public Builder httpHost(String v) {
      this.httpHost = v;
      return this;
    }

    public Builder httpPort(int v) {
      this.httpPort = v;
      return this;
    }

    public Builder adminTokenFile(Path v) {
      this.adminTokenFile = v;
      return this;
    }

    public Builder metricsEnabled(boolean v) {
      this.metricsEnabled = v;
      return this;
    }

    public Builder l1RpcUrl(URI v) {
      this.l1RpcUrl = v;
      return this;
    }

    public Builder l1ChainId(Long v) {
      this.l1ChainId = v;
      return this;
    }

    public Builder deploymentFile(Path v) {
      this.deploymentFile = v;
      return this;
    }

    public Builder confirmations(int v) {
      this.confirmations = v;
      return this;
    }

    public Builder l1PollInterval(Duration v) {
      this.l1PollInterval = v;
      return this;
    }

    public Builder l1RequestTimeout(Duration v) {
      this.l1RequestTimeout = v;
      return this;
    }

    public Builder l1Retry(RetryPolicy v) {
      this.l1Retry = v;
      return this;
    }

    public Builder duties(List<String> v) {
      this.duties = v;
      return this;
    }

    /** One duty's section, replacing an earlier one. */
    public Builder dutyConfig(String duty, Map<String, String> section) {
      this.dutyConfig.put(duty, section);
      return this;
    }

    public Builder dutyConfig(Map<String, Map<String, String>> sections) {
      this.dutyConfig = new LinkedHashMap<>(sections);
      return this;
    }

    public Builder slashingProtectionDbUrl(String v) {
      this.slashingProtectionDbUrl = v;
      return this;
    }

    /**
     * The BLS keystore and password file; both null means none, exactly one null is an error naming
     * the missing one.
     */
    public Builder blsKey(Path keystoreFile, Path passwordFile) {
      this.blsKey = pair("bls", keystoreFile, passwordFile);
      return this;
    }

    /** The ECDSA keystore and password file; same rules as {@link #blsKey}. */
    public Builder ecdsaKey(Path keystoreFile, Path passwordFile) {
      this.ecdsaKey = pair("ecdsa", keystoreFile, passwordFile);
      return this;
    }

    private static KeystoreRef pair(String kind, Path keystore, Path password) {
      if (keystore == null && password == null) {
        return null;
      }
      if (password == null) {
        throw new InvalidConfigException(
            kind + "-password-file", "is required with --" + kind + "-keystore-file");
      }
      if (keystore == null) {
        throw new InvalidConfigException(
            kind + "-keystore-file", "is required with --" + kind + "-password-file");
      }
      return new KeystoreRef(keystore, password);
    }

    public NodeSettings build() {
      HttpServerConfig http;
      if (httpHost == null || httpHost.isBlank()) {
        throw new InvalidConfigException("http-host", "must not be empty");
      }
      if (httpPort < 0 || httpPort > 65535) {
        throw new InvalidConfigException(
            "http-port", "must be between 0 and 65535 (0 = any free port), got " + httpPort);
      }
      http = new HttpServerConfig(httpHost, httpPort, null);
      return new NodeSettings(
          nodeName,
          nodeVersion,
          dataPath,
          http,
          Optional.ofNullable(adminTokenFile),
          metricsEnabled,
          Optional.ofNullable(l1RpcUrl),
          l1ChainId == null ? OptionalLong.empty() : OptionalLong.of(l1ChainId),
          Optional.ofNullable(deploymentFile),
          confirmations,
          l1PollInterval,
          l1RequestTimeout,
          l1Retry,
          duties,
          dutyConfig,
          slashingProtectionDbUrl,
          Optional.ofNullable(blsKey),
          Optional.ofNullable(ecdsaKey));
    }
  }
}
