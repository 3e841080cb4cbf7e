package org.avsnode.mach;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@code SequencerInbox} commits a rollup's blocks, if SQUAD sequences it. The slashing
 * coordinator holds one inbox per SQUAD-sequenced rollup ({@code sequencerInboxOf}, set once by the
 * deployer: SQUAD's breach evidence is judged against it), so a node that runs MACH without the
 * squad duty learns from L1 alone that it must wait for commitments; {@code sequencer-inboxes} in
 * the configuration is used where the coordinator names none.
 *
 * <p>An inbox the coordinator names is kept for good (it cannot change). Its absence is asked again
 * whenever the L1 head moves, because the registration may come after this node started. A read
 * that fails throws, and the follower then attests nothing at that poll.
 */
final class SequencerInboxes {

  /** The coordinator's {@code sequencerInboxOf(rollupId)}; empty for the zero address. */
  @FunctionalInterface
  interface Registered {
    Optional<String> inboxOf(long rollupId);
  }

  private static final Logger LOG = LoggerFactory.getLogger(SequencerInboxes.class);

  private final Map<Long, String> configured;
  private final Registered registered;
  private final LongSupplier l1Head;
  private final Map<Long, String> found = new ConcurrentHashMap<>();
  // rollup -> the L1 head at which the coordinator last had no inbox for it
  private final Map<Long, Long> noneAt = new ConcurrentHashMap<>();

  /**
   * @param configured rollup id → inbox from {@code sequencer-inboxes}
   * @param registered the coordinator's registrations, read from L1
   * @param l1Head the L1 head as this node sees it
   */
  SequencerInboxes(Map<Long, String> configured, Registered registered, LongSupplier l1Head) {
    this.configured = Map.copyOf(configured);
    this.registered = Objects.requireNonNull(registered, "registered");
    this.l1Head = Objects.requireNonNull(l1Head, "l1Head");
  }

  /**
   * The inbox of {@code rollupId}: the coordinator's, else the configured one; empty when neither
   * names one (the rollup is not sequenced by SQUAD, as far as this node can tell).
   *
   * @throws RuntimeException when L1 cannot be read
   */
  Optional<String> of(long rollupId) {
    String known = found.get(rollupId);
    if (known != null) {
      return Optional.of(known);
    }
    long head = l1Head.getAsLong();
    Long none = noneAt.get(rollupId);
    if (none == null || none != head) {
      Optional<String> onChain = registered.inboxOf(rollupId);
      if (onChain.isPresent()) {
        String inbox = onChain.get();
        String mine = configured.get(rollupId);
        if (mine != null && !mine.equalsIgnoreCase(inbox)) {
          LOG.warn(
              "mach: sequencer-inboxes names {} for rollup {}, but the slashing coordinator"
                  + " holds {}: following the coordinator's",
              mine,
              rollupId,
              inbox);
        }
        if (found.putIfAbsent(rollupId, inbox) == null) {
          LOG.info(
              "mach: rollup {} is sequenced by SQUAD (inbox {}, registered with the slashing"
                  + " coordinator): its blocks are attested once a commitment names them",
              rollupId,
              inbox);
        }
        return Optional.of(inbox);
      }
      noneAt.put(rollupId, head);
    }
    return Optional.ofNullable(configured.get(rollupId));
  }
}
