package org.avsnode.operator.app.devnet;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.certificate.Certificate;
import org.avsnode.mach.MachEvents;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.quorum.EquivocationEvidence;
import org.avsnode.operator.quorum.PublishedCertificate;
import org.avsnode.operator.quorum.SignedMessage;

/**
 * Collects what the devnet's operators report and prints one line per event a person cares about:
 * each certificate (first one per height, whichever aggregator made it), each on-chain submission,
 * each equivocation and slash. Thread-safe.
 */
final class Progress {
  /** A certificate as first published, with its latency. */
  record CertificateSeen(
      Certificate certificate, String aggregator, Duration sinceBlock, Duration sinceTimestamp) {}

  /** A mined submission. */
  record Submission(
      long height, String aggregator, String txHash, BigInteger gasUsed, boolean accepted) {}

  private final PrintWriter out;
  final Map<Long, CertificateSeen> firstCertificates = new ConcurrentSkipListMap<>();
  final Map<Long, Certificate> bestCertificates = new ConcurrentSkipListMap<>();
  final List<Submission> submissions = Collections.synchronizedList(new ArrayList<>());
  final List<String> evidenceTxs = Collections.synchronizedList(new ArrayList<>());
  final Set<String> equivocationsSeen = ConcurrentHashMap.newKeySet();
  final AtomicLong attestations = new AtomicLong();

  /** L2 heights the finality oracle holds (operators as processes). */
  final java.util.NavigableSet<Long> finalizedOnChain =
      new java.util.concurrent.ConcurrentSkipListSet<>();

  /** The L2 head when the operator processes started: the first height to look for. */
  volatile long firstWatchedHeight;

  /** Output indexes the verdict oracle on L1 shows invalidated / validated. */
  final java.util.Set<Long> invalidatedOnChain = java.util.concurrent.ConcurrentHashMap.newKeySet();

  final java.util.Set<Long> gamesInvalidatedOnChain =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  final java.util.Set<Long> gamesValidatedOnChain =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  final java.util.Set<Long> validatedOnChain = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * SQUAD slots committed on L1, with the committer's rank (0 the leader, 255 the escape hatch).
   */
  final Map<Long, Integer> squadSlots = new ConcurrentSkipListMap<>();

  /** Forced transactions the devnet queued on L1 (SQUAD), and how many reached an L2 block. */
  final AtomicLong forcedQueued = new AtomicLong();

  final AtomicLong forcedIncluded = new AtomicLong();

  /** From queued on L1 to seen in an L2 block, per forced transaction (millis, at 1 s polls). */
  final List<Long> forcedDelaysMillis = Collections.synchronizedList(new ArrayList<>());

  /**
   * Per slot committed by a backup: its L1 block's time minus the missed deadline (slot end +
   * grace), in whole seconds (L1 times are whole seconds).
   */
  final Map<Long, Long> squadHandoverSeconds = new ConcurrentSkipListMap<>();

  final AtomicLong refusals = new AtomicLong();
  final AtomicLong failedSubmissions = new AtomicLong();
  final AtomicLong reorgs = new AtomicLong();

  Progress(PrintWriter out) {
    this.out = out;
  }

  synchronized void println(String line) {
    out.println(line);
    out.flush();
  }

  /** The events sink of one operator. */
  /** MACH attestations not made because VITAL found an output invalid (all operators). */
  final AtomicLong vitalRefusals = new AtomicLong();

  /** Output indexes with a line printed for their first INVALID local verdict. */
  private final java.util.Set<String> invalidSeen =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** What one in-process operator's VITAL duty reports to the console. */
  /** The output oracle's rollup; VITAL lines of another rollup id are its dispute games. */
  volatile long mainRollup = -1;

  /** The devnet's validity rollup, whose outputs are commitments (-1: none). */
  volatile long zkRollup = -1;

  private String outputName(long rollupId, Object index) {
    if (rollupId == zkRollup) {
      return "zk commitment #" + index;
    }
    return (rollupId == mainRollup || mainRollup < 0 ? "output #" : "game #") + index;
  }

  org.avsnode.vital.VitalEvents vitalForOperator(DevnetOperator op) {
    return new org.avsnode.vital.VitalEvents() {
      @Override
      public void onVerdict(
          long rollupId,
          java.math.BigInteger outputIndex,
          String verdict,
          String reason,
          long millis) {
        if (!verdict.equals("VALID")
            && invalidSeen.add(rollupId + "/" + outputIndex + "/" + verdict)) {
          println(
              String.format(
                  "vital     %s: %s by %s %d ms after it was seen on L1 (%s)%s",
                  outputName(rollupId, outputIndex),
                  verdict,
                  op.name(),
                  millis,
                  reason,
                  verdict.equals("INVALID") ? "; the other operators' verdicts follow" : ""));
        }
      }

      @Override
      public void onSubmitted(
          Certificate c, String txHash, java.math.BigInteger gasUsed, boolean recorded) {
        if (!recorded) {
          return;
        }
        org.avsnode.bls.eip712.OutputVerdict v = (org.avsnode.bls.eip712.OutputVerdict) c.message();
        println(
            String.format(
                "vital     %s: verdict certificate %s (%s of %s stake) submitted by %s,"
                    + " gas %,d",
                outputName(v.rollupId(), v.outputIndex()),
                v.valid() ? "VALID" : "INVALID",
                c.signedStake().divide(java.math.BigInteger.TEN.pow(18)),
                c.totalStake().divide(java.math.BigInteger.TEN.pow(18)),
                op.name(),
                gasUsed));
      }
    };
  }

  MachEvents forOperator(DevnetOperator op) {
    return new MachEvents() {
      @Override
      public void onVitalRefusal(long rollupId, long l2BlockNumber) {
        if (vitalRefusals.incrementAndGet() == 1 || l2BlockNumber % 10 == 0) {
          println(
              String.format(
                  "mach      %s does not attest L2 #%d: VITAL found an output at or below it"
                      + " invalid (until a valid output supersedes it)",
                  op.name(), l2BlockNumber));
        }
      }

      @Override
      public void onAttested(SignedMessage<FinalityAttestation> attestation, L2Block block) {
        attestations.incrementAndGet();
        if (l2Timestamps.putIfAbsent(block.number(), block.timestamp()) == null) {
          l2Timestamps.headMap(block.number() - 1024).clear();
        }
      }

      @Override
      public void onRefused(FinalityAttestation message, String reason) {
        refusals.incrementAndGet();
        println(
            String.format(
                "refused   %s would not sign L2 #%d again with other content (%s)",
                op.name(), message.l2BlockNumber(), reason));
      }

      @Override
      public void onReorg(long rollupId, long fromHeight) {
        reorgs.incrementAndGet();
      }

      @Override
      public void onCertificate(
          PublishedCertificate pc, Duration sinceBlock, Duration sinceTimestamp) {
        Certificate c = pc.certificate();
        long h = c.finalityAttestation().l2BlockNumber();
        bestCertificates.merge(h, c, (a, b) -> signerCount(b) >= signerCount(a) ? b : a);
        if (pc.improvement()) {
          return;
        }
        CertificateSeen seen = new CertificateSeen(c, op.name(), sinceBlock, sinceTimestamp);
        if (firstCertificates.putIfAbsent(h, seen) != null) {
          return;
        }
        int n = signerCount(c);
        Duration fromTimestamp = sinceTimestamp;
        Long ts = l2Timestamps.get(h);
        if (fromTimestamp == null && ts != null) {
          // this aggregator's own L2 poll had not seen the block yet; another operator had
          fromTimestamp = Duration.between(java.time.Instant.ofEpochSecond(ts), pc.publishedAt());
        }
        println(
            String.format(
                "cert      L2 #%-6d %s  signers %d/%d  stake %s%%  latency %d ms (from L2 timestamp %s)  by %s",
                h,
                shortHex(c.finalityAttestation().l2BlockHash()),
                n,
                operatorCount,
                percent(c.signedStake(), c.totalStake()),
                sinceBlock.toMillis(),
                fromTimestamp == null ? "not known" : fromTimestamp.toMillis() + " ms",
                op.name()));
      }

      @Override
      public void onSubmitted(
          Certificate c, String txHash, BigInteger gasUsed, boolean accepted, boolean record) {
        long h = c.finalityAttestation().l2BlockNumber();
        submissions.add(new Submission(h, op.name(), txHash, gasUsed, accepted));
        println(
            String.format(
                "on-chain  L2 #%-6d %s by %s%s  tx %s  gas %,d  signers %d",
                h,
                accepted ? "finalized" : "duplicate (already final)",
                op.name(),
                record ? " (of record)" : " (after grace)",
                shortHex(txHash),
                gasUsed,
                signerCount(c)));
      }

      @Override
      public void onSubmissionFailed(Certificate c, String reason) {
        failedSubmissions.incrementAndGet();
        println(
            String.format(
                "on-chain  L2 #%-6d submission by %s failed: %s",
                c.finalityAttestation().l2BlockNumber(), op.name(), reason));
      }

      @Override
      public void onEquivocation(EquivocationEvidence<FinalityAttestation> e) {
        if (equivocationsSeen.add(
            org.avsnode.bls.Hex.toHexPrefixed(e.operator()) + "/" + e.first().l2BlockNumber())) {
          println(
              String.format(
                  "EQUIVOCATION  operator %s signed two contents for L2 #%d (seen by %s)",
                  org.avsnode.bls.Hex.toHexPrefixed(e.operator()),
                  e.first().l2BlockNumber(),
                  op.name()));
        }
      }

      @Override
      public void onInvalidOutputEvidence(
          byte[] operator,
          FinalityAttestation attestation,
          java.math.BigInteger outputIndex,
          String txHash,
          boolean slashed,
          String detail) {
        evidenceOutcome(
            operator,
            "attesting to invalidated output #"
                + outputIndex
                + " (L2 #"
                + attestation.l2BlockNumber()
                + ")",
            " (invalidated output #" + outputIndex + ") not submitted",
            op,
            txHash,
            slashed,
            detail);
      }

      @Override
      public void onEvidenceSubmitted(
          EquivocationEvidence<FinalityAttestation> e,
          String txHash,
          boolean slashed,
          String detail) {
        evidenceOutcome(
            e.operator(),
            "L2 #" + e.first().l2BlockNumber(),
            " not submitted again",
            op,
            txHash,
            slashed,
            detail);
      }
    };
  }

  /** One line for an evidence submission's outcome: slashed (with its tx), or why not. */
  private void evidenceOutcome(
      byte[] operator,
      String offence,
      String notSubmitted,
      DevnetOperator by,
      String txHash,
      boolean slashed,
      String detail) {
    String who = org.avsnode.bls.Hex.toHexPrefixed(operator);
    if (slashed) {
      evidenceTxs.add(txHash);
      println(
          String.format(
              "SLASHED   operator %s for %s: evidence submitted by %s in tx %s",
              who, offence, by.name(), shortHex(txHash)));
    } else {
      println(
          String.format("evidence  against %s%s by %s: %s", who, notSubmitted, by.name(), detail));
    }
  }

  static int signerCount(Certificate c) {
    return org.avsnode.certificate.SignerBitmap.count(c.signers());
  }

  /** L2 block timestamps (seconds) from the operators' attestations, by block number. */
  private final java.util.concurrent.ConcurrentSkipListMap<Long, Long> l2Timestamps =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  /** The operator set's size, for the "signers n/N" column. */
  volatile int operatorCount;

  static String percent(BigInteger part, BigInteger whole) {
    if (whole.signum() == 0) {
      return "0.0";
    }
    return new BigDecimal(part)
        .multiply(BigDecimal.valueOf(100))
        .divide(new BigDecimal(whole), 1, RoundingMode.HALF_UP)
        .toPlainString();
  }

  static String shortHex(byte[] b) {
    return shortHex(org.avsnode.bls.Hex.toHexPrefixed(b));
  }

  static String shortHex(String h) {
    return h == null || h.length() < 12 ? String.valueOf(h) : h.substring(0, 10) + "…";
  }

  /** Latency percentile (0..100) over the first certificates, in ms; -1 when none. */
  long percentileMillis(double p) {
    List<Long> l = new ArrayList<>();
    for (CertificateSeen s : firstCertificates.values()) {
      l.add(s.sinceBlock().toMillis());
    }
    if (l.isEmpty()) {
      return -1;
    }
    Collections.sort(l);
    int i = (int) Math.ceil(p / 100.0 * l.size()) - 1;
    return l.get(Math.max(0, Math.min(l.size() - 1, i)));
  }
}
