package org.avsnode.operator.app;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Connects a long-running command to JVM shutdown (Ctrl-C, SIGTERM): the shutdown hook asks the
 * command to stop and then waits, up to a grace period, until the command says it has stopped, so
 * every process and database it opened is closed before the JVM exits. {@link #close()} marks the
 * command stopped and removes the hook.
 */
public final class ShutdownLatch implements AutoCloseable {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread hook;

  private ShutdownLatch(String name, Duration grace) {
    this.hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name);
  }

  /** Installs the shutdown hook. */
  public static ShutdownLatch install(String name, Duration grace) {
    ShutdownLatch latch = new ShutdownLatch(name, grace);
    Runtime.getRuntime().addShutdownHook(latch.hook);
    return latch;
  }

  /** Asks the command to stop (also what the shutdown hook does). */
  public void requestStop() {
    stop.countDown();
  }

  /** Blocks until a stop is requested. */
  public void awaitStop() throws InterruptedException {
    stop.await();
  }

  /** Blocks until a stop is requested or {@code max} passes. */
  public void awaitStop(Duration max) throws InterruptedException {
    stop.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The command has stopped: releases a waiting shutdown hook and removes it. */
  @Override
  public void close() {
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook has run or is running
    }
  }
}
