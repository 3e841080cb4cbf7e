package org.avsnode.operator.node;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.inject.Inject;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.chain.HeadTracker;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.SenderConfig;
import org.avsnode.operator.chain.TransactionSender;
import org.avsnode.operator.http.AdminToken;
import org.avsnode.operator.http.LogLevelControl;
import org.avsnode.operator.http.NodeApi;
import org.avsnode.operator.http.NodeHealth;
import org.avsnode.operator.http.NodeHttpServer;
import org.avsnode.operator.http.RouteTable;
import org.avsnode.operator.http.ServiceStatus;
import org.avsnode.operator.http.StatusPage;
import org.avsnode.operator.keys.KeyFileException;
import org.avsnode.operator.keys.NodeKeys;
import org.avsnode.operator.metrics.MetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.registry.NodeCertificateVerifier;
import org.avsnode.operator.registry.RegistryReader;
import org.avsnode.operator.registry.StakeView;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.slashing.SlashingProtection;
import org.avsnode.operator.slashing.SlashingProtectionException;
import org.avsnode.operator.slashing.SlashingProtections;
import org.avsnode.operator.spi.ActivityFeed;
import org.avsnode.operator.spi.DutyContext;
import org.avsnode.operator.spi.DutyFactory;
import org.avsnode.operator.spi.DutyObservers;
import org.avsnode.operator.spi.DutyPorts;
import org.avsnode.operator.spi.DutySupervisor;
import org.avsnode.operator.spi.Health;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.utils.Numeric;

/**
 * The running node: L1 access and head tracking (when configured), the enabled duties under a
 * {@link DutySupervisor}, the HTTP API and the performance score. {@link #start()} fails fast with
 * a {@link NodeStartException} (wrong chain, unreachable L1, port in use, unknown duty); {@link
 * #close()} stops everything in reverse order.
 */
public final class NodeRuntime implements NodeHealth, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
  static final String L1_SERVICE_ID = "l1";

  private final NodeSettings settings;
  private final MetricsSystem metricsSystem;
  private final NodeMetrics metrics;
  private final RouteTable routes;
  private final Clock clock;
  private final LogLevelControl logLevels;
  private final DutyCatalog catalog;

  private final DutyObservers observers;

  private L1Client l1;
  private HeadTracker head;
  private Deployment deployment;
  private SlashingProtection protection;
  private ProtectedSigner signer;
  private TransactionSender transactions;
  private String operatorAddress;
  private DutySupervisor supervisor;
  private NodeHttpServer http;
  private ScheduledExecutorService scorer;

  @Inject
  public NodeRuntime(
      NodeSettings settings,
      MetricsSystem metricsSystem,
      NodeMetrics metrics,
      RouteTable routes,
      Clock clock,
      LogLevelControl logLevels,
      DutyCatalog catalog,
      DutyObservers observers) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.metricsSystem = Objects.requireNonNull(metricsSystem, "metricsSystem");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.routes = Objects.requireNonNull(routes, "routes");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.logLevels = Objects.requireNonNull(logLevels, "logLevels");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.observers = Objects.requireNonNull(observers, "observers");
  }

  /** Starts every part; on failure, what was started is stopped again. */
  public synchronized void start() {
    try {
      doStart();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private void doStart() {
    try {
      Files.createDirectories(settings.dataPath());
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot create the data path " + settings.dataPath() + ": " + e.getMessage(), e);
    }
    AdminToken token;
    try {
      token = AdminToken.load(settings.adminTokenFile().orElse(null), settings.dataPath());
    } catch (IllegalArgumentException e) {
      throw new NodeStartException(e.getMessage(), e);
    }
    boolean duties = !settings.duties().isEmpty();
    if (duties || settings.deploymentFile().isPresent()) {
      deployment = readDeployment();
    }
    if (settings.l1RpcUrl().isPresent()) {
      startL1(settings.l1RpcUrl().get());
    } else if (duties) {
      throw new NodeStartException("duties need an L1 endpoint: set --l1-rpc-url");
    }
    if (duties) {
      openKeysAndSigner();
    }
    RegistryReader registry =
        l1 != null && deployment != null
            ? new RegistryReader(
                l1, deployment.contracts().avsRegistry(), deployment.operatorSetId())
            : null;
    if (registry != null) {
      // the node's own certificate verifier (DESIGN.md §5): registry snapshot + the bridge library
      new NodeCertificateVerifier(registry, signingDomain()).install(routes);
    }
    ActivityFeed activity = new ActivityFeed(clock);
    DutyPorts ports = new DutyPorts();
    ports.provide(ActivityFeed.class, activity);
    DutyContext context =
        new DutyContext(
            Map.of(),
            clock,
            metricsSystem,
            routes,
            Optional.ofNullable(l1),
            Optional.ofNullable(head),
            Optional.empty(),
            Optional.ofNullable(operatorAddress),
            Optional.ofNullable(transactions),
            Optional.ofNullable(deployment),
            observers,
            ports,
            Optional.of(settings.dataPath()));
    try {
      supervisor = createSupervisor(context);
    } catch (IllegalArgumentException e) {
      throw new NodeStartException(e.getMessage(), e);
    }
    new NodeApi(settings.nodeName(), settings.nodeVersion(), this, metricsSystem, logLevels)
        .install(routes);
    Supplier<Map<String, Object>> stake =
        registry != null
            ? new StakeView(registry, Optional.ofNullable(operatorAddress), clock)
            : () -> Map.of("error", "no L1 endpoint or deployment configured");
    new StatusPage(
            settings.nodeName(),
            settings.nodeVersion(),
            Optional.ofNullable(operatorAddress),
            this,
            activity,
            stake)
        .install(routes);
    http = new NodeHttpServer(settings.http(), routes, token, metrics);
    try {
      http.start();
    } catch (IOException e) {
      throw new NodeStartException(e.getMessage(), e);
    }
    supervisor.startAll();
    scorer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "performance-score");
              t.setDaemon(true);
              return t;
            });
    scorer.scheduleWithFixedDelay(this::updateScore, 0, 5, TimeUnit.SECONDS);
    if (supervisor.ids().isEmpty()) {
      LOG.warn("no duty enabled: the node serves its API and reports itself unhealthy");
    }
    LOG.info("admin token in {}", token.file() == null ? "(memory)" : token.file());
  }

  private DutySupervisor createSupervisor(DutyContext base) {
    Map<String, DutyFactory> installed = catalog.factories();
    List<String> unknown = new ArrayList<>();
    for (String id : settings.duties()) {
      if (!installed.containsKey(id)) {
        unknown.add(id);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown duties "
              + new java.util.TreeSet<>(unknown)
              + "; installed: "
              + new java.util.TreeSet<>(installed.keySet()));
    }
    List<org.avsnode.operator.spi.Duty> duties = new ArrayList<>();
    for (String id : new java.util.TreeSet<>(settings.duties())) {
      DutyContext ctx =
          base.forDuty(
              settings.dutyConfig().getOrDefault(id, Map.of()),
              Optional.ofNullable(signer).map(p -> new ScopedSigner(p, id, metrics)));
      duties.add(Objects.requireNonNull(installed.get(id).create(ctx), id));
    }
    return new DutySupervisor(
        duties,
        DutySupervisor.RetryTimer.daemon(),
        DutySupervisor.DEFAULT_FIRST_RETRY,
        DutySupervisor.DEFAULT_MAX_RETRY,
        metricsSystem.counter(
            org.avsnode.operator.metrics.StandardCategory.NODE,
            "duty_start_failures_total",
            "Failed starts of a duty, by duty (each is tried again after a growing delay)",
            "duty"));
  }

  /** The EIP-712 domain of the deployment: its chain and its registry. */
  private Eip712Domain signingDomain() {
    return Eip712Domain.avsNode(
        deployment.chainId(), Numeric.hexStringToByteArray(deployment.contracts().avsRegistry()));
  }

  private Deployment readDeployment() {
    Path file =
        settings
            .deploymentFile()
            .orElseThrow(
                () ->
                    new NodeStartException(
                        "duties need the deployment file: set --deployment-file"));
    try {
      return DeploymentJson.read(file);
    } catch (RuntimeException e) {
      throw new NodeStartException("deployment file " + file + ": " + oneLine(e.getMessage()), e);
    }
  }

  private static String oneLine(String s) {
    String m = String.valueOf(s).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * Loads the operator's keys once (strict loaders), opens the node's one slashing-protection
   * database and builds the one protected signer and the one transaction sender every duty shares.
   */
  private void openKeysAndSigner() {
    NodeKeys keys;
    try {
      keys = NodeKeys.load(settings.blsKey().orElseThrow(), settings.ecdsaKey().orElseThrow());
    } catch (KeyFileException e) {
      throw new NodeStartException(e.getMessage(), e);
    }
    Eip712Domain domain = signingDomain();
    try {
      protection =
          SlashingProtections.open(
              settings.slashingProtectionEmbedded() ? null : settings.slashingProtectionDbUrl(),
              settings.dataPath(),
              ProtectedSigner.slashingDomain(domain),
              new Properties());
      signer = keys.signer(protection, domain, SigningListener.NONE);
    } catch (SlashingProtectionException e) {
      throw new NodeStartException("slashing protection: " + oneLine(e.getMessage()), e);
    }
    operatorAddress = keys.address();
    transactions =
        keys.transactionSender(
            l1,
            deployment.chainId(),
            SenderConfig.DEFAULT.withTimeouts(Duration.ofSeconds(60), Duration.ofMillis(200)),
            metrics,
            clock);
    LOG.info(
        "operator {} with BLS key {}; slashing protection: {}",
        operatorAddress,
        keys.blsPublicKey().toHex(),
        settings.slashingProtectionEmbedded()
            ? "embedded, " + SlashingProtections.embeddedDirectory(settings.dataPath())
            : "PostgreSQL");
  }

  private void startL1(URI url) {
    l1 = L1Client.http(url.toString(), settings.l1RequestTimeout(), settings.l1Retry(), metrics);
    try {
      String version = l1.refreshClientVersion();
      long chainId = l1.chainId();
      OptionalLong expected =
          settings.l1ChainId().isPresent()
              ? settings.l1ChainId()
              : deployment == null ? OptionalLong.empty() : OptionalLong.of(deployment.chainId());
      if (expected.isPresent() && chainId != expected.getAsLong()) {
        throw new NodeStartException(
            "L1 "
                + l1.endpoint()
                + " serves chain id "
                + chainId
                + ", but "
                + (settings.l1ChainId().isPresent()
                    ? "--l1-chain-id is " + expected.getAsLong()
                    : "the deployment file is for chain id " + expected.getAsLong()));
      }
      if (deployment != null && chainId != deployment.chainId()) {
        throw new NodeStartException(
            "the deployment file "
                + settings.deploymentFile().orElseThrow()
                + " is for chain id "
                + deployment.chainId()
                + ", but L1 "
                + l1.endpoint()
                + " serves chain id "
                + chainId);
      }
      head =
          new HeadTracker(
              l1,
              settings.l1Confirmations(),
              metrics,
              clock,
              settings.l1PollInterval().multipliedBy(10).plus(Duration.ofSeconds(30)));
      head.poll();
      LOG.info(
          "L1 {} chain id {} ({}), head {}",
          l1.endpoint(),
          chainId,
          version,
          head.head().map(Object::toString).orElse("?"));
      head.start(settings.l1PollInterval());
    } catch (L1Exception e) {
      throw new NodeStartException("L1: " + e.getMessage(), e);
    }
  }

  /** The API's base URL; only after {@link #start()}. */
  public String apiUrl() {
    return http.baseUrl();
  }

  public int apiPort() {
    return http.port();
  }

  /** An enabled duty by id, once started (for an embedding program such as the devnet). */
  public Optional<org.avsnode.operator.spi.Duty> duty(String id) {
    DutySupervisor s = supervisor;
    return s == null ? Optional.empty() : s.duty(id);
  }

  public Optional<L1Client> l1() {
    return Optional.ofNullable(l1);
  }

  public Optional<HeadTracker> l1Head() {
    return Optional.ofNullable(head);
  }

  @Override
  public Health overall() {
    DutySupervisor s = supervisor;
    Health duties = s == null ? Health.down("starting") : s.overall();
    if (duties.status() == Health.Status.DOWN || head == null) {
      return duties;
    }
    Health l1Health = head.health();
    if (l1Health.status() == Health.Status.UP) {
      return duties;
    }
    return Health.partial(
        (duties.detail().isEmpty() ? "" : duties.detail() + "; ") + "L1: " + l1Health.detail());
  }

  @Override
  public List<ServiceStatus> services() {
    List<ServiceStatus> out = new ArrayList<>();
    DutySupervisor s = supervisor;
    if (s != null) {
      s.healthByDuty()
          .forEach(
              (id, h) -> {
                DutyFactory f = catalog.factories().get(id);
                out.add(new ServiceStatus(id, "duty " + id, f == null ? "" : f.description(), h));
              });
    }
    if (head != null) {
      out.add(
          new ServiceStatus(
              L1_SERVICE_ID, "L1 client", "L1 JSON-RPC at " + l1.endpoint(), head.health()));
    }
    return out;
  }

  /**
   * {@code eigen_performance_score}: 0 when the node is down (e.g. no duty enabled), otherwise the
   * mean of the services' health (up 100, partial 50, down 0).
   */
  void updateScore() {
    try {
      metrics.performanceScore(score(overall(), services()));
    } catch (RuntimeException e) {
      LOG.warn("performance score update failed: {}", e.toString());
    }
  }

  static double score(Health overall, List<ServiceStatus> services) {
    if (overall.status() == Health.Status.DOWN || services.isEmpty()) {
      return 0;
    }
    double sum = 0;
    for (ServiceStatus s : services) {
      sum +=
          switch (s.health().status()) {
            case UP -> 100;
            case PARTIAL -> 50;
            case DOWN -> 0;
          };
    }
    return sum / services.size();
  }

  @Override
  public synchronized void close() {
    if (scorer != null) {
      scorer.shutdownNow();
      scorer = null;
    }
    if (http != null) {
      http.close();
    }
    if (supervisor != null) {
      supervisor.close();
    }
    if (head != null) {
      head.close();
    }
    if (l1 != null) {
      l1.close();
    }
    if (protection != null) {
      try {
        protection.close();
      } catch (Exception e) {
        LOG.warn("closing the slashing-protection database failed: {}", e.toString());
      }
      protection = null;
    }
  }
}
