package org.avsnode.squad;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.avsnode.operator.chain.TxReceipt;
import org.avsnode.operator.chain.TxRequest;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.Labelled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits one kind of SQUAD evidence to the slashing coordinator, once per offence and node: after
 * a delay that staggers the nodes (500 ms per operator index), and only if nobody has used the same
 * evidence yet, so every node that saw the offence does not slash it again. Outcomes are counted as
 * {@code seen}, {@code slashed}, {@code already_used}, {@code reverted} or {@code failed}; the
 * status page shows {@code seen} and this node's submission when it slashed or reverted.
 */
final class SlashingEvidence {
  private static final Logger LOG = LoggerFactory.getLogger(SlashingEvidence.class);

  /** One offence's evidence. */
  interface Offence {
    /** Whether the coordinator already used this evidence. */
    boolean alreadyUsed() throws IOException;

    /** The coordinator's call data. */
    String callData();
  }

  private final String what;
  private final Labelled<Counter> outcomes;
  private final Set<String> tried = ConcurrentHashMap.newKeySet();

  /**
   * @param what the offence's name in logs, e.g. {@code broken preconfirmation}
   */
  SlashingEvidence(String what, Labelled<Counter> outcomes) {
    this.what = what;
    this.outcomes = outcomes;
  }

  /** Schedules the submission of {@code offence} (identified by {@code key}) once. */
  void submitOnce(SquadDuty.Running r, String key, Offence offence) {
    if (!tried.add(key)) {
      return;
    }
    outcomes.labels("seen").inc();
    r.publish("evidence", what, "seen", null, key, "alert");
    long delay = 500L * Math.floorMod(r.selfIndex, 8);
    r.scheduler.schedule(() -> submit(r, key, offence), delay, TimeUnit.MILLISECONDS);
  }

  private void submit(SquadDuty.Running r, String key, Offence offence) {
    try {
      if (offence.alreadyUsed()) {
        outcomes.labels("already_used").inc();
        return;
      }
      TxReceipt t =
          r.sender.sendAndWait(
              TxRequest.call(r.contracts.coordinatorAddress(), offence.callData()));
      outcomes.labels(t.success() ? "slashed" : "reverted").inc();
      r.publish(
          "evidence",
          what,
          t.success() ? "slashed" : "reverted",
          null,
          key + " in " + t.transactionHash(),
          t.success() ? "alert" : "warn");
      LOG.warn(
          "squad: evidence of the {} {} {} in {}",
          what,
          key,
          t.success() ? "slashed the operator" : "reverted",
          t.transactionHash());
    } catch (IOException | RuntimeException e) {
      // e.g. another node's evidence landed first, so the gas estimate reverts
      outcomes.labels("failed").inc();
      LOG.info("squad: {} evidence {} not submitted: {}", what, key, e.getMessage());
    }
  }
}
