package org.avsnode.vital;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.l2.L2Exception;
import org.junit.jupiter.api.Test;

/** The per-endpoint token bucket and head reuse, on a manual clock (no request leaves). */
class L2EndpointTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<String> counted = new ArrayList<>();

  private L2Endpoint endpoint(double perSecond, Duration maxWait) {
    // nothing listens on port 9: a request that passes the limiter fails fast, which is fine here
    return new L2Endpoint(
        new L2Client(URI.create("http://127.0.0.1:9"), Duration.ofMillis(200)),
        perSecond,
        maxWait,
        Duration.ofMillis(100),
        now::get,
        counted::add);
  }

  @Test
  void theBurstIsOneSecondOfRequestsThenTheyAreRefusedWithoutWaiting() {
    L2Endpoint e = endpoint(5, Duration.ZERO);
    for (int i = 0; i < 5; i++) {
      e.acquire();
    }
    assertThatThrownBy(e::acquire)
        .isInstanceOf(L2Exception.class)
        .hasMessageContaining("rate limit of 5.0 requests/s to http://127.0.0.1:9");
    // 200 ms later, one more token
    now.addAndGet(200_000_000L);
    e.acquire();
    assertThatThrownBy(e::acquire).isInstanceOf(L2Exception.class);
    // tokens never exceed the burst however long the endpoint was idle
    now.addAndGet(3_600_000_000_000L);
    for (int i = 0; i < 5; i++) {
      e.acquire();
    }
    assertThatThrownBy(e::acquire).isInstanceOf(L2Exception.class);
  }

  @Test
  void aRequestWaitsForItsTokenWithinMaxWait() {
    L2Endpoint e = endpoint(1_000, Duration.ofSeconds(1));
    // the manual clock does not move by itself: let the sleeping thread's clock advance
    for (int i = 0; i < 1_000; i++) {
      e.acquire();
    }
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(20);
              } catch (InterruptedException ignored) {
                return;
              }
              now.addAndGet(1_000_000L); // 1 ms: one token at 1000/s
            });
    t.start();
    e.acquire(); // waits until the token is there
    assertThat(now.get()).isGreaterThan(1_000_000_000L);
  }

  @Test
  void requestsAreCountedByPurposeAndAFailedRequestStillCounts() {
    L2Endpoint e = endpoint(100, Duration.ZERO);
    assertThatThrownBy(e::blockNumber).isInstanceOf(L2Exception.class);
    assertThatThrownBy(() -> e.block(5)).isInstanceOf(L2Exception.class);
    assertThat(counted).containsExactly("head", "output");
  }
}
