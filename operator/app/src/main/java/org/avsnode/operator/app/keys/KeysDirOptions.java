package org.avsnode.operator.app.keys;

import java.nio.file.Path;
import org.avsnode.operator.app.config.ConfigSupport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the keystores live: {@code --keys-dir}, by default {@code <data-path>/keys}. */
public final class KeysDirOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @picocli.CommandLine.Mixin org.avsnode.operator.app.config.DataPathOptions paths;

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
    Path dir = keysDir != null ? keysDir : paths.dataPath().resolve("keys");
    return dir.toAbsolutePath().normalize();
  }
}
