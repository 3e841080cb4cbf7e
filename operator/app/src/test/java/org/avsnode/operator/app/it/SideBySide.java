package org.avsnode.operator.app.it;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Lets failsafe run this module's integration tests in two JVMs side by side ({@code forkCount} 2)
 * while a class marked {@link RunsAlone} still has the machine to itself.
 *
 * <p>Most of these tests wait on clocks (L1 blocks, L2 blocks, slots) rather than compute, so two
 * of them share two cores well. Before a top-level test class starts, this takes a lock on the file
 * named by the system property {@code avs.it.lock}: shared for an ordinary class, exclusive for a
 * {@code @RunsAlone} one, released when the class ends. The lock is the kernel's ({@code fcntl}),
 * so it is released too when a JVM dies. Without the property (an IDE, surefire) nothing is locked.
 *
 * <p>Registered for every test class by JUnit's extension auto-detection ({@code
 * META-INF/services}); failsafe turns that on and sets the property.
 */
public final class SideBySide implements BeforeAllCallback, AfterAllCallback {
  /** The system property naming the lock file. */
  private static final String LOCK_PROPERTY = "avs.it.lock";

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(SideBySide.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    Optional<Class<?>> type = context.getTestClass();
    String file = System.getProperty(LOCK_PROPERTY);
    if (file == null || type.isEmpty() || type.get().getEnclosingClass() != null) {
      return; // no lock wanted, or a nested class inside one that holds it already
    }
    RunsAlone alone = type.get().getAnnotation(RunsAlone.class);
    FileChannel channel =
        FileChannel.open(
            Path.of(file),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    long start = System.nanoTime();
    FileLock lock;
    try {
      lock = channel.lock(0, Long.MAX_VALUE, alone == null);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    if (waitedMillis >= 1_000) {
      System.err.printf(
          "%s waited %.1f s for %s%n",
          type.get().getSimpleName(),
          waitedMillis / 1000.0,
          alone == null
              ? "a class that runs alone to end"
              : "the other JVM's class to end (it runs alone: " + alone.value() + ")");
    }
    context.getStore(NS).put(FileLock.class, new Held(channel, lock));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    Held held = context.getStore(NS).remove(FileLock.class, Held.class);
    if (held != null) {
      held.close();
    }
  }

  /** A held lock and its channel; closing releases both. */
  private record Held(FileChannel channel, FileLock lock)
      implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() throws IOException {
      try {
        if (lock.isValid()) {
          lock.release();
        }
      } finally {
        channel.close();
      }
    }
  }
}
