package org.avsnode.operator.app.config;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config-file} and {@code --data-path}, declared once for every command that works on a
 * node's directory ({@code run}, registration, {@code keys}, {@code slashing-protection}): the same
 * names, environment variables and config-file keys everywhere.
 */
public final class DataPathOptions {
  @Option(
      names = "--config-file",
      paramLabel = "FILE",
      description =
          "YAML file with settings named like the options without dashes (data-path: /x)."
              + " Env: AVS_CONFIG_FILE.")
  Path configFile;

  @Option(
      names = "--data-path",
      paramLabel = "DIR",
      defaultValue = NodeOptions.DEFAULT_DATA_PATH,
      description =
          "The node's directory (keystores under keys/, the embedded slashing-protection database"
              + " under slashing-protection/). Env: AVS_DATA_PATH. Default: ${DEFAULT-VALUE}.")
  Path dataPath;

  public Path dataPath() {
    return dataPath;
  }
}
