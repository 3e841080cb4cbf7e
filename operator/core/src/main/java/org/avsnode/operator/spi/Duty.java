package org.avsnode.operator.spi;

/**
 * A pluggable unit of work the node performs for rollups (MACH, VITAL, SQUAD, ...). The node starts
 * every enabled duty, asks it for its health while it runs and stops it on shutdown. A duty that
 * throws does not take the others down: its health then reports the failure. A failed start is
 * followed by {@link #stop()} and, after a delay, by another {@link #start()} on the same object: a
 * start must therefore begin from a clean state, and should do its reads that can fail (L1, L2)
 * before it installs routes or starts threads.
 */
public interface Duty {

  /**
   * Stable identifier, lower case, e.g. {@code mach}. Used in configuration, metrics and the API.
   */
  String id();

  /**
   * Starts the duty's work. Must return promptly: long-running work belongs on the duty's threads.
   */
  void start() throws Exception;

  /**
   * Stops the duty's work and releases its resources. Called at shutdown after a successful start,
   * and after each failed start (before the next attempt); it must cope with a start that stopped
   * half way.
   */
  void stop() throws Exception;

  /** The duty's own view of its health; only called between a successful start and stop. */
  Health health();
}
