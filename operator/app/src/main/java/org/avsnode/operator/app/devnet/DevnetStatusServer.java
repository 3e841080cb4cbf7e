package org.avsnode.operator.app.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.avsnode.operator.http.StatusPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One status page for every operator of the devnet, on a loopback port of its own: the node's own
 * page files (from the jar), its list of nodes naming every operator, each operator's summary
 * fetched from that operator's node ({@code /node/<i>/status/api/summary}), and one merged event
 * stream, fed by one subscription to each operator's {@code /status/api/events} (a browser opens at
 * most six connections to one origin: one stream per operator would not fit). Read-only.
 */
final class DevnetStatusServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevnetStatusServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_CLIENTS = 16;
  private static final int CLIENT_QUEUE = 512;
  private static final int REPLAYED = 300;

  /** One operator as the page lists it: its API base URL while it runs, else why it does not. */
  record NodeRef(int index, String name, String apiUrl, String notRunning) {}

  private final Supplier<List<NodeRef>> nodes;
  private final HttpServer server;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "devnet-status");
            t.setDaemon(true);
            return t;
          });
  private final Set<BlockingQueue<String>> clients = ConcurrentHashMap.newKeySet();
  private final Semaphore clientSlots = new Semaphore(MAX_CLIENTS);
  private final ArrayDeque<String> replay = new ArrayDeque<>();
  private final Map<Integer, Boolean> following = new ConcurrentHashMap<>();
  private volatile boolean closed;

  DevnetStatusServer(Supplier<List<NodeRef>> nodes) throws IOException {
    this.nodes = nodes;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
    threads.execute(this::followLoop);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/status";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (!"GET".equals(ex.getRequestMethod())) {
        send(ex, 405, "application/json", "{\"error\":\"read-only: GET only\"}");
        return;
      }
      if (path.equals("/") || path.equals("/status") || path.equals("/status/")) {
        sendPage(ex, "text/html; charset=utf-8", StatusPage.resource("index.html"));
      } else if (path.equals("/status/app.js")) {
        sendPage(ex, "application/javascript; charset=utf-8", StatusPage.resource("app.js"));
      } else if (path.equals("/status/style.css")) {
        sendPage(ex, "text/css; charset=utf-8", StatusPage.resource("style.css"));
      } else if (path.equals("/status/api/nodes")) {
        send(ex, 200, "application/json", JSON.writeValueAsString(nodeList()));
      } else if (path.equals("/status/api/events")) {
        stream(ex);
      } else if (path.matches("/node/\\d{1,3}/status/api/summary")) {
        proxySummary(ex, Integer.parseInt(path.split("/")[2]));
      } else {
        send(ex, 404, "application/json", "{\"error\":\"no such page\"}");
      }
    } catch (IOException e) {
      LOG.debug("status page request: {}", e.toString());
    }
  }

  private List<Map<String, Object>> nodeList() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (NodeRef n : nodes.get()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", n.name());
      m.put("base", "/node/" + n.index());
      if (n.notRunning() != null) {
        m.put("offline", true);
        m.put("reason", n.notRunning());
      }
      out.add(m);
    }
    return out;
  }

  private void proxySummary(HttpExchange ex, int index) throws IOException {
    NodeRef n = nodes.get().stream().filter(x -> x.index() == index).findFirst().orElse(null);
    if (n == null || n.apiUrl() == null) {
      send(ex, 404, "application/json", "{\"error\":\"no running operator " + index + "\"}");
      return;
    }
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(n.apiUrl() + "/status/api/summary"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      byte[] body = r.body();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
    } catch (IOException e) {
      send(
          ex,
          502,
          "application/json",
          JSON.writeValueAsString(Map.of("error", n.name() + " does not answer: " + e)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sendPage(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY);
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(200, body.length);
    ex.getResponseBody().write(body);
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  // ---------------------------------------------------------------- the merged stream

  private void stream(HttpExchange ex) throws IOException {
    if (!clientSlots.tryAcquire()) {
      send(ex, 503, "application/json", "{\"error\":\"too many open streams\"}");
      return;
    }
    BlockingQueue<String> q = new ArrayBlockingQueue<>(CLIENT_QUEUE);
    try {
      ex.getResponseHeaders().set("Content-Type", "text/event-stream");
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      out.write(": stream open\n\n".getBytes(StandardCharsets.UTF_8));
      synchronized (replay) {
        for (String data : replay) {
          q.offer(data);
        }
        clients.add(q);
      }
      out.flush();
      while (!closed) {
        String data = q.poll(15, TimeUnit.SECONDS);
        String frame =
            data == null ? ": keep-alive\n\n" : "event: activity\ndata: " + data + "\n\n";
        out.write(frame.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      clients.remove(q);
      clientSlots.release();
    }
  }

  private void broadcast(String data) {
    synchronized (replay) {
      replay.addLast(data);
      while (replay.size() > REPLAYED) {
        replay.removeFirst();
      }
    }
    for (BlockingQueue<String> q : clients) {
      if (!q.offer(data)) {
        clients.remove(q); // a client that stopped reading: its stream ends at the next poll
      }
    }
  }

  /** Starts one follower per running operator, and again after an operator comes back. */
  private void followLoop() {
    while (!closed) {
      for (NodeRef n : nodes.get()) {
        if (n.apiUrl() != null && following.putIfAbsent(n.index(), true) == null) {
          threads.execute(() -> follow(n));
        }
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Reads one operator's event stream, tagging each event with the page's name for it. */
  private void follow(NodeRef n) {
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(URI.create(n.apiUrl() + "/status/api/events")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        Thread.sleep(1000);
        return;
      }
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        String line;
        while (!closed && (line = in.readLine()) != null) {
          if (line.startsWith("data: ")) {
            try {
              ObjectNode e = (ObjectNode) JSON.readTree(line.substring(6));
              e.put("node", n.name());
              broadcast(JSON.writeValueAsString(e));
            } catch (IOException | ClassCastException bad) {
              LOG.debug("{}: an event that is not a JSON object", n.name());
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.debug("{}: event stream: {}", n.name(), e.toString());
      sleepQuietly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      following.remove(n.index()); // the loop reconnects (the operator may restart)
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    threads.shutdownNow();
  }
}
