package org.avsnode.operator.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the node runs with, validated and immutable. Built by the command line (flags, environment,
 * config file, defaults, in that order of precedence) or directly in tests via {@link #builder()}.
 * Every check that needs no I/O happens here; a failure is an {@link InvalidConfigException} naming
 * the setting by its option name without dashes.
 *
 * @param dataPath where the node keeps its state (absolute, normalised)
 * @param l1RpcUrl JSON-RPC endpoint of the L1 (http, https, ws or wss)
 * @param l1ChainId the chain id the L1 endpoint must report, when set
 * @param deploymentFile the JSON file with the deployed contract addresses
 * @param httpHost the interface of the HTTP API (loopback by default)
 * @param httpPort the port of the HTTP API; 0 picks a free port
 * @param metricsEnabled whether {@code /metrics} is served
 * @param duties the duties to perform, e.g. {@code mach}, in the order given, without duplicates
 * @param slashingProtectionDbUrl JDBC URL of the slashing-protection database; by default an
 *     embedded H2 database under {@code dataPath}
 * @param blsKey the BLS keystore (EIP-2335) and its password file; required when a duty runs
 * @param ecdsaKey the ECDSA keystore (V3) and its password file, to send L1 transactions
 * @param confirmations L1 blocks to wait before acting on an event
 */
public record NodeConfig(
    Path dataPath,
    URI l1RpcUrl,
    OptionalLong l1ChainId,
    Path deploymentFile,
    String httpHost,
    int httpPort,
    boolean metricsEnabled,
    List<String> duties,
    String slashingProtectionDbUrl,
    Optional<KeystoreRef> blsKey,
    Optional<KeystoreRef> ecdsaKey,
    int confirmations) {

  public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
  public static final int DEFAULT_HTTP_PORT = 9000;
  public static final int DEFAULT_CONFIRMATIONS = 2;
  public static final int MAX_CONFIRMATIONS = 1000;

  private static final Pattern DUTY = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  /** A keystore file and the file holding its password. */
  public record KeystoreRef(Path keystoreFile, Path passwordFile) {
    public KeystoreRef {
      Objects.requireNonNull(keystoreFile, "keystoreFile");
      Objects.requireNonNull(passwordFile, "passwordFile");
    }
  }

  public NodeConfig {
    if (dataPath == null) {
      throw new InvalidConfigException("data-path", "is required");
    }
    dataPath = dataPath.toAbsolutePath().normalize();
    if (l1RpcUrl == null) {
      throw new InvalidConfigException("l1-rpc-url", "is required");
    }
    checkRpcUrl(l1RpcUrl);
    l1ChainId = l1ChainId == null ? OptionalLong.empty() : l1ChainId;
    if (l1ChainId.isPresent() && l1ChainId.getAsLong() <= 0) {
      throw new InvalidConfigException(
          "l1-chain-id", "must be a positive chain id, got " + l1ChainId.getAsLong());
    }
    if (deploymentFile == null) {
      throw new InvalidConfigException("deployment-file", "is required");
    }
    if (httpHost == null || httpHost.isBlank()) {
      throw new InvalidConfigException("http-host", "must not be empty");
    }
    if (httpPort < 0 || httpPort > 65535) {
      throw new InvalidConfigException(
          "http-port", "must be between 0 and 65535 (0 = any free port), got " + httpPort);
    }
    duties = checkDuties(duties);
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
    blsKey = blsKey == null ? Optional.empty() : blsKey;
    ecdsaKey = ecdsaKey == null ? Optional.empty() : ecdsaKey;
    if (!duties.isEmpty() && blsKey.isEmpty()) {
      throw new InvalidConfigException(
          "bls-keystore-file", "is required to perform duties " + String.join(",", duties));
    }
    if (confirmations < 0 || confirmations > MAX_CONFIRMATIONS) {
      throw new InvalidConfigException(
          "confirmations", "must be between 0 and " + MAX_CONFIRMATIONS + ", got " + confirmations);
    }
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

  private static void checkRpcUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!Set.of("http", "https", "ws", "wss").contains(scheme)) {
      throw new InvalidConfigException(
          "l1-rpc-url", "must be an http(s) or ws(s) URL, got '" + redactUserInfo(url) + "'");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new InvalidConfigException("l1-rpc-url", "has no host: '" + redactUserInfo(url) + "'");
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

  /** An RPC URL may carry an API key as user info; never repeat it in an error. */
  private static String redactUserInfo(Object url) {
    return String.valueOf(url).replaceAll("//[^/@]*@", "//***@");
  }

  /** Shows everything but credentials that may sit in the URLs. */
  @Override
  public String toString() {
    return "NodeConfig[dataPath="
        + dataPath
        + ", l1RpcUrl="
        + redactUrl(l1RpcUrl)
        + ", l1ChainId="
        + (l1ChainId.isPresent() ? l1ChainId.getAsLong() : "unchecked")
        + ", deploymentFile="
        + deploymentFile
        + ", http="
        + httpHost
        + ":"
        + httpPort
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
        + confirmations
        + "]";
  }

  /** Scheme, host and port only: providers put API keys in user info, path or query. */
  static String redactUrl(URI url) {
    boolean more =
        url.getRawUserInfo() != null
            || (url.getRawPath() != null && url.getRawPath().length() > 1)
            || url.getRawQuery() != null;
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() >= 0 ? ":" + url.getPort() : "")
        + (more ? "/***" : "");
  }

  private static String redactDbUrl(String url) {
    return redactUserInfo(url).replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mutable builder with the documented defaults; {@link #build()} validates. */
  public static final class Builder {
    private Path dataPath;
    private URI l1RpcUrl;
    private Long l1ChainId;
    private Path deploymentFile;
    private String httpHost = DEFAULT_HTTP_HOST;
    private int httpPort = DEFAULT_HTTP_PORT;
    private boolean metricsEnabled;
    private List<String> duties = List.of();
    private String slashingProtectionDbUrl;
    private KeystoreRef blsKey;
    private KeystoreRef ecdsaKey;
    private int confirmations = DEFAULT_CONFIRMATIONS;

    private Builder() {}

    public Builder dataPath(Path v) {
      this.dataPath = v;
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

    public Builder httpHost(String v) {
      this.httpHost = v;
      return this;
    }

    public Builder httpPort(int v) {
      this.httpPort = v;
      return this;
    }

    public Builder metricsEnabled(boolean v) {
      this.metricsEnabled = v;
      return this;
    }

    public Builder duties(List<String> v) {
      this.duties = v;
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

    public Builder confirmations(int v) {
      this.confirmations = v;
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

    public NodeConfig build() {
      return new NodeConfig(
          dataPath,
          l1RpcUrl,
          l1ChainId == null ? OptionalLong.empty() : OptionalLong.of(l1ChainId),
          deploymentFile,
          httpHost,
          httpPort,
          metricsEnabled,
          duties,
          slashingProtectionDbUrl,
          Optional.ofNullable(blsKey),
          Optional.ofNullable(ecdsaKey),
          confirmations);
    }
  }
}
