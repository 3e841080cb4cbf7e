package org.avsnode.operator.app.devnet;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.mach.MachDuty;
import org.avsnode.operator.net.SignedMessageJson;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * The devnet's deliberately faulty node (--equivocate): after its honest operator attested to a
 * block at the chosen height, it signs a second attestation for the same height with another output
 * root — with the raw key, bypassing the slashing protection by design, as a broken or malicious
 * node would — and sends it to every aggregator. Once.
 */
final class Equivocator {
  private final BlsSecretKey key;
  private final Eip712Domain domain;
  private final List<URI> aggregators;
  private final long afterBlocks;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile long firstHeight = -1;
  volatile long equivocatedAt = -1;

  Equivocator(BlsSecretKey key, Eip712Domain domain, List<URI> aggregators, long afterBlocks) {
    this.key = key;
    this.domain = domain;
    this.aggregators = aggregators.stream().map(u -> u.resolve(MachDuty.ATTESTATION_PATH)).toList();
    this.afterBlocks = afterBlocks;
  }

  /** Called with each honest attestation of the faulty operator. */
  void honestAttestation(SignedMessage<FinalityAttestation> honest) {
    FinalityAttestation m = honest.message();
    if (firstHeight < 0) {
      firstHeight = m.l2BlockNumber();
    }
    if (m.l2BlockNumber() < firstHeight + afterBlocks || !done.compareAndSet(false, true)) {
      return;
    }
    byte[] otherRoot = m.outputRoot();
    otherRoot[31] ^= 0x01;
    FinalityAttestation conflicting =
        new FinalityAttestation(
            m.rollupId(), m.l2BlockNumber(), m.l2BlockHash(), otherRoot, m.stakeEpoch());
    SignedMessage<FinalityAttestation> bad =
        new SignedMessage<>(
            conflicting, honest.operator(), key.sign(conflicting.digest(domain)).toBytes());
    equivocatedAt = m.l2BlockNumber();
    Equivocator.postToAll(http, aggregators, bad);
  }

  /**
   * How often a faulty message is offered to an aggregator that answers 503 or cannot be reached.
   */
  static final int POST_ATTEMPTS = 20;

  /**
   * Sends a faulty node's message to every aggregator, without waiting for the answers. An
   * aggregator that answers 503 (a state of its own: it has not seen the output on L1 yet, its L1
   * view is an epoch behind, it is starting) or cannot be reached is offered the message again 500
   * ms later, up to {@link #POST_ATTEMPTS} times, as an honest node's sender would; any other
   * answer ends it.
   */
  static void postToAll(HttpClient http, List<URI> targets, SignedMessage<?> message) {
    byte[] body = SignedMessageJson.encode(message);
    for (URI u : targets) {
      post(http, u, body, POST_ATTEMPTS);
    }
  }

  private static void post(HttpClient http, URI target, byte[] body, int attemptsLeft) {
    http.sendAsync(
            HttpRequest.newBuilder(target)
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              boolean again = error != null || response.statusCode() == 503;
              if (again && attemptsLeft > 1) {
                CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)
                    .execute(() -> post(http, target, body, attemptsLeft - 1));
              }
            });
  }
}
