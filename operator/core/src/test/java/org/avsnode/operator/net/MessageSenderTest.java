package org.avsnode.operator.net;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.quorum.SignedMessage;
import org.junit.jupiter.api.Test;

/** Rejections in a row are visible to the duty (an operator every receiver turns away). */
class MessageSenderTest {
  @Test
  void consecutiveRejectionsAreCountedAndAnAcceptanceResetsThem() throws Exception {
    AtomicInteger status = new AtomicInteger(403);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v1/test",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(status.get(), -1);
          ex.close();
        });
    server.start();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      MessageSender sender =
          new MessageSender(
              List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")),
              "/v1/test",
              1,
              Duration.ofSeconds(5),
              timer,
              new NoOpMetricsSystem()
                  .counter(
                      org.avsnode.operator.metrics.StandardCategory.EIGEN_RPC,
                      "test_total",
                      "test",
                      "outcome"));
      SignedMessage<FinalityAttestation> m =
          new SignedMessage<>(
              new FinalityAttestation(1, 2, new byte[32], new byte[32], 3),
              new byte[20],
              new byte[96]);
      for (int i = 0; i < 3; i++) {
        sender.send(m).get(10, TimeUnit.SECONDS);
      }
      assertThat(sender.rejectedSinceAccepted()).isEqualTo(3);
      status.set(202);
      sender.send(m).get(10, TimeUnit.SECONDS);
      assertThat(sender.rejectedSinceAccepted()).isZero();
    } finally {
      timer.shutdownNow();
      server.stop(0);
    }
  }
}
