package org.avsnode.squad.l2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The L2 node's lock between nodes: another process (a real JVM) holding the lock file keeps this
 * one out until it lets go or dies by SIGKILL; nodes of one process take turns, with and without a
 * lock file.
 */
class L2LockIT {
  private static final URI L2 = URI.create("http://127.0.0.1:1/");

  /** A second process: takes the lock, says so, and holds it until its input closes. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      L2Lock lock = new L2Lock(L2, Optional.of(Path.of(args[0])), Duration.ofSeconds(10));
      lock.holding(
          () -> {
            System.out.println("held");
            System.out.flush();
            while (System.in.read() >= 0) {
              // until the parent closes the pipe (or kills this process)
            }
            return null;
          });
      System.out.println("released");
      System.out.flush();
    }
  }

  private static Process holder(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Holder.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("the holder's first line").isEqualTo("held");
    return p;
  }

  @Test
  void anotherProcessHoldingTheFileKeepsThisOneOutUntilItIsKilled(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("l2.lock");
    Process p = holder(file);
    try {
      L2Lock brief = new L2Lock(L2, Optional.of(file), Duration.ofMillis(300));
      AtomicInteger ran = new AtomicInteger();
      assertThatThrownBy(() -> brief.holding(ran::incrementAndGet))
          .isInstanceOf(L2RpcException.class)
          .hasMessageContaining("another process held the L2 lock file");
      assertThat(ran).hasValue(0);

      L2Lock patient = new L2Lock(L2, Optional.of(file), Duration.ofSeconds(20));
      CompletableFuture<Long> acquiredAt = new CompletableFuture<>();
      Thread waiter =
          new Thread(
              () -> {
                try {
                  patient.holding(() -> acquiredAt.complete(System.nanoTime()));
                } catch (Exception e) {
                  acquiredAt.completeExceptionally(e);
                }
              });
      waiter.start();
      Thread.sleep(500);
      assertThat(acquiredAt).as("taken while the other process holds it").isNotDone();
      long killedAt = System.nanoTime();
      p.destroyForcibly(); // SIGKILL: the holder runs nothing more; the OS releases its lock
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(acquiredAt.get(10, TimeUnit.SECONDS)).isGreaterThan(killedAt);
      waiter.join(5_000);
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(p.isAlive()).isFalse();
  }

  @Test
  void theFileIsFreeAgainOnceTheHolderLetsGo(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/l2.lock");
    Process p = holder(file);
    try {
      p.getOutputStream().close(); // the holder returns from its step
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("released");
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      L2Lock lock = new L2Lock(L2, Optional.of(file), Duration.ofMillis(300));
      assertThat(lock.holding(() -> "mine")).isEqualTo("mine");
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void nodesOfOneProcessTakeTurnsWithAndWithoutAFile(@TempDir Path dir) throws Exception {
    for (Optional<Path> file :
        List.of(Optional.<Path>empty(), Optional.of(dir.resolve("l2.lock")))) {
      URI endpoint = URI.create("http://127.0.0.1:" + (file.isPresent() ? 2 : 3) + "/");
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      AtomicInteger steps = new AtomicInteger();
      int nodes = 4;
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(nodes);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
          // one lock object per node, as each SquadDuty makes its own
          L2Lock lock = new L2Lock(endpoint, file, Duration.ofSeconds(20));
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < 50; i++) {
                      lock.holding(
                          () -> {
                            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                            steps.incrementAndGet();
                            inside.decrementAndGet();
                            return null;
                          });
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(steps).as("steps run, " + file).hasValue(nodes * 50);
      assertThat(most).as("steps at once, " + file).hasValue(1);
    }
  }
}
