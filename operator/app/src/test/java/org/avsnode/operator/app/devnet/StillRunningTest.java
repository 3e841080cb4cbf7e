package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chaos run's "processes left" check asks the handles it kept, so a pid that the kernel gave to
 * another process after the devnet's process ended is not reported (the 30-minute run of 2026-12-04
 * failed on exactly that: a build on the same machine reused an operator's pid).
 */
class StillRunningTest {

  @Test
  void aLiveChildIsReportedUntilItEnds() throws Exception {
    Process p = new ProcessBuilder("sleep", "30").start();
    try {
      assertThat(Devnet.stillRunning(List.of(p.toHandle()))).containsExactly(p.pid());
    } finally {
      p.destroyForcibly();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Devnet.stillRunning(List.of(p.toHandle()))).isEmpty();
  }

  @Test
  void anEndedProcessWhosePidWasReusedIsNotReported() {
    // an ended process whose pid now belongs to a live one (this JVM)
    long reused = ProcessHandle.current().pid();
    assertThat(ProcessHandle.of(reused).map(ProcessHandle::isAlive)).contains(true);
    assertThat(Devnet.stillRunning(List.of(new Ended(reused)))).isEmpty();
  }

  /** A handle of a process that has ended. */
  private record Ended(long pid) implements ProcessHandle {
    @Override
    public Optional<ProcessHandle> parent() {
      return Optional.empty();
    }

    @Override
    public Stream<ProcessHandle> children() {
      return Stream.empty();
    }

    @Override
    public Stream<ProcessHandle> descendants() {
      return Stream.empty();
    }

    @Override
    public Info info() {
      return ProcessHandle.current().info();
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
      return CompletableFuture.completedFuture(this);
    }

    @Override
    public boolean supportsNormalTermination() {
      return true;
    }

    @Override
    public boolean destroy() {
      return false;
    }

    @Override
    public boolean destroyForcibly() {
      return false;
    }

    @Override
    public boolean isAlive() {
      return false;
    }

    @Override
    public int compareTo(ProcessHandle other) {
      return Long.compare(pid, other.pid());
    }
  }
}
