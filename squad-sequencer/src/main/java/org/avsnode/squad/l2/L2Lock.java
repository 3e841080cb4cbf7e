package org.avsnode.squad.l2;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes a sequencer's writes to its L2 node (dropping uncommitted blocks; submitting a slot's
 * transactions and mining its block) one step among every node that shares that L2 node. An
 * operator normally has an L2 node of its own and needs nothing of this; the devnet and the tests
 * run several operators on one L2 node. Nodes of one process are serialized by a lock per endpoint
 * (or per lock file); nodes in separate processes on one machine by an advisory lock on a shared
 * file ({@code squad.l2-lock-file}), which the operating system releases when its holder dies, a
 * SIGKILL included.
 */
public final class L2Lock {
  private static final Map<Object, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  /** One step on the L2 node while the lock is held. */
  @FunctionalInterface
  public interface Step<T> {
    T run() throws L2RpcException, IOException;
  }

  private final ReentrantLock local;
  private final Optional<Path> file;
  private final Duration wait;

  /**
   * @param endpoint the L2 node
   * @param file the lock file shared with other processes using the same L2 node, if any
   * @param wait the longest wait for the lock before a step fails
   */
  public L2Lock(URI endpoint, Optional<Path> file, Duration wait) {
    Objects.requireNonNull(endpoint, "endpoint");
    this.file = file.map(p -> p.toAbsolutePath().normalize());
    this.wait = Objects.requireNonNull(wait, "wait");
    Object key = this.file.<Object>map(p -> p).orElse(endpoint);
    this.local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
  }

  /**
   * Runs {@code step} holding the lock.
   *
   * @throws L2RpcException when the lock is not had within the wait (another node holds it), or the
   *     lock file cannot be opened
   */
  public <T> T holding(Step<T> step) throws L2RpcException, IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      if (!local.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new L2RpcException(
            "another node of this process held the L2 node's lock for over "
                + wait.toMillis()
                + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new L2RpcException("interrupted waiting for the L2 node's lock");
    }
    try {
      if (file.isEmpty()) {
        return step.run();
      }
      try (FileChannel channel = open(file.get());
          FileLock held = acquire(channel, deadline)) {
        return step.run();
      }
    } finally {
      local.unlock();
    }
  }

  private static FileChannel open(Path path) throws L2RpcException {
    try {
      Path parent = path.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new L2RpcException("cannot open the L2 lock file " + path + ": " + e.getMessage());
    }
  }

  private FileLock acquire(FileChannel channel, long deadline) throws IOException, L2RpcException {
    while (true) {
      FileLock l = channel.tryLock();
      if (l != null) {
        return l;
      }
      if (System.nanoTime() > deadline) {
        throw new L2RpcException(
            "another process held the L2 lock file "
                + file.orElseThrow()
                + " for over "
                + wait.toMillis()
                + " ms");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new L2RpcException("interrupted waiting for the L2 lock file");
      }
    }
  }
}
