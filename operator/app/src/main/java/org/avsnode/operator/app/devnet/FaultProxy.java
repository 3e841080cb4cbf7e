package org.avsnode.operator.app.devnet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON-RPC fault proxy in front of one operator's L1 or L2 endpoint (the chaos devnet's). It
 * forwards HTTP/1.1 POSTs to the real anvil and, while a fault is switched on, answers the way a
 * failing or hostile provider does: late, with a 5xx, with a TCP reset (SO_LINGER 0), with bytes
 * that are not a JSON-RPC answer, or with a head frozen at what it was when the fault began. It
 * binds to loopback on a free port.
 */
final class FaultProxy implements AutoCloseable {

  /** What the proxy does to requests while a fault is on. */
  enum Fault {
    /** Every answer 300..1500 ms late. */
    LATENCY,
    /** HTTP 500, 502 or 503 without a JSON-RPC body. */
    HTTP_5XX,
    /** The connection is reset (RST) instead of answered. */
    RESET,
    /** HTTP 200 with a body that is not a valid JSON-RPC answer. */
    GARBAGE,
    /** eth_blockNumber and "latest" block reads answer what they answered when the fault began. */
    STALE_HEAD
  }

  private static final Pattern METHOD = Pattern.compile("\"method\"\\s*:\\s*\"([A-Za-z0-9_]+)\"");
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\"[^\"]*\"|[0-9]+)");
  private static final int MAX_BODY = 4 * 1024 * 1024;
  private static final String[] GARBAGE = {
    "<html><body>502 Bad Gateway</body></html>",
    "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":\"0xnothex\"}",
    "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"number\":[1,2,3]}}",
    "{\"jsonrpc\":\"2.0\",\"id\":%s,\"res",
    "\u0000\u0001\u0002 not json",
    "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":\"0xffffffffffffffffffffffffffffffffffffffff\"}"
  };

  private final String name;
  private final URI upstream;
  private final ServerSocket server;
  private final HttpClient client;
  private final ExecutorService connections;
  private final Random random;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Map<Fault, AtomicLong> affected = new EnumMap<>(Fault.class);
  private final AtomicLong forwarded = new AtomicLong();
  private final Map<String, byte[]> frozen = new ConcurrentHashMap<>();
  private volatile boolean lying;
  private final AtomicLong lies = new AtomicLong();
  private volatile Fault fault;
  private volatile long faultUntilNanos;
  private volatile boolean closed;

  FaultProxy(String name, URI upstream, long seed) throws IOException {
    this.name = name;
    this.upstream = upstream;
    this.random = new Random(seed);
    for (Fault f : Fault.values()) {
      affected.put(f, new AtomicLong());
    }
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fault-proxy-" + name);
              t.setDaemon(true);
              return t;
            });
    connections.execute(this::acceptLoop);
  }

  String name() {
    return name;
  }

  /** The URL the operator is given instead of the real endpoint. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Switches {@code f} on for {@code d}; a fault already on is replaced. */
  void inject(Fault f, Duration d) {
    frozen.clear();
    faultUntilNanos = System.nanoTime() + d.toNanos();
    fault = f;
    if (f == Fault.RESET) {
      // connections already open are reset as well, not only the ones opened from now on
      for (Socket s : open) {
        resetQuietly(s);
      }
    }
  }

  /**
   * A lying L2 node (the devnet's {@code --lying-l2}): from now on every {@code eth_getProof}
   * answer carries another {@code storageHash} than the node's, so every output root computed from
   * this endpoint is wrong, and nothing else about the answers looks amiss.
   */
  void lieAboutState() {
    lying = true;
  }

  long lies() {
    return lies.get();
  }

  private static final Pattern STORAGE_HASH =
      Pattern.compile("(\"storageHash\"\\s*:\\s*\"0x[0-9a-fA-F]{63})([0-9a-fA-F])\"");

  /** The answer with its storage hash's last digit changed. */
  static String withAlteredStorageHash(String answer) {
    Matcher m = STORAGE_HASH.matcher(answer);
    if (!m.find()) {
      return answer;
    }
    char last = m.group(2).charAt(0);
    char other = last == '0' ? '1' : '0';
    return answer.substring(0, m.start()) + m.group(1) + other + "\"" + answer.substring(m.end());
  }

  /** Requests that met each fault so far. */
  Map<Fault, Long> affected() {
    Map<Fault, Long> out = new EnumMap<>(Fault.class);
    affected.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  long forwarded() {
    return forwarded.get();
  }

  private Fault current() {
    Fault f = fault;
    if (f != null && System.nanoTime() - faultUntilNanos > 0) {
      fault = null;
      frozen.clear();
      return null;
    }
    return f;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        open.add(s);
        connections.execute(() -> serve(s));
      } catch (IOException e) {
        if (!closed) {
          sleepQuietly(50);
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(60_000);
      InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (!closed) {
        Request req = Request.read(in);
        if (req == null) {
          return;
        }
        if (!handle(s, req, out)) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away or the connection was reset on purpose
    } finally {
      open.remove(s);
    }
  }

  /** Answers one request; false when the connection is to be dropped. */
  private boolean handle(Socket s, Request req, OutputStream out) throws IOException {
    Fault f = current();
    String body = new String(req.body, StandardCharsets.UTF_8);
    if (lying && body.contains("\"eth_getProof\"")) {
      HttpResponse<byte[]> r = fetch(req);
      if (r == null) {
        write(out, 502, "text/plain", "upstream unreachable".getBytes(StandardCharsets.UTF_8));
        return true;
      }
      lies.incrementAndGet();
      write(
          out,
          r.statusCode(),
          "application/json",
          withAlteredStorageHash(new String(r.body(), StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8));
      return true;
    }
    if (f != null) {
      affected.get(f).incrementAndGet();
      switch (f) {
        case RESET -> {
          resetQuietly(s);
          return false;
        }
        case HTTP_5XX -> {
          int[] codes = {500, 502, 503};
          int code = codes[random.nextInt(codes.length)];
          write(
              out, code, "text/plain", ("upstream error " + code).getBytes(StandardCharsets.UTF_8));
          return true;
        }
        case GARBAGE -> {
          String g = GARBAGE[random.nextInt(GARBAGE.length)];
          write(
              out,
              200,
              "application/json",
              String.format(g, id(body)).getBytes(StandardCharsets.UTF_8));
          return true;
        }
        case LATENCY -> sleepQuietly(300 + random.nextInt(1200));
        case STALE_HEAD -> {
          String key = headKey(body);
          if (key != null) {
            byte[] cached = frozen.get(key);
            if (cached != null) {
              // the frozen answer under this request's id
              String again =
                  new String(cached, StandardCharsets.UTF_8)
                      .replaceFirst(ID.pattern(), "\"id\":" + Matcher.quoteReplacement(id(body)));
              write(out, 200, "application/json", again.getBytes(StandardCharsets.UTF_8));
              return true;
            }
            byte[] fresh = forward(req, out);
            if (fresh != null) {
              frozen.putIfAbsent(key, fresh);
            }
            return fresh != null;
          }
          affected.get(f).decrementAndGet(); // not a head read: passed through untouched
        }
      }
    }
    return forward(req, out) != null;
  }

  /** The cache key of a head read, or null for any other request. */
  private static String headKey(String body) {
    Matcher m = METHOD.matcher(body);
    if (!m.find()) {
      return null;
    }
    String method = m.group(1);
    if (method.equals("eth_blockNumber")) {
      return method;
    }
    if (method.equals("eth_getBlockByNumber") && body.contains("\"latest\"")) {
      return method + (body.contains("true") ? "/full" : "/hashes");
    }
    return null;
  }

  private static String id(String body) {
    Matcher m = ID.matcher(body);
    return m.find() ? m.group(1) : "1";
  }

  /** The upstream's answer, or null when it cannot be reached. */
  private HttpResponse<byte[]> fetch(Request req) {
    try {
      HttpResponse<byte[]> r =
          client.send(
              HttpRequest.newBuilder(upstream)
                  .timeout(Duration.ofSeconds(30))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(req.body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      forwarded.incrementAndGet();
      return r;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Forwards to the upstream and relays its answer; returns the body, or null on failure. */
  private byte[] forward(Request req, OutputStream out) throws IOException {
    HttpResponse<byte[]> r = fetch(req);
    if (r == null) {
      write(out, 502, "text/plain", "upstream unreachable".getBytes(StandardCharsets.UTF_8));
      return null;
    }
    write(
        out,
        r.statusCode(),
        r.headers().firstValue("Content-Type").orElse("application/json"),
        r.body());
    return r.body();
  }

  private static void write(OutputStream out, int status, String type, byte[] body)
      throws IOException {
    String head =
        "HTTP/1.1 "
            + status
            + (status == 200 ? " OK" : " Error")
            + "\r\nContent-Type: "
            + type
            + "\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static void resetQuietly(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      resetQuietly(s);
    }
    connections.shutdownNow();
  }

  /** One HTTP/1.1 request with a Content-Length body. */
  private record Request(String line, byte[] body) {
    static Request read(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null) {
        return null;
      }
      int length = 0;
      String header;
      while ((header = readLine(in)) != null && !header.isEmpty()) {
        int colon = header.indexOf(':');
        if (colon > 0) {
          String k = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
          String v = header.substring(colon + 1).trim();
          if (k.equals("content-length")) {
            length = Integer.parseInt(v);
          } else if (k.equals("transfer-encoding")) {
            throw new IOException("chunked requests are not proxied");
          }
        }
      }
      if (header == null || length < 0 || length > MAX_BODY) {
        return null;
      }
      return new Request(line, in.readNBytes(length));
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          String s = b.toString(StandardCharsets.US_ASCII);
          return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
        if (b.size() > 16 * 1024) {
          throw new IOException("header line too long");
        }
        b.write(c);
      }
      return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }
  }
}
