package org.avsnode.operator.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DutySupervisorTest {

  /** A duty whose behaviour each test sets. */
  private static final class TestDuty implements Duty {
    final String id;
    final List<String> events;
    RuntimeException failOnStart;
    int failingStarts = Integer.MAX_VALUE;
    RuntimeException failOnHealth;
    Health health = Health.up();

    TestDuty(String id, List<String> events) {
      this.id = id;
      this.events = events;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void start() {
      events.add("start " + id);
      if (failOnStart != null && failingStarts-- > 0) {
        throw failOnStart;
      }
    }

    @Override
    public void stop() {
      events.add("stop " + id);
    }

    @Override
    public Health health() {
      if (failOnHealth != null) {
        throw failOnHealth;
      }
      return health;
    }
  }

  /** A timer that runs nothing until told: the test decides when "later" is. */
  private static final class ManualTimer implements DutySupervisor.RetryTimer {
    final List<Runnable> tasks = new ArrayList<>();
    final List<Duration> delays = new ArrayList<>();
    boolean closed;

    @Override
    public void schedule(Runnable task, Duration delay) {
      if (closed) {
        throw new java.util.concurrent.RejectedExecutionException("closed");
      }
      tasks.add(task);
      delays.add(delay);
    }

    void runDue() {
      List<Runnable> due = new ArrayList<>(tasks);
      tasks.clear();
      due.forEach(Runnable::run);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static final class CountingCounter implements org.avsnode.operator.metrics.Counter {
    long n;

    @Override
    public void inc() {
      n++;
    }

    @Override
    public void inc(long amount) {
      n += amount;
    }
  }

  private static DutySupervisor supervisor(
      List<Duty> duties, ManualTimer timer, CountingCounter failures) {
    return new DutySupervisor(
        duties, timer, Duration.ofSeconds(1), Duration.ofSeconds(30), values -> failures);
  }

  @Test
  void aDutyThatFailsToStartIsDownAndTheOthersKeepRunning() {
    List<String> events = new ArrayList<>();
    TestDuty a = new TestDuty("a", events);
    TestDuty b = new TestDuty("b", events);
    b.failOnStart = new IllegalStateException("no L2 node at http://127.0.0.1:1");
    TestDuty c = new TestDuty("c", events);
    ManualTimer timer = new ManualTimer();
    try (DutySupervisor s = supervisor(List.of(a, b, c), timer, new CountingCounter())) {
      s.startAll();
      assertThat(s.health("a")).contains(Health.up());
      assertThat(s.health("b").orElseThrow().status()).isEqualTo(Health.Status.DOWN);
      assertThat(s.health("b").orElseThrow().detail()).contains("no L2 node").contains("attempt 1");
      assertThat(s.health("c")).contains(Health.up());
      assertThat(s.overall().status()).isEqualTo(Health.Status.PARTIAL);
      assertThat(s.overall().detail()).contains("b=DOWN");
    }
    // b is stopped right after its failed start (to release what it acquired), not again at close
    assertThat(events)
        .containsExactly("start a", "start b", "stop b", "start c", "stop c", "stop a");
    assertThat(timer.closed).isTrue();
  }

  @Test
  void aFailedStartIsTriedAgainWithAGrowingDelayUntilItSucceeds() {
    // the chaos soak found this: an L1 endpoint garbled for a moment while MACH read its contracts
    // at start left the duty down for the life of the process, so the operator never signed again
    List<String> events = new ArrayList<>();
    TestDuty a = new TestDuty("a", events);
    a.failOnStart = new IllegalStateException("L1: eth_chainId answer is not valid JSON-RPC");
    a.failingStarts = 3;
    ManualTimer timer = new ManualTimer();
    CountingCounter failures = new CountingCounter();
    try (DutySupervisor s = supervisor(List.of(a), timer, failures)) {
      s.startAll();
      for (int attempt = 1; attempt <= 3; attempt++) {
        Health h = s.health("a").orElseThrow();
        assertThat(h.status()).isEqualTo(Health.Status.DOWN);
        assertThat(h.detail()).contains("attempt " + attempt).contains("not valid JSON-RPC");
        assertThat(timer.tasks).hasSize(1);
        timer.runDue();
      }
      assertThat(s.health("a")).contains(Health.up());
      assertThat(timer.tasks).isEmpty();
      assertThat(timer.delays)
          .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
      assertThat(failures.n).isEqualTo(3);
    }
    assertThat(events)
        .containsExactly(
            "start a", "stop a", "start a", "stop a", "start a", "stop a", "start a", "stop a");
  }

  @Test
  void theRetryDelayIsCapped() {
    try (DutySupervisor s = supervisor(List.of(), new ManualTimer(), new CountingCounter())) {
      assertThat(s.retryDelay(1)).isEqualTo(Duration.ofSeconds(1));
      assertThat(s.retryDelay(5)).isEqualTo(Duration.ofSeconds(16));
      assertThat(s.retryDelay(6)).isEqualTo(Duration.ofSeconds(30));
      assertThat(s.retryDelay(1_000)).isEqualTo(Duration.ofSeconds(30));
    }
  }

  @Test
  void closingCancelsThePendingAttempt() {
    List<String> events = new ArrayList<>();
    TestDuty a = new TestDuty("a", events);
    a.failOnStart = new IllegalStateException("down");
    ManualTimer timer = new ManualTimer();
    DutySupervisor s = supervisor(List.of(a), timer, new CountingCounter());
    s.startAll();
    s.close();
    timer.runDue(); // an attempt that was already due when the node stopped starts nothing
    assertThat(events).containsExactly("start a", "stop a");
  }

  @Test
  void aThrowingHealthCheckIsReportedAsDown() {
    TestDuty a = new TestDuty("a", new ArrayList<>());
    a.failOnHealth = new RuntimeException("boom");
    try (DutySupervisor s = new DutySupervisor(List.of(a))) {
      s.startAll();
      assertThat(s.health("a").orElseThrow())
          .isEqualTo(Health.down("health check failed: RuntimeException: boom"));
      assertThat(s.overall().status()).isEqualTo(Health.Status.DOWN);
    }
  }

  @Test
  void overallIsUpOnlyWhenEveryDutyIsUp() {
    TestDuty a = new TestDuty("a", new ArrayList<>());
    TestDuty b = new TestDuty("b", new ArrayList<>());
    try (DutySupervisor s = new DutySupervisor(List.of(a, b))) {
      s.startAll();
      assertThat(s.overall()).isEqualTo(Health.up());
      b.health = Health.partial("lagging 3 blocks");
      assertThat(s.overall().status()).isEqualTo(Health.Status.PARTIAL);
    }
    try (DutySupervisor none = new DutySupervisor(List.of())) {
      assertThat(none.overall().status()).isEqualTo(Health.Status.DOWN);
    }
  }

  @Test
  void enablingAnUninstalledDutyIsAClearError() {
    DutyFactory f =
        new DutyFactory() {
          @Override
          public String id() {
            return "mach";
          }

          @Override
          public String description() {
            return "test";
          }

          @Override
          public Duty create(DutyContext context) {
            return new TestDuty("mach", new ArrayList<>());
          }
        };
    DutyContext ctx = new DutyContext(Map.of(), Clock.systemUTC());
    assertThatThrownBy(
            () -> DutySupervisor.create(Map.of("mach", f), Set.of("mach", "prover"), ctx))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[prover]");
    try (DutySupervisor s = DutySupervisor.create(Map.of("mach", f), Set.of("mach"), ctx)) {
      assertThat(s.ids()).containsExactly("mach");
    }
  }

  @Test
  void duplicateIdsAreRejected() {
    List<String> ev = new ArrayList<>();
    assertThatThrownBy(
            () -> new DutySupervisor(List.of(new TestDuty("a", ev), new TestDuty("a", ev))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
