package org.avsnode.operator.config;

/**
 * A node configuration value that is missing or out of range. {@link #key()} names the setting (its
 * long option name without dashes, e.g. {@code http-port}) so the command line can say where the
 * bad value came from (flag, environment variable or config file).
 */
public class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public InvalidConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The setting at fault, e.g. {@code http-port}. */
  public String key() {
    return key;
  }
}
