package org.avsnode.operator.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
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
      if (failOnStart != null) {
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

  @Test
  void aDutyThatFailsToStartIsDownAndTheOthersKeepRunning() {
    List<String> events = new ArrayList<>();
    TestDuty a = new TestDuty("a", events);
    TestDuty b = new TestDuty("b", events);
    b.failOnStart = new IllegalStateException("no L2 node at http://127.0.0.1:1");
    TestDuty c = new TestDuty("c", events);
    try (DutySupervisor s = new DutySupervisor(List.of(a, b, c))) {
      s.startAll();
      assertThat(s.health("a")).contains(Health.up());
      assertThat(s.health("b").orElseThrow().status()).isEqualTo(Health.Status.DOWN);
      assertThat(s.health("b").orElseThrow().detail()).contains("no L2 node");
      assertThat(s.health("c")).contains(Health.up());
      assertThat(s.overall().status()).isEqualTo(Health.Status.PARTIAL);
      assertThat(s.overall().detail()).contains("b=DOWN");
    }
    assertThat(events)
        .containsExactly("start a", "start b", "start c", "stop c", "stop b", "stop a");
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
