package org.avsnode.squad;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.SlotAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.avsnode.operator.quorum.Aggregator;
import org.avsnode.operator.quorum.AggregatorConfig;
import org.avsnode.operator.quorum.AggregatorListener;
import org.avsnode.operator.quorum.EpochAggregators;
import org.avsnode.operator.quorum.EquivocationEvidence;
import org.avsnode.operator.quorum.IntakeEndpoint;
import org.avsnode.operator.quorum.IntakeResult;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.RejectReason;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.registry.RegistryReader;
import org.avsnode.operator.spi.HttpStatusException;
import org.avsnode.operator.spi.RouteRequest;
import org.avsnode.operator.spi.RouteResponse;
import org.avsnode.operator.time.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot certificates: every node aggregates the {@code SlotAttestation}s its peers send (one
 * shared {@link Aggregator} per stake epoch, the same as MACH's and VITAL's) into a certificate
 * (the DESIGN.md §5 envelope) once operators holding the registry's threshold of the stake have
 * attested the block committed for a slot. An attestation is taken only for a slot this node has
 * seen committed on L1, and only for the block committed there, so what a sender can make it hold
 * is bounded by real commitments.
 */
final class SlotCertificates implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SlotCertificates.class);

  /** Where peers post their attestations. */
  static final String PATH = "/squad/v1/attestations";

  /** Where a slot's certificate is served. */
  static final String CERTIFICATE_PATH = "/squad/v1/certificates/{slot}";

  private static final int KEEP = 4096;

  /** The block committed on L1 for a slot, as this node's follower saw it; null if not (yet). */
  interface Committed {
    byte[] blockHashOf(long slot);
  }

  private final long rollupId;
  private final Committed committed;
  private final EpochAggregators<SlotAttestation> epochs;
  private final Eip712Domain domain;
  private final int thresholdBps;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Labelled<Counter> intake;
  private final Counter made;
  private final Map<Long, Certificate> certificates = SquadDuty.boundedMap(KEEP);
  private volatile boolean closed;

  SlotCertificates(
      long rollupId,
      Committed committed,
      RegistryReader registry,
      Eip712Domain domain,
      Clock clock,
      ScheduledExecutorService scheduler,
      Labelled<Counter> intake,
      Counter made) {
    this.rollupId = rollupId;
    this.committed = committed;
    this.domain = domain;
    this.clock = clock;
    this.scheduler = scheduler;
    this.intake = intake;
    this.made = made;
    this.thresholdBps = registry.thresholdBps();
    this.epochs =
        new EpochAggregators<>(
            registry::currentEpoch,
            registry.maxEpochAge(),
            registry::operatorSetAt,
            3,
            this::newAggregator);
  }

  RouteResponse handleIntake(RouteRequest req) {
    return IntakeEndpoint.handle(req, SlotAttestation.class, this::submit, intake);
  }

  /** {@code GET /squad/v1/certificates/{slot}}: the slot's certificate, 404 if none. */
  RouteResponse handleCertificate(RouteRequest req) {
    long slot;
    try {
      slot = Long.parseLong(req.pathParam("slot"));
      if (slot < 0) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw HttpStatusException.badRequest("slot must be a non-negative integer");
    }
    Certificate c = certificates.get(slot);
    if (c == null) {
      throw HttpStatusException.notFound("no certificate for slot " + slot);
    }
    return new RouteResponse(
        200, RouteResponse.APPLICATION_JSON, c.toJson().getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** Admits an attestation (this node's own, or a peer's); never throws for input. */
  IntakeResult submit(SignedMessage<SlotAttestation> a) {
    if (closed) {
      return IntakeResult.rejected(RejectReason.CLOSED, "the sequencer is stopped");
    }
    SlotAttestation m = a.message();
    if (m.rollupId() != rollupId) {
      return IntakeResult.rejected(
          RejectReason.OUT_OF_WINDOW, "rollup " + m.rollupId() + " is not sequenced here");
    }
    byte[] block = committed.blockHashOf(m.slot());
    if (block == null) {
      // not seen on L1 by this node yet: the sender retries (503)
      return IntakeResult.rejected(
          RejectReason.CLOSED, "slot " + m.slot() + " is not known committed here yet");
    }
    if (!Arrays.equals(block, m.blockHash())) {
      return IntakeResult.rejected(
          RejectReason.OUT_OF_WINDOW,
          "the attestation names another block than the one committed for slot " + m.slot());
    }
    return epochs.submit(a, m.stakeEpoch());
  }

  /** The certificate made for {@code slot}, or null. */
  Certificate certificate(long slot) {
    return certificates.get(slot);
  }

  private Aggregator<SlotAttestation> newAggregator(long epoch, OperatorSetSnapshot snapshot) {
    return new Aggregator<>(
        snapshot,
        domain,
        AggregatorConfig.defaults().withThresholdBps(thresholdBps),
        new AggregatorListener<>() {
          @Override
          public void onCertificate(PublishedCertificate pc) {
            Certificate c = pc.certificate();
            SlotAttestation s = (SlotAttestation) c.message();
            certificates.put(s.slot(), c);
            if (!pc.improvement()) {
              made.inc();
              LOG.info(
                  "squad: slot {} certified: block {}, {} of {} stake",
                  s.slot(),
                  SquadDuty.short32(s.blockHash()),
                  c.signedStake(),
                  c.totalStake());
            }
          }

          @Override
          public void onEquivocation(EquivocationEvidence<SlotAttestation> e) {
            // two attestations of one slot naming different blocks: not a slashable offence
            // (DESIGN.md §4), and an honest node never signs it (slashing protection)
            LOG.warn("squad: conflicting slot attestations: {}", e);
          }
        },
        clock,
        Scheduler.of(scheduler),
        Runnable::run);
  }

  @Override
  public void close() {
    closed = true;
    epochs.close();
  }
}
