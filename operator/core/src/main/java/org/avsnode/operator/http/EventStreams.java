package org.avsnode.operator.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.spi.EventStreamHandler;
import org.avsnode.operator.spi.RouteRequest;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent event streams: one pump thread per connected client (bounded), a bounded queue per
 * client, a keep-alive comment when idle. A client that stops reading is dropped once its queue is
 * full, so a slow client never slows the duty that publishes.
 */
final class EventStreams implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);
  private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final Semaphore slots;
  private final int queueCapacity;
  private final Duration keepAlive;
  private final NodeMetrics metrics;
  private final Set<Client> clients = ConcurrentHashMap.newKeySet();
  private final ExecutorService pumps;
  private volatile boolean closed;

  EventStreams(int maxClients, int queueCapacity, Duration keepAlive, NodeMetrics metrics) {
    this.slots = new Semaphore(maxClients);
    this.queueCapacity = queueCapacity;
    this.keepAlive = keepAlive;
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.pumps =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "http-stream-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Why a stream could not start; the caller answers with this status and reason. */
  record Refusal(int status, String reason) {}

  /**
   * Opens the stream for one client: asks the handler to subscribe, then answers 200 with {@code
   * text/event-stream} and pumps events on a thread of its own until the client leaves or the
   * server stops. Returns a refusal (nothing written yet) when the server is at its client limit.
   *
   * @throws Exception what the handler threw when subscribing (a client error or a bug)
   */
  Refusal open(
      EventStreamHandler handler, RouteRequest request, Response response, Callback callback)
      throws Exception {
    if (closed) {
      return new Refusal(503, "the server is stopping");
    }
    if (!slots.tryAcquire()) {
      metrics.httpRejected("too_many_streams");
      return new Refusal(503, "too many open streams; try again later");
    }
    Client client = new Client(queueCapacity);
    AutoCloseable subscription;
    try {
      subscription = handler.open(request, client);
    } catch (Exception | LinkageError e) {
      slots.release();
      throw e;
    }
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Accel-Buffering", "no");
    clients.add(client);
    try {
      pumps.execute(() -> pump(client, subscription, response, callback));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      finish(client, subscription);
      callback.succeeded();
    }
    return null;
  }

  private void pump(
      Client client, AutoCloseable subscription, Response response, Callback callback) {
    Throwable failure = null;
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      write(out, ": stream open\n\n");
      while (!closed && !client.gone) {
        String frame = client.queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
        if (closed) {
          break;
        }
        write(out, frame != null ? frame : ": keep-alive\n\n");
      }
      if (client.gone) {
        metrics.httpRejected("slow_stream_client");
      }
    } catch (InterruptedException e) {
      // the server is stopping: end the response normally
    } catch (IOException | RuntimeException e) {
      failure = e; // the client went away
    } finally {
      finish(client, subscription);
    }
    if (failure == null) {
      callback.succeeded();
    } else {
      callback.failed(failure);
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void finish(Client client, AutoCloseable subscription) {
    client.gone = true;
    clients.remove(client);
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.warn("closing an event subscription failed: {}", e.toString());
    }
    slots.release();
  }

  /** Number of clients currently connected. */
  int openStreams() {
    return clients.size();
  }

  /** Ends every stream (each client sees its response end) and stops the pump threads. */
  @Override
  public void close() {
    closed = true;
    pumps.shutdownNow();
    try {
      if (!pumps.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("{} event streams did not end in time", clients.size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One connected client: the handler's sink. */
  static final class Client implements EventStreamHandler.EventSink {
    final BlockingQueue<String> queue;
    volatile boolean gone;

    Client(int capacity) {
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public boolean send(String event, String id, String data) {
      if (gone) {
        return false;
      }
      if (!queue.offer(frame(event, id, data))) {
        gone = true; // too far behind: the pump ends the stream
        return false;
      }
      return true;
    }
  }

  /** One SSE frame: {@code event:}, optional {@code id:}, one {@code data:} line per line. */
  static String frame(String event, String id, String data) {
    if (event == null || !EVENT_NAME.matcher(event).matches()) {
      throw new IllegalArgumentException("bad event name '" + event + "'");
    }
    if (id != null && (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0)) {
      throw new IllegalArgumentException("an event id is one line");
    }
    StringBuilder b = new StringBuilder("event: ").append(event).append('\n');
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    for (String line : (data == null ? "" : data).split("\r\n|\r|\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    return b.append('\n').toString();
  }
}
