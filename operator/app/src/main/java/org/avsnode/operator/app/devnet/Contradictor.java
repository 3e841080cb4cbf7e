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
 * and sends it to every aggregator. Once. And once the quorum has invalidated an output on L1, it
 * sends MACH's aggregators a {@code FinalityAttestation} vouching for exactly that output (the
 * posted root at its L2 block): MACH's second offence.
 */
final class Contradictor {
  static final String VERDICT_PATH = "/v1/vital/verdicts";

  private final BlsSecretKey key;
  private final Eip712Domain domain;
  private final List<URI> aggregators;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final AtomicBoolean done = new AtomicBoolean();
  private final List<URI> machAggregators;
  private final AtomicBoolean attested = new AtomicBoolean();
  private volatile byte[] operator;
  volatile BigInteger attestedInvalidOutput;
  volatile BigInteger contradictedOutput;
  volatile byte[] contradictedRoot;

  Contradictor(BlsSecretKey key, Eip712Domain domain, List<URI> aggregators) {
    this.key = key;
    this.domain = domain;
    this.aggregators = aggregators.stream().map(u -> u.resolve(VERDICT_PATH)).toList();
    this.machAggregators =
        aggregators.stream()
            .map(u -> u.resolve(org.avsnode.mach.MachDuty.ATTESTATION_PATH))
            .toList();
  }

  /**
   * Signs a FinalityAttestation to the invalidated output {@code index} (its L2 block and the root
   * the proposer posted) and offers it to MACH's aggregators now and whenever {@code later} runs
   * the task it is given: an aggregator takes it as evidence once its node has read the
   * invalidation from L1. Once per run.
   */
  void attestToInvalidated(
      BigInteger index,
      long rollupId,
      long l2Block,
      byte[] l2BlockHash,
      byte[] postedRoot,
      long stakeEpoch,
      java.util.function.Consumer<Runnable> later) {
    byte[] from = operator;
    if (from == null || !attested.compareAndSet(false, true)) {
      return;
    }
    org.avsnode.bls.eip712.FinalityAttestation m =
        new org.avsnode.bls.eip712.FinalityAttestation(
            rollupId, l2Block, l2BlockHash, postedRoot, stakeEpoch);
    SignedMessage<org.avsnode.bls.eip712.FinalityAttestation> bad =
        new SignedMessage<>(m, from, key.sign(m.digest(domain)).toBytes());
    attestedInvalidOutput = index;
    // offered a few times: an aggregator takes it as evidence of this offence only once its own
    // node has read the invalidation from L1 (before that, it may see it as a MACH equivocation:
    // this operator attested that block honestly too, and that is an offence as well)
    Runnable post = () -> Equivocator.postToAll(http, machAggregators, bad);
    post.run();
    later.accept(post);
  }

  /** Called with each verdict the faulty operator's node signed honestly. */
  void honestVerdict(SignedMessage<OutputVerdict> honest) {
    operator = honest.operator();
    if (!done.compareAndSet(false, true)) {
      return;
    }
    operator = honest.operator();
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
