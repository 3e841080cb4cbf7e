package org.avsnode.operator.spi;

/**
 * A pluggable unit of work the node performs for rollups (MACH, VITAL, SQUAD, ...). The node starts
 * every enabled duty once, asks it for its health while it runs and stops it on shutdown. A duty
 * that throws does not take the others down: its health then reports the failure.
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

  /** Stops the duty's work and releases its resources. Called once, also after a failed start. */
  void stop() throws Exception;

  /** The duty's own view of its health; only called between a successful start and stop. */
  Health health();
}
