package org.avsnode.operator.app.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chaos devnet's fault proxy against a small JSON-RPC upstream whose head grows on every
 * request: each fault does what it says, only while it is on, and then the proxy forwards again.
 */
class FaultProxyIT {
  private HttpServer upstream;
  private FaultProxy proxy;
  private final AtomicLong head = new AtomicLong(100);
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    upstream.createContext(
        "/",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String id = body.replaceAll(".*\"id\":(\\d+).*", "$1");
          byte[] out =
              ("{\"jsonrpc\":\"2.0\",\"id\":"
                      + id
                      + ",\"result\":\"0x"
                      + Long.toHexString(head.incrementAndGet())
                      + "\"}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, out.length);
          ex.getResponseBody().write(out);
          ex.close();
        });
    upstream.start();
    proxy =
        new FaultProxy(
            "test-L1", URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/"), 1);
  }

  @AfterEach
  void stop() {
    proxy.close();
    upstream.stop(0);
  }

  private HttpResponse<String> call(String method, int id) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(proxy.url()))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"jsonrpc\":\"2.0\",\"id\":"
                        + id
                        + ",\"method\":\""
                        + method
                        + "\",\"params\":[]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardsWhenNoFaultIsOn() throws Exception {
    HttpResponse<String> r = call("eth_blockNumber", 7);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x65\"}");
    assertThat(proxy.forwarded()).isEqualTo(1);
  }

  @Test
  void http5xxAndGarbageAnswerWithoutAskingTheUpstream() throws Exception {
    proxy.inject(FaultProxy.Fault.HTTP_5XX, Duration.ofSeconds(30));
    assertThat(call("eth_blockNumber", 1).statusCode()).isBetween(500, 503);
    proxy.inject(FaultProxy.Fault.GARBAGE, Duration.ofSeconds(30));
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = call("eth_blockNumber", 2);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .doesNotMatch("\\{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x[0-9a-f]{1,16}\"\\}");
    }
    assertThat(proxy.forwarded()).isZero();
    assertThat(proxy.affected().get(FaultProxy.Fault.GARBAGE)).isEqualTo(6);
  }

  @Test
  void resetDropsTheConnection() {
    proxy.inject(FaultProxy.Fault.RESET, Duration.ofSeconds(30));
    assertThatThrownBy(() -> call("eth_blockNumber", 1)).isInstanceOf(IOException.class);
    assertThat(proxy.affected().get(FaultProxy.Fault.RESET)).isPositive();
  }

  @Test
  void staleHeadFreezesHeadReadsUnderTheCallersIdAndPassesOtherCalls() throws Exception {
    proxy.inject(FaultProxy.Fault.STALE_HEAD, Duration.ofSeconds(30));
    String first = call("eth_blockNumber", 1).body();
    assertThat(first).contains("\"result\":\"0x65\"");
    assertThat(call("eth_blockNumber", 2).body())
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x65\"}");
    // other methods reach the upstream, whose head moved on
    assertThat(call("eth_chainId", 3).body()).contains("\"result\":\"0x66\"");
  }

  @Test
  void latencyDelaysAndAFaultEndsByItself() throws Exception {
    proxy.inject(FaultProxy.Fault.LATENCY, Duration.ofMillis(1500));
    long t0 = System.nanoTime();
    assertThat(call("eth_blockNumber", 1).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    proxy.inject(FaultProxy.Fault.HTTP_5XX, Duration.ofMillis(200));
    Thread.sleep(400);
    assertThat(call("eth_blockNumber", 2).statusCode()).isEqualTo(200);
  }

  @Test
  void aLyingNodeAltersOnlyTheStorageHashOfProofs() {
    String proof =
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"address\":\"0x42\",\"storageHash\":\"0x"
            + "ab".repeat(31)
            + "a0\",\"accountProof\":[]}}";
    String lie = FaultProxy.withAlteredStorageHash(proof);
    assertThat(lie).isNotEqualTo(proof).hasSameSizeAs(proof);
    assertThat(lie).contains("\"storageHash\":\"0x" + "ab".repeat(31) + "a1\"");
    assertThat(FaultProxy.withAlteredStorageHash("{\"result\":\"0x1\"}"))
        .isEqualTo("{\"result\":\"0x1\"}");
  }
}
