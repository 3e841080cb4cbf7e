package org.avsnode.operator.app.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.avsnode.operator.app.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Glue between commands and {@link ConfigDefaultProvider}. */
public final class ConfigSupport {
  private ConfigSupport() {}

  /**
   * Makes every command of this command line read {@code env} instead of the process environment
   * (tests inject the environment this way).
   */
  public static void useEnvironment(CommandLine root, Map<String, String> env) {
    List<CommandLine> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      CommandLine cl = todo.remove(todo.size() - 1);
      if (cl.getCommandSpec().defaultValueProvider() instanceof ConfigDefaultProvider p) {
        p.environment(env);
      }
      todo.addAll(cl.getSubcommands().values());
    }
  }

  /** The environment of {@code command}: the process environment, or what a test injected. */
  public static Map<String, String> environment(CommandSpec command) {
    return provider(command).environment();
  }

  /** The provider of {@code command}; a command without one is a programming error. */
  static ConfigDefaultProvider provider(CommandSpec command) {
    if (command.defaultValueProvider() instanceof ConfigDefaultProvider p) {
      return p;
    }
    throw new IllegalStateException(
        "command '"
            + command.qualifiedName()
            + "' must declare @Command(defaultValueProvider = ConfigDefaultProvider.class)");
  }

  /**
   * Fails with one line (exit code 2) if the configuration of {@code command} has a problem: an
   * unreadable or malformed config file, an unknown key, a value that does not convert. Call it
   * first thing when the command runs.
   */
  public static void check(CommandSpec command) {
    List<String> problems = provider(command).problems(command);
    if (!problems.isEmpty()) {
      String more =
          problems.size() == 1
              ? ""
              : " (and " + (problems.size() - 1) + " more problem(s) after this one)";
      throw new UserException(problems.get(0) + more);
    }
  }

  /**
   * How to name the setting {@code key} of {@code command} in an error: {@code --http-port} when it
   * was given as a flag or defaulted, else its environment variable or config file entry.
   */
  public static String where(CommandSpec command, String key) {
    String option = "--" + key;
    CommandLine.ParseResult pr = command.commandLine().getParseResult();
    if (pr != null && pr.hasMatchedOption(option)) {
      return option;
    }
    return provider(command).sourceOf(key).orElse(option);
  }
}
