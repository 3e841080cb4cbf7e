package org.avsnode.operator.app.devnet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.avsnode.bls.eip712.OutputVerdict;
import org.avsnode.certificate.Certificate;
import org.avsnode.vital.VitalEvents;

/**
 * VITAL's timings on the devnet, for the benchmark: for every output the proposer posted, when its
 * transaction was mined (the proposer's receipt) and in which L1 block, each in-process operator's
 * local verdict (wall time, and the node's own discovery-to-verdict time), the first verdict
 * certificate an aggregator made, and the verdict oracle's record (wall time and L1 block). At the
 * end it writes {@code vital-bench.json} and {@code vital-bench.md} (percentiles, RPC requests per
 * output from the operators' metrics, gas) into the data directory. Only the output oracle's rollup
 * is timed (the same proposals as dispute games are another rollup id, not counted here). Operator
 * processes cannot be tapped: with {@code --operator-processes} only the proposal and the L1 record
 * are timed.
 */
final class VitalBench {

  record Posted(long index, long l1Block, long atMillis, boolean bad) {}

  record Recorded(boolean valid, String txHash, long atMillis, BigInteger gasUsed) {}

  private final Clock clock;

  /** Only this rollup's outputs are timed (the output oracle's; its games are another id). */
  private volatile long timedRollup = -1;

  private final Map<Long, Posted> posted = new ConcurrentHashMap<>();
  private final Map<Long, List<long[]>> verdicts = new ConcurrentHashMap<>();
  private final Map<Long, Long> certificates = new ConcurrentHashMap<>();
  private final Map<Long, Recorded> recorded = new ConcurrentHashMap<>();

  VitalBench(Clock clock) {
    this.clock = clock;
  }

  void rollup(long id) {
    timedRollup = id;
  }

  private boolean timed(long rollup) {
    return rollup == timedRollup;
  }

  void posted(long index, long l1Block, boolean bad) {
    posted.put(index, new Posted(index, l1Block, clock.millis(), bad));
  }

  /** The events of one operator, teed into {@code console}. */
  VitalEvents tap(VitalEvents console) {
    return new VitalEvents() {
      @Override
      public void onProposal(long rollupId, BigInteger outputIndex, long l2Block, byte[] root) {
        console.onProposal(rollupId, outputIndex, l2Block, root);
      }

      @Override
      public void onRetracted(long rollupId, BigInteger outputIndex, byte[] root) {
        console.onRetracted(rollupId, outputIndex, root);
      }

      @Override
      public void onVerdict(
          long rollupId, BigInteger outputIndex, String verdict, String reason, long millis) {
        if (!verdict.equals("ABSTAIN") && timed(rollupId)) {
          verdicts
              .computeIfAbsent(
                  outputIndex.longValueExact(),
                  k -> Collections.synchronizedList(new ArrayList<>()))
              .add(new long[] {clock.millis(), millis});
        }
        console.onVerdict(rollupId, outputIndex, verdict, reason, millis);
      }

      @Override
      public void onSigned(org.avsnode.operator.quorum.SignedMessage<OutputVerdict> verdict) {
        console.onSigned(verdict);
      }

      @Override
      public void onCertificate(Certificate c) {
        OutputVerdict v = (OutputVerdict) c.message();
        if (timed(v.rollupId())) {
          certificates.merge(v.outputIndex().longValueExact(), clock.millis(), Math::min);
        }
        console.onCertificate(c);
      }

      @Override
      public void onSubmitted(
          Certificate c, String txHash, BigInteger gasUsed, boolean wasRecorded) {
        OutputVerdict v = (OutputVerdict) c.message();
        if (wasRecorded && timed(v.rollupId())) {
          recorded.putIfAbsent(
              v.outputIndex().longValueExact(),
              new Recorded(v.valid(), txHash, clock.millis(), gasUsed));
        }
        console.onSubmitted(c, txHash, gasUsed, wasRecorded);
      }
    };
  }

  /**
   * Writes the report.
   *
   * @param blockOf the L1 block a transaction was mined in (-1 when unknown)
   * @param requests per operator: its metrics' l2 head / l2 output / l1 requests and checked
   *     outputs
   */
  Map<String, Object> write(
      Path dir, Function<String, Long> blockOf, Map<String, long[]> requests, String command)
      throws IOException {
    List<Long> discoveryToVerdict = new ArrayList<>();
    List<Long> minedToVerdict = new ArrayList<>();
    List<Long> minedToCertificate = new ArrayList<>();
    List<Long> minedToInvalidation = new ArrayList<>();
    List<Long> minedToValidation = new ArrayList<>();
    List<Long> blocksToInvalidation = new ArrayList<>();
    List<Long> blocksToValidation = new ArrayList<>();
    List<Long> gasInvalid = new ArrayList<>();
    List<Long> gasValid = new ArrayList<>();
    int decided = 0;
    for (Posted p : posted.values()) {
      List<long[]> vs = verdicts.getOrDefault(p.index(), List.of());
      synchronized (vs) {
        for (long[] v : vs) {
          minedToVerdict.add(v[0] - p.atMillis());
          discoveryToVerdict.add(v[1]);
        }
      }
      Long c = certificates.get(p.index());
      if (c != null) {
        minedToCertificate.add(c - p.atMillis());
      }
      Recorded r = recorded.get(p.index());
      if (r == null) {
        continue;
      }
      decided++;
      long block = blockOf.apply(r.txHash());
      if (r.valid()) {
        minedToValidation.add(r.atMillis() - p.atMillis());
        gasValid.add(r.gasUsed().longValueExact());
        if (block >= 0) {
          blocksToValidation.add(block - p.l1Block());
        }
      } else {
        minedToInvalidation.add(r.atMillis() - p.atMillis());
        gasInvalid.add(r.gasUsed().longValueExact());
        if (block >= 0) {
          blocksToInvalidation.add(block - p.l1Block());
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("command", command);
    out.put("outputsPosted", posted.size());
    out.put("outputsBad", posted.values().stream().filter(Posted::bad).count());
    out.put("outputsDecidedOnL1", decided);
    out.put("discoveryToLocalVerdictMillis", Chaos.percentiles(discoveryToVerdict));
    out.put("minedToLocalVerdictMillis", Chaos.percentiles(minedToVerdict));
    out.put("minedToCertificateMillis", Chaos.percentiles(minedToCertificate));
    out.put("minedToInvalidationOnL1Millis", Chaos.percentiles(minedToInvalidation));
    out.put("minedToValidationOnL1Millis", Chaos.percentiles(minedToValidation));
    out.put("l1BlocksToInvalidation", Chaos.percentiles(blocksToInvalidation));
    out.put("l1BlocksToValidation", Chaos.percentiles(blocksToValidation));
    out.put("gasInvalidation", Chaos.percentiles(gasInvalid));
    out.put("gasValidation", Chaos.percentiles(gasValid));
    Map<String, Object> perOperator = new LinkedHashMap<>();
    long head = 0;
    long output = 0;
    long l1 = 0;
    long checked = 0;
    for (Map.Entry<String, long[]> e : requests.entrySet()) {
      long[] r = e.getValue();
      perOperator.put(
          e.getKey(), Map.of("l2Head", r[0], "l2Output", r[1], "l1", r[2], "outputsChecked", r[3]));
      head += r[0];
      output += r[1];
      l1 += r[2];
      checked += r[3];
    }
    out.put("requests", perOperator);
    out.put("l2OutputRequestsPerCheckedOutput", checked == 0 ? null : (double) output / checked);
    out.put("l2HeadRequestsPerCheckedOutput", checked == 0 ? null : (double) head / checked);
    out.put("l1RequestsPerCheckedOutput", checked == 0 ? null : (double) l1 / checked);
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("vital-bench.json"),
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    Files.writeString(dir.resolve("vital-bench.md"), markdown(out));
    return out;
  }

  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> r) {
    StringBuilder sb = new StringBuilder();
    sb.append("Generated by `")
        .append(r.get("command"))
        .append("` (`vital-bench.md` in its data directory).\n\n");
    sb.append(
        String.format(
            "%s outputs posted (%s with a wrong root), %s decided on L1 by a verdict"
                + " certificate.%n%n",
            r.get("outputsPosted"), r.get("outputsBad"), r.get("outputsDecidedOnL1")));
    sb.append("| from → to | n | p50 | p99 | max |\n| --- | --- | --- | --- | --- |\n");
    row(sb, "L1 log seen by the node → its local verdict (ms)", r, "discoveryToLocalVerdictMillis");
    row(sb, "proposal mined → local verdict, every operator (ms)", r, "minedToLocalVerdictMillis");
    row(sb, "proposal mined → first verdict certificate (ms)", r, "minedToCertificateMillis");
    row(
        sb,
        "proposal mined → invalidation recorded on L1 (ms)",
        r,
        "minedToInvalidationOnL1Millis");
    row(sb, "proposal mined → validation recorded on L1 (ms)", r, "minedToValidationOnL1Millis");
    row(sb, "proposal's L1 block → invalidation's L1 block (blocks)", r, "l1BlocksToInvalidation");
    row(sb, "proposal's L1 block → validation's L1 block (blocks)", r, "l1BlocksToValidation");
    row(sb, "gas of an invalidation (submitVerdictCertificate)", r, "gasInvalidation");
    row(sb, "gas of a validation (submitVerdictCertificate)", r, "gasValidation");
    sb.append(
        String.format(
            "%nRequests per checked output, all operators: L2 %s for the output (block and"
                + " proof), L2 %s for the head (polling, shared by the rollups on an endpoint),"
                + " L1 %s (the log polling, shared by all outputs, not included).%n",
            fmt(r.get("l2OutputRequestsPerCheckedOutput")),
            fmt(r.get("l2HeadRequestsPerCheckedOutput")),
            fmt(r.get("l1RequestsPerCheckedOutput"))));
    return sb.toString();
  }

  @SuppressWarnings("unchecked")
  private static void row(StringBuilder sb, String label, Map<String, Object> r, String key) {
    Map<String, Long> p = (Map<String, Long>) r.get(key);
    if (p == null || p.isEmpty()) {
      sb.append("| ").append(label).append(" | 0 | – | – | – |\n");
      return;
    }
    sb.append(
        String.format(
            "| %s | %d | %,d | %,d | %,d |%n",
            label, p.get("n"), p.get("p50"), p.get("p99"), p.get("max")));
  }

  private static String fmt(Object d) {
    return d == null ? "–" : String.format("%.2f", (Double) d);
  }
}
