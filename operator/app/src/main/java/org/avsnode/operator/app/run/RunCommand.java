package org.avsnode.operator.app.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.avsnode.operator.app.DurationConverter;
import org.avsnode.operator.app.OperatorCommand;
import org.avsnode.operator.app.ShutdownLatch;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import org.avsnode.operator.app.config.NodeOptions;
import org.avsnode.operator.node.NodeRuntime;
import org.avsnode.operator.node.NodeSettings;
import org.avsnode.operator.node.NodeStartException;
import org.avsnode.operator.spi.DutyObservers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code operator run}: starts the node (L1 access, enabled duties, HTTP API, metrics) and runs
 * until SIGTERM or Ctrl-C, then stops everything and exits 0.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    defaultValueProvider = ConfigDefaultProvider.class,
    description = "Run the operator node until SIGTERM or Ctrl-C.",
    usageHelpAutoWidth = true)
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin NodeOptions node;

  @Option(
      names = "--admin-token-file",
      paramLabel = "FILE",
      description =
          "Bearer token of the /admin endpoints. Env: AVS_ADMIN_TOKEN_FILE. Default:"
              + " <data-path>/admin-token, created (mode 0600) at first start.")
  Path adminTokenFile;

  @Option(
      names = "--l1-poll-interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description = "How often the L1 head is polled. Env: AVS_L1_POLL_INTERVAL. Default: 2s.")
  Duration l1PollInterval;

  @Option(
      names = "--duty-option",
      paramLabel = "DUTY.KEY=VALUE",
      split = DutyOptions.SPLIT,
      description = {
        "A setting of an enabled duty, repeatable, e.g. --duty-option mach.rollups=42=http://l2:8545"
            + " --duty-option mach.aggregators=http://agg1:9000,http://agg2:9000. The node fills in"
            + " the contract addresses from the deployment file and its own keystores and"
            + " slashing-protection database. Env: AVS_DUTY_OPTION (entries separated by commas)."
      })
  List<String> dutyOptions;

  @Option(
      names = "--node-name",
      paramLabel = "NAME",
      defaultValue = "avs-operator",
      description = "node_name in GET /eigen/node. Env: AVS_NODE_NAME. Default: avs-operator.")
  String nodeName;

  @Override
  public Integer call() throws Exception {
    NodeSettings settings = settings();
    RunComponent component =
        RunComponent.create(settings, new LogbackLevelControl(), DutyObservers.none());
    NodeRuntime runtime = component.runtime();
    try (ShutdownLatch shutdown =
        ShutdownLatch.install("operator-shutdown", Duration.ofSeconds(20))) {
      Signals.onTerminate(shutdown::requestStop);
      if ("1".equals(System.getenv(STOP_WITH_PARENT_ENV))) {
        stopWhenStdinCloses(shutdown);
      }
      try {
        runtime.start(); // stops what it started when it fails
      } catch (NodeStartException e) {
        throw new UserException(e.getMessage(), e);
      }
      try {
        LOG.info("node API listening on {}", runtime.apiUrl());
        shutdown.awaitStop();
        LOG.info("stopping the node");
      } finally {
        runtime.close();
        LOG.info("node stopped");
      }
    }
    return 0;
  }

  /**
   * Set to 1 by a parent process (the devnet) that starts this node as its child: the node then
   * stops when its standard input reaches end of file, which happens when the parent exits for any
   * reason, SIGKILL included, because the kernel closes the parent's end of the pipe.
   */
  public static final String STOP_WITH_PARENT_ENV = "AVS_STOP_WITH_PARENT";

  private static void stopWhenStdinCloses(ShutdownLatch shutdown) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // the parent writes nothing: wait for the end of the stream
                }
              } catch (java.io.IOException e) {
                // a broken pipe means the same: the parent is gone
              }
              LOG.warn("the parent process is gone (stdin closed): stopping");
              shutdown.requestStop();
            },
            "parent-watch");
    t.setDaemon(true);
    t.start();
  }

  /** The node's settings from the node options and this command's own. */
  NodeSettings settings() {
    Map<String, Map<String, String>> sections = DutyOptions.sections(node.duties(), dutyOptions);
    return node.toNodeSettings(
        b ->
            b.nodeName(nodeName)
                .nodeVersion(OperatorCommand.version())
                .adminTokenFile(adminTokenFile)
                .l1PollInterval(l1PollInterval)
                .dutyConfig(sections));
  }
}
