package org.avsnode.operator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.metrics.PrometheusMetricsSystem;
import org.avsnode.operator.spi.EventStreamHandler.EventSink;
import org.avsnode.operator.spi.HttpStatusException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Server-sent event streams over real HTTP on a discovered loopback port. */
class EventStreamIT {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<EventSink> sinks = new CopyOnWriteArrayList<>();
  private final AtomicInteger closedSubscriptions = new AtomicInteger();
  private final CountDownLatch subscribed = new CountDownLatch(1);
  private NodeHttpServer server;

  @BeforeEach
  void start() throws Exception {
    RouteTable routes = new RouteTable();
    routes.stream(
        "/v1/events/{topic}",
        (req, sink) -> {
          if (req.pathParam("topic").equals("bad")) {
            throw HttpStatusException.badRequest("no such topic");
          }
          sinks.add(sink);
          subscribed.countDown();
          return () -> {
            sinks.remove(sink);
            closedSubscriptions.incrementAndGet();
          };
        });
    server =
        new NodeHttpServer(
            HttpServerConfig.loopback(0),
            routes,
            AdminToken.of("token-0123456789abcdef"),
            new NodeMetrics(new PrometheusMetricsSystem(false)),
            Duration.ofMillis(200));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<InputStream> open(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Reads lines until {@code count} data lines have arrived. */
  private static List<String> readData(BufferedReader r, int count) throws Exception {
    List<String> data = new ArrayList<>();
    String line;
    while (data.size() < count && (line = r.readLine()) != null) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return data;
  }

  @Test
  void eventsArriveInOrderWithKeepAlivesAndTheStreamEndsWhenTheServerStops() throws Exception {
    HttpResponse<InputStream> resp = open("/v1/events/certs");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
    assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).isEqualTo(": stream open");
    EventSink sink = sinks.get(0);
    assertThat(sink.send("certificate", "12", "{\"l2BlockNumber\":12}")).isTrue();
    assertThat(sink.send("certificate", "13", "line one\nline two")).isTrue();
    assertThat(readData(r, 3)).containsExactly("{\"l2BlockNumber\":12}", "line one", "line two");
    // idle: keep-alive comments keep flowing
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean keepAlive = false;
    String line;
    while (!keepAlive && System.nanoTime() < deadline && (line = r.readLine()) != null) {
      keepAlive = line.equals(": keep-alive");
    }
    assertThat(keepAlive).isTrue();
    server.close();
    // the response ends; the subscription is closed
    while (r.readLine() != null) {
      // drain to the end of the stream
    }
    assertThat(closedSubscriptions.get()).isEqualTo(1);
    assertThat(sink.send("certificate", "14", "{}")).isFalse();
  }

  @Test
  void aClientThatLeavesIsUnsubscribed() throws Exception {
    HttpResponse<InputStream> resp = open("/v1/events/certs");
    assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();
    resp.body().close();
    // the next keep-alive or event write fails and ends the stream
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (closedSubscriptions.get() == 0 && System.nanoTime() < deadline) {
      sinks.forEach(s -> s.send("tick", null, "x"));
      Thread.sleep(50);
    }
    assertThat(closedSubscriptions.get()).isEqualTo(1);
    assertThat(sinks).isEmpty();
  }

  @Test
  void aHandlerRefusalIsAnOrdinaryJsonError() throws Exception {
    HttpResponse<String> resp =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/events/bad")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(resp.body()).contains("no such topic");
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/events/certs"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void framesAreWellFormed() {
    assertThat(EventStreams.frame("certificate", "7", "a\r\nb"))
        .isEqualTo("event: certificate\nid: 7\ndata: a\ndata: b\n\n");
    assertThatThrownBy(() -> EventStreams.frame("bad name", null, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventStreams.frame("ok", "1\n2", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
