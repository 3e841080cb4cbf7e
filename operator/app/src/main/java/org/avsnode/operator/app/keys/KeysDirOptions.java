package org.avsnode.operator.app.keys;

import java.nio.file.Path;
import org.avsnode.operator.app.config.ConfigSupport;
import org.avsnode.operator.app.config.NodeOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the keystores live: {@code --keys-dir}, by default {@code <data-path>/keys}. */
public final class KeysDirOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--config-file",
      paramLabel = "FILE",
      description =
          "Node config file (YAML) to read data-path / keys-dir from. Env: AVS_CONFIG_FILE.")
  Path configFile;

  @Option(
      names = "--data-path",
      paramLabel = "DIR",
      defaultValue = NodeOptions.DEFAULT_DATA_PATH,
      description = "The node's data path. Env: AVS_DATA_PATH. Default: ${DEFAULT-VALUE}.")
  Path dataPath;

  @Option(
      names = "--keys-dir",
      paramLabel = "DIR",
      description = "Directory of the keystores. Env: AVS_KEYS_DIR. Default: <data-path>/keys.")
  Path keysDir;

  /**
   * The keys directory (absolute), after checking the configuration sources.
   *
   * @throws org.avsnode.operator.app.UserException for a config-file problem
   */
  public Path keysDir() {
    ConfigSupport.check(mixee);
    Path dir = keysDir != null ? keysDir : dataPath.resolve("keys");
    return dir.toAbsolutePath().normalize();
  }
}
