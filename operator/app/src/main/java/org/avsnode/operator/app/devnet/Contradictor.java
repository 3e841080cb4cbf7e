package org.avsnode.operator.app.devnet;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * The devnet's deliberately faulty VITAL node ({@code --contradict}): after its honest operator
 * signed a verdict on an output, it signs the opposite verdict on the same output and root — with
 * the raw key, bypassing the slashing protection by design, as a broken or malicious node would —
 * and sends it to every aggregator. Once.
 */
final class Contradictor {
  static final String VERDICT_PATH = "/v1/vital/verdicts";

  private final BlsSecretKey key;
  private final Eip712Domain domain;
  private final List<URI> aggregators;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean done = new AtomicBoolean();
  volatile BigInteger contradictedOutput;
  volatile byte[] contradictedRoot;

  Contradictor(BlsSecretKey key, Eip712Domain domain, List<URI> aggregators) {
    this.key = key;
    this.domain = domain;
    this.aggregators = aggregators.stream().map(u -> u.resolve(VERDICT_PATH)).toList();
  }

  /** Called with each verdict the faulty operator's node signed honestly. */
  void honestVerdict(SignedMessage<OutputVerdict> honest) {
    if (!done.compareAndSet(false, true)) {
      return;
    }
    OutputVerdict m = honest.message();
    OutputVerdict opposite =
        new OutputVerdict(
            m.rollupId(), m.outputIndex(), m.outputRoot(), !m.valid(), m.stakeEpoch());
    SignedMessage<OutputVerdict> bad =
        new SignedMessage<>(
            opposite, honest.operator(), key.sign(opposite.digest(domain)).toBytes());
    contradictedOutput = m.outputIndex();
    contradictedRoot = m.outputRoot();
    Equivocator.postToAll(http, aggregators, bad);
  }
}
