package org.avsnode.operator.http;

/**
 * Changes a logger's level at run time ({@code POST /admin/log-level}); the binary implements it
 * over its logging backend, the core only knows this interface.
 */
public interface LogLevelControl {
  /**
   * Sets the level of {@code logger} (empty or {@code ROOT} for the root logger).
   *
   * @throws IllegalArgumentException for an unknown level
   */
  void setLevel(String logger, String level);

  /** For nodes without a controllable backend: every call is refused. */
  LogLevelControl UNSUPPORTED =
      (logger, level) -> {
        throw new UnsupportedOperationException("the logging backend cannot change levels");
      };
}
