package org.avsnode.operator.app.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real headless Chromium (Debian's {@code chromium}) driven over the Chrome DevTools Protocol:
 * navigate, evaluate an expression in the page, take a screenshot. Every process it starts is
 * stopped by {@link #close()}, which reports any that survived.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final List<ProcessHandle> started = new CopyOnWriteArrayList<>();
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /** JavaScript exceptions and console/log errors the page produced. */
  public final List<String> pageErrors = new CopyOnWriteArrayList<>();

  /** The browser binary on PATH, if any. */
  public static Path binary() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path p = Paths.get(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        "no chromium on PATH: apt-get install chromium (.ci/run installs it when missing)");
  }

  public HeadlessChromium(Path profileDir) throws Exception {
    List<String> cmd =
        List.of(
            binary().toString(),
            "--headless=new",
            "--no-sandbox", // runs as root in CI
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--window-size=1400,1000",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--user-data-dir=" + profileDir,
            "about:blank");
    process = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    started.add(process.toHandle());
    String browserWs = null;
    BufferedReader err =
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    StringBuilder seen = new StringBuilder();
    while (browserWs == null && System.nanoTime() < deadline) {
      String line = err.readLine();
      if (line == null) {
        break;
      }
      seen.append(line).append('\n');
      Matcher m = DEVTOOLS.matcher(line);
      if (m.find()) {
        browserWs = m.group(1);
      }
    }
    if (browserWs == null) {
      close();
      throw new IllegalStateException("chromium did not start its DevTools endpoint:\n" + seen);
    }
    // keep draining stderr so the browser never blocks on it
    Thread drain =
        new Thread(
            () -> {
              try {
                while (err.readLine() != null) {
                  // discarded
                }
              } catch (IOException e) {
                // the browser stopped
              }
            },
            "chromium-stderr");
    drain.setDaemon(true);
    drain.start();
    process.descendants().forEach(started::add);

    URI ws = URI.create(browserWs);
    HttpClient http = HttpClient.newHttpClient();
    String list =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String pageWs = null;
    for (JsonNode t : JSON.readTree(list)) {
      if ("page".equals(t.path("type").asText())) {
        pageWs = t.path("webSocketDebuggerUrl").asText();
        break;
      }
    }
    if (pageWs == null) {
      close();
      throw new IllegalStateException("chromium has no page target: " + list);
    }
    socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(pageWs), new Listener())
            .get(10, TimeUnit.SECONDS);
    call("Runtime.enable", Map.of());
    call("Log.enable", Map.of());
    call("Page.enable", Map.of());
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          received(JSON.readTree(text));
        } catch (IOException e) {
          pageErrors.add("unreadable DevTools message: " + e.getMessage());
        }
      }
      ws.request(1);
      return null;
    }
  }

  private void received(JsonNode msg) {
    if (msg.has("id")) {
      CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asInt());
      if (f != null) {
        f.complete(msg);
      }
      return;
    }
    String method = msg.path("method").asText();
    JsonNode params = msg.path("params");
    if (method.equals("Runtime.exceptionThrown")) {
      pageErrors.add("exception: " + params.path("exceptionDetails").toString());
    } else if (method.equals("Log.entryAdded")
        && "error".equals(params.path("entry").path("level").asText())) {
      String text = params.path("entry").path("text").asText();
      String url = params.path("entry").path("url").asText();
      if (!url.endsWith("/favicon.ico")) {
        pageErrors.add("log: " + text + " " + url);
      }
    } else if (method.equals("Runtime.consoleAPICalled")
        && "error".equals(params.path("type").asText())) {
      pageErrors.add("console.error: " + params.path("args").toString());
    }
  }

  /** Sends one DevTools command and waits for its answer; an error answer throws. */
  public JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", JSON.valueToTree(params));
    socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    JsonNode answer = f.get(30, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + ": " + answer.get("error"));
    }
    return answer.path("result");
  }

  /** Opens {@code url} and waits until its document has loaded. */
  public void navigate(String url) throws Exception {
    call("Page.navigate", Map.of("url", url));
    waitUntil(
        "document loaded",
        Duration.ofSeconds(20),
        () -> "complete".equals(evalQuietly("document.readyState")));
  }

  /** Evaluates a JavaScript expression in the page; returns its value as JSON. */
  public JsonNode eval(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException(expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  private String evalQuietly(String expression) {
    try {
      return eval(expression).asText();
    } catch (Exception e) {
      return null;
    }
  }

  /** Polls {@code condition} every 250 ms; throws, naming {@code what}, after {@code timeout}. */
  public static void waitUntil(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  /** Saves a PNG screenshot of the whole page. */
  public void screenshot(Path file) throws Exception {
    JsonNode r =
        call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(r.path("data").asText()));
  }

  /**
   * Asserts that a closed browser had processes ({@link #processes()}, read before closing) and
   * that none of them is alive.
   */
  public static void assertStopped(List<ProcessHandle> seen) {
    org.assertj.core.api.Assertions.assertThat(seen).as("chromium processes seen").isNotEmpty();
    org.assertj.core.api.Assertions.assertThat(seen)
        .as("chromium processes after close")
        .noneMatch(ProcessHandle::isAlive);
  }

  /** The browser's processes seen so far (the main one and its helpers). */
  public List<ProcessHandle> processes() {
    process.descendants().filter(h -> !started.contains(h)).forEach(started::add);
    return List.copyOf(started);
  }

  /** Stops the browser and every helper process; returns those still alive after 10 s (none). */
  @Override
  public void close() {
    List<ProcessHandle> all = new ArrayList<>(processes());
    try {
      if (socket != null) {
        socket.abort();
      }
    } catch (RuntimeException e) {
      // closing anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        Stream.concat(Stream.of(process.toHandle()), process.descendants())
            .forEach(ProcessHandle::destroyForcibly);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    all.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (all.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
