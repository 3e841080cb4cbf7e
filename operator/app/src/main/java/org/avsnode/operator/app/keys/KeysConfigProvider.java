package org.avsnode.operator.app.keys;

import java.util.Set;
import org.avsnode.operator.app.config.ConfigDefaultProvider;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The keys commands take only where the keys live from the environment and the config file ({@code
 * AVS_DATA_PATH}, {@code AVS_KEYS_DIR}, {@code data-path:}, {@code keys-dir:}); what to create or
 * import, and the password, are always explicit.
 */
public final class KeysConfigProvider extends ConfigDefaultProvider {
  private static final Set<String> CONFIGURABLE = Set.of("--data-path", "--keys-dir");

  @Override
  protected boolean configurable(OptionSpec option) {
    return CONFIGURABLE.contains(option.longestName());
  }
}
