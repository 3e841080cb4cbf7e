package org.avsnode.operator.app.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when it is not on the command line: the environment variable
 * {@code AVS_<NAME>} (e.g. {@code AVS_DATA_PATH} for {@code --data-path}), then the YAML file named
 * by {@code --config-file} (or {@code AVS_CONFIG_FILE}) under the key {@code <name>} (e.g. {@code
 * data-path}), then the option's own default. So the precedence is flag > environment > config file
 * > default, for every option, with no per-option code.
 *
 * <p>Declare it on a command with {@code @Command(defaultValueProvider =
 * ConfigDefaultProvider.class)} and give the command a {@code --config-file} option (both come with
 * {@link NodeOptions}). Problems (an unknown key, a value that does not convert, a missing file)
 * are not thrown during parsing, where Picocli would print the whole usage: they are kept and
 * reported as one line by {@link ConfigSupport#check} when the command starts. A config file is
 * shared by every command: a key is unknown only if no command that reads config files has an
 * option of that name.
 *
 * <p>One instance serves one parse (the binary builds a new command line per run).
 */
public class ConfigDefaultProvider implements CommandLine.IDefaultValueProvider {
  public static final String ENV_PREFIX = "AVS_";
  public static final String CONFIG_FILE_OPTION = "--config-file";

  private Map<String, String> env = System.getenv();
  private Path loadedFile;
  private Map<String, YamlConfigFile.Entry> yaml = Map.of();
  private final Set<String> problems = new LinkedHashSet<>();
  private final Map<String, String> sources = new HashMap<>();

  /** The environment to read instead of the process environment (tests pass a map). */
  public void environment(Map<String, String> environment) {
    this.env = Map.copyOf(Objects.requireNonNull(environment, "environment"));
  }

  /** The environment this provider reads (the process environment unless replaced). */
  public Map<String, String> environment() {
    return env;
  }

  /** {@code AVS_HTTP_PORT} for {@code http-port}. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** {@code http-port} for {@code --http-port}. */
  static String keyOf(OptionSpec option) {
    return option.longestName().replaceFirst("^--", "");
  }

  /**
   * Whether this option may come from the environment or a config file. By default every long
   * option except help, version and {@code --config-file} itself; subclasses narrow it.
   */
  protected boolean configurable(OptionSpec option) {
    return option.longestName().startsWith("--")
        && !option.usageHelp()
        && !option.versionHelp()
        && !CONFIG_FILE_OPTION.equals(option.longestName());
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
      return null;
    }
    if (CONFIG_FILE_OPTION.equals(option.longestName())) {
      return envValue(envName(keyOf(option)));
    }
    if (!configurable(option)) {
      return null;
    }
    String key = keyOf(option);
    String envName = envName(key);
    String value = envValue(envName);
    if (value == null && "".equals(env.get(envName)) && !option.isMultiValue()) {
      // AVS_DATA_PATH= must not quietly fall back to the default (e.g. the home directory)
      problems.add(
          "environment variable " + envName + " is set but empty; unset it or give it a value");
      return null;
    }
    String source;
    if (value != null) {
      source = "environment variable " + envName;
    } else {
      Optional<Path> file = configFile(option.command());
      if (file.isEmpty()) {
        return null;
      }
      load(file.get(), option.command());
      YamlConfigFile.Entry e = yaml.get(key);
      if (e == null) {
        return null;
      }
      value = e.value();
      source = "config file " + file.get() + ": " + key;
    }
    Optional<String> bad = conversionError(option, value);
    if (bad.isPresent()) {
      problems.add(source + " has a bad value: " + bad.get());
      return null;
    }
    sources.put(key, source);
    return value;
  }

  private String envValue(String name) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * Where the value of {@code key} came from, e.g. {@code environment variable AVS_HTTP_PORT} or
   * {@code config file /etc/avs.yaml: http-port}; empty if it did not come from here.
   */
  public Optional<String> sourceOf(String key) {
    return Optional.ofNullable(sources.get(key));
  }

  /** The config file in effect for {@code command}: the flag's value, else AVS_CONFIG_FILE. */
  Optional<Path> configFile(CommandSpec command) {
    OptionSpec option = command.findOption(CONFIG_FILE_OPTION);
    if (option == null) {
      return Optional.empty();
    }
    Object v = option.getValue();
    if (v != null) {
      return Optional.of(Path.of(v.toString()));
    }
    return Optional.ofNullable(envValue(envName(keyOf(option)))).map(Path::of);
  }

  /**
   * Every problem with the configuration of {@code command}, in the order found. Loads and checks
   * the config file even when no option needed a value from it.
   */
  public List<String> problems(CommandSpec command) {
    configFile(command).ifPresent(f -> load(f, command));
    return List.copyOf(problems);
  }

  private void load(Path file, CommandSpec command) {
    if (file.equals(loadedFile)) {
      return;
    }
    loadedFile = file;
    yaml = Map.of();
    try {
      yaml = YamlConfigFile.read(file);
    } catch (YamlConfigFile.Invalid e) {
      problems.add("config file " + file + ": " + e.getMessage());
      return;
    }
    Set<String> known = knownKeys(command);
    for (Map.Entry<String, YamlConfigFile.Entry> e : yaml.entrySet()) {
      String key = e.getKey();
      if (key.equals(CONFIG_FILE_OPTION.substring(2))) {
        problems.add("config file " + file + ": 'config-file' cannot be set inside a config file");
      } else if (!known.contains(key)) {
        problems.add(
            "config file "
                + file
                + ": unknown key '"
                + key
                + "'"
                + Suggestions.closest(key, known)
                    .map(s -> " (did you mean '" + s + "'?)")
                    .orElse(""));
      }
    }
  }

  /**
   * The keys any command of this command tree takes from a config file: the configurable options of
   * every command whose default provider is a {@link ConfigDefaultProvider}.
   */
  static Set<String> knownKeys(CommandSpec command) {
    Set<String> keys = new TreeSet<>();
    collect(command.root(), keys);
    if (keys.isEmpty()) {
      collect(command, keys); // a command used on its own, outside the operator tree
    }
    return keys;
  }

  private static void collect(CommandSpec spec, Set<String> keys) {
    if (spec.defaultValueProvider() instanceof ConfigDefaultProvider p) {
      for (OptionSpec o : spec.options()) {
        if (p.configurable(o)) {
          keys.add(keyOf(o));
        }
      }
    }
    for (CommandLine sub : new ArrayList<>(spec.subcommands().values())) {
      collect(sub.getCommandSpec(), keys);
    }
  }

  /**
   * Converts {@code value} the way Picocli would convert it for {@code option}, on a throwaway
   * one-option command, so a bad value is reported with its source instead of as a usage error.
   */
  static Optional<String> conversionError(OptionSpec option, String value) {
    OptionSpec.Builder probe =
        OptionSpec.builder("--value")
            .type(option.type())
            .auxiliaryTypes(option.auxiliaryTypes())
            .arity(option.isMultiValue() ? "1..*" : "1")
            .splitRegex(option.splitRegex());
    if (option.converters() != null && option.converters().length > 0) {
      probe.converters(option.converters());
    }
    CommandSpec spec = CommandSpec.create().addOption(probe.build());
    try {
      new CommandLine(spec).parseArgs("--value", value);
      return Optional.empty();
    } catch (CommandLine.ParameterException e) {
      String m = String.valueOf(e.getMessage());
      int i = m.indexOf("'--value': ");
      return Optional.of((i >= 0 ? m.substring(i + "'--value': ".length()) : m).trim());
    }
  }
}
