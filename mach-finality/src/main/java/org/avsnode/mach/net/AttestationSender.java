package org.avsnode.mach.net;

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
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.quorum.SignedMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs signed attestations to every configured aggregator. Transport failures and 5xx answers are
 * retried a bounded number of times with a growing delay; a 4xx answer (the aggregator rejected the
 * attestation, e.g. as a duplicate) is final. Nothing blocks the caller.
 */
public final class AttestationSender {
  private static final Logger LOG = LoggerFactory.getLogger(AttestationSender.class);
  public static final String PATH = "/v1/mach/attestations";

  private final List<URI> aggregators;
  private final HttpClient http;
  private final ScheduledExecutorService retryTimer;
  private final int maxAttempts;
  private final Duration timeout;
  private final Labelled<Counter> outcomes;

  /**
   * @param aggregatorBaseUrls base URLs of the aggregators' node APIs
   * @param outcomes counter with one label: {@code accepted}, {@code rejected}, {@code failed}
   */
  public AttestationSender(
      List<URI> aggregatorBaseUrls,
      int maxAttempts,
      Duration timeout,
      ScheduledExecutorService retryTimer,
      Labelled<Counter> outcomes) {
    this.aggregators = aggregatorBaseUrls.stream().map(u -> u.resolve(PATH)).toList();
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.retryTimer = Objects.requireNonNull(retryTimer, "retryTimer");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public List<URI> targets() {
    return aggregators;
  }

  /** Sends to every aggregator; completes when every target answered or gave up. */
  public CompletableFuture<Void> send(SignedMessage<FinalityAttestation> a) {
    byte[] body = AttestationJson.encode(a);
    CompletableFuture<?>[] all = new CompletableFuture<?>[aggregators.size()];
    for (int i = 0; i < all.length; i++) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      attempt(aggregators.get(i), body, 1, done, a);
      all[i] = done;
    }
    return CompletableFuture.allOf(all);
  }

  private void attempt(
      URI target,
      byte[] body,
      int n,
      CompletableFuture<Void> done,
      SignedMessage<FinalityAttestation> a) {
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
                done.complete(null);
                return;
              } else if (resp.statusCode() >= 500 || resp.statusCode() == 429) {
                retry = true;
              } else {
                outcomes.labels("rejected").inc();
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
