package org.avsnode.operator.net;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.quorum.SignedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs signed duty messages ({@link SignedMessageJson}) to a fixed set of operators' node APIs:
 * the aggregators (MACH's attestations, VITAL's verdicts) or every operator of the set (a
 * broadcast, e.g. SQUAD's preconfirmation gossip). Transport failures and 5xx answers are retried a
 * bounded number of times with a growing delay; a 4xx answer (the receiver rejected the message,
 * e.g. as a duplicate) is final. Nothing blocks the caller. What a receiver trusts is the BLS
 * signature, checked against the registry's key of the named operator, not the connection.
 */
public final class MessageSender {
  private static final Logger LOG = LoggerFactory.getLogger(MessageSender.class);

  private final List<URI> targets;
  private final HttpClient http;
  private final ScheduledExecutorService retryTimer;
  private final int maxAttempts;
  private final Duration timeout;
  private final Labelled<Counter> outcomes;
  private final java.util.concurrent.atomic.AtomicLong rejectedSinceAccepted =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param baseUrls base URLs of the receivers' node APIs
   * @param path the receiving route, e.g. {@code /v1/mach/attestations}
   * @param outcomes counter with one label: {@code accepted}, {@code rejected}, {@code failed}
   */
  public MessageSender(
      List<URI> baseUrls,
      String path,
      int maxAttempts,
      Duration timeout,
      ScheduledExecutorService retryTimer,
      Labelled<Counter> outcomes) {
    this.targets = baseUrls.stream().map(u -> u.resolve(path)).toList();
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.retryTimer = Objects.requireNonNull(retryTimer, "retryTimer");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * How many answers in a row were rejections (4xx) since the last acceptance: a receiver that
   * turns every message of this operator away (not registered, wrong key) shows here.
   */
  public long rejectedSinceAccepted() {
    return rejectedSinceAccepted.get();
  }

  public List<URI> targets() {
    return targets;
  }

  /** Sends to every target; completes when every target answered or gave up. */
  public CompletableFuture<Void> send(SignedMessage<?> a) {
    byte[] body = SignedMessageJson.encode(a);
    CompletableFuture<?>[] all = new CompletableFuture<?>[targets.size()];
    for (int i = 0; i < all.length; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      attempt(targets.get(i), body, 1, done, a);
      all[i] = done;
    }
    return CompletableFuture.allOf(all);
  }

  private void attempt(
      URI target, byte[] body, int n, CompletableFuture<Void> done, SignedMessage<?> a) {
    HttpRequest req =
        HttpRequest.newBuilder(target)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (resp, err) -> {
              boolean retry;
              if (err != null) {
                retry = true;
              } else if (resp.statusCode() / 100 == 2) {
                outcomes.labels("accepted").inc();
                rejectedSinceAccepted.set(0);
                done.complete(null);
                return;
              } else if (resp.statusCode() >= 500 || resp.statusCode() == 429) {
                retry = true;
              } else {
                outcomes.labels("rejected").inc();
                rejectedSinceAccepted.incrementAndGet();
                LOG.debug("{} rejected {}: {}", target, a, resp.body());
                done.complete(null);
                return;
              }
              if (retry && n < maxAttempts) {
                long delay = 100L << Math.min(n - 1, 5);
                try {
                  retryTimer.schedule(
                      () -> attempt(target, body, n + 1, done, a), delay, TimeUnit.MILLISECONDS);
                  return;
                } catch (RuntimeException e) {
                  // timer shut down: give up
                }
              }
              outcomes.labels("failed").inc();
              LOG.debug(
                  "giving up sending {} to {} after {} attempts: {}",
                  a,
                  target,
                  n,
                  err != null ? err.toString() : "HTTP " + resp.statusCode());
              done.complete(null);
            });
  }
}
