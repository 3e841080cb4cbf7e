package org.avsnode.mach;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.bls.eip712.FinalityAttestation;
import org.avsnode.operator.l2.L2Block;
import org.avsnode.operator.l2.L2Client;
import org.avsnode.operator.metrics.Counter;
import org.avsnode.operator.metrics.SignerMetrics;
import org.avsnode.operator.net.MessageSender;
import org.avsnode.operator.node.ScopedSigner;
import org.avsnode.operator.quorum.SignedMessage;
import org.avsnode.operator.slashing.EmbeddedSlashingProtection;
import org.avsnode.operator.slashing.ProtectedSigner;
import org.avsnode.operator.slashing.SigningListener;
import org.avsnode.operator.spi.DutySigner;
import org.avsnode.operator.spi.OutputVerdicts;
import org.avsnode.toolchain.AnvilProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.http.HttpService;

/**
 * Follows a real L2 (anvil) through a reorg: every block is attested once; after the reorg the
 * replaced heights are refused by the slashing protection (counted, no crash) — also after a
 * restart with the same database.
 */
class RollupFollowerIT {

  @Test
  void reorgedHeightsKeepTheirFirstSignature(@TempDir Path dir) throws Exception {
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(42069).start()) {
      HttpService http = new HttpService(anvil.rpcUrl());
      rpc(http, "anvil_mine", List.of("0x5"));
      Eip712Domain domain = Eip712Domain.avsNode(31337, new byte[20]);
      BlsSecretKey key = BlsSecretKey.random(new SecureRandom());
      List<SignedMessage<FinalityAttestation>> signed = new CopyOnWriteArrayList<>();
      List<FinalityAttestation> refused = new CopyOnWriteArrayList<>();
      Map<String, Long> counts = new ConcurrentHashMap<>();
      MachEvents events =
          new MachEvents() {
            @Override
            public void onAttested(SignedMessage<FinalityAttestation> a, L2Block block) {
              signed.add(a);
            }

            @Override
            public void onRefused(FinalityAttestation m, String reason) {
              refused.add(m);
            }
          };
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try {
        try (EmbeddedSlashingProtection db =
            EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain))) {
          RollupFollower f = follower(anvil, key, db, domain, events, timer, counts);
          f.poll();
          assertThat(signed).hasSize(1); // starts at the head: block 5
          rpc(http, "anvil_mine", List.of("0x2"));
          f.poll();
          assertThat(signed)
              .extracting(a -> a.message().l2BlockNumber())
              .containsExactly(5L, 6L, 7L);
          // replace blocks 6 and 7 with other blocks
          rpc(http, "anvil_rollback", List.of(2));
          rpc(http, "evm_setNextBlockTimestamp", List.of(System.currentTimeMillis() / 1000 + 100));
          rpc(http, "anvil_mine", List.of("0x3"));
          f.poll();
          assertThat(refused).extracting(FinalityAttestation::l2BlockNumber).contains(6L, 7L);
          assertThat(signed)
              .extracting(a -> a.message().l2BlockNumber())
              .containsExactly(5L, 6L, 7L, 8L);
          assertThat(counts.get("refused_double_sign")).isEqualTo(2L);
        }
        // a restarted follower on the same database still refuses the other content at 8
        refused.clear();
        try (EmbeddedSlashingProtection db =
            EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain))) {
          RollupFollower f = follower(anvil, key, db, domain, events, timer, counts);
          rpc(http, "anvil_rollback", List.of(1));
          rpc(http, "evm_setNextBlockTimestamp", List.of(System.currentTimeMillis() / 1000 + 200));
          rpc(http, "anvil_mine", List.of("0x1"));
          f.poll();
          assertThat(refused).extracting(FinalityAttestation::l2BlockNumber).containsExactly(8L);
        }
      } finally {
        timer.shutdownNow();
      }
    }
  }

  /**
   * MACH consults VITAL: from the first block whose covering output VITAL found invalid, nothing is
   * attested (counted, shown by the follower) until a valid output supersedes it.
   */
  @Test
  void noAttestationAtOrBeyondAnOutputVitalFoundInvalid(@TempDir Path dir) throws Exception {
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(42069).start()) {
      HttpService http = new HttpService(anvil.rpcUrl());
      rpc(http, "anvil_mine", List.of("0x5"));
      Eip712Domain domain = Eip712Domain.avsNode(31337, new byte[20]);
      List<Long> signed = new CopyOnWriteArrayList<>();
      List<Long> vitalRefused = new CopyOnWriteArrayList<>();
      Map<String, Long> counts = new ConcurrentHashMap<>();
      MachEvents events =
          new MachEvents() {
            @Override
            public void onAttested(SignedMessage<FinalityAttestation> a, L2Block block) {
              signed.add(a.message().l2BlockNumber());
            }

            @Override
            public void onVitalRefusal(long rollupId, long l2BlockNumber) {
              vitalRefused.add(l2BlockNumber);
            }
          };
      // VITAL's view: the output at block 6 is invalid; a valid one at block 9 supersedes it
      java.util.concurrent.atomic.AtomicLong validFrom =
          new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
      OutputVerdicts vital =
          (rollup, block) ->
              block >= validFrom.get()
                  ? OutputVerdicts.Verdict.VALID
                  : block >= 6 ? OutputVerdicts.Verdict.INVALID : OutputVerdicts.Verdict.VALID;
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try (EmbeddedSlashingProtection db =
          EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain))) {
        RollupFollower f =
            follower(
                anvil,
                BlsSecretKey.random(new SecureRandom()),
                db,
                domain,
                events,
                timer,
                counts,
                () -> Optional.of(vital));
        f.poll();
        rpc(http, "anvil_mine", List.of("0x3"));
        f.poll();
        assertThat(signed).containsExactly(5L);
        assertThat(vitalRefused).containsExactly(6L, 7L, 8L);
        assertThat(counts.get("refused_vital_invalid")).isEqualTo(3L);
        assertThat(f.vitalRefusal()).hasValueSatisfying(r -> assertThat(r).contains("block 8"));
        validFrom.set(9);
        rpc(http, "anvil_mine", List.of("0x2"));
        f.poll();
        assertThat(signed).containsExactly(5L, 9L, 10L);
        assertThat(f.vitalRefusal()).isEmpty();
      } finally {
        timer.shutdownNow();
      }
    }
  }

  /**
   * A rollup the node's sequencing duty sequences: a block is attested only once a commitment
   * naming it has the configured L1 confirmations; a block replaced before its commitment landed is
   * never signed, and its replacement is; a rollup the duty does not sequence is attested at once.
   */
  @Test
  void aSequencedBlockIsAttestedOnlyOnceItsCommitmentIsConfirmed(@TempDir Path dir)
      throws Exception {
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(42069).start()) {
      HttpService http = new HttpService(anvil.rpcUrl());
      rpc(http, "anvil_mine", List.of("0x5"));
      Eip712Domain domain = Eip712Domain.avsNode(31337, new byte[20]);
      Map<Long, String> signed = new ConcurrentHashMap<>();
      List<Long> refused = new CopyOnWriteArrayList<>();
      MachEvents events =
          new MachEvents() {
            @Override
            public void onAttested(SignedMessage<FinalityAttestation> a, L2Block block) {
              signed.put(
                  a.message().l2BlockNumber(),
                  org.web3j.utils.Numeric.toHexString(a.message().l2BlockHash()));
            }

            @Override
            public void onRefused(FinalityAttestation m, String reason) {
              refused.add(m.l2BlockNumber());
            }
          };
      // the sequencing duty's view: confirmations of the commitment naming each block hash
      Map<String, Integer> confirmed = new ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicLong sequencedRollup =
          new java.util.concurrent.atomic.AtomicLong(42);
      RollupFollower.Commitments squad =
          (rollupId, number, hash, confirmations) ->
              rollupId != sequencedRollup.get()
                  ? Optional.empty()
                  : Optional.of(
                      confirmed.getOrDefault(org.web3j.utils.Numeric.toHexString(hash), 0)
                          >= confirmations);
      org.avsnode.operator.time.ManualTime clock = new org.avsnode.operator.time.ManualTime();
      java.time.Instant firstPoll = clock.instant();
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try (EmbeddedSlashingProtection db =
          EmbeddedSlashingProtection.open(dir, ProtectedSigner.slashingDomain(domain))) {
        RollupFollower f =
            follower(
                    anvil,
                    BlsSecretKey.random(new SecureRandom()),
                    db,
                    domain,
                    events,
                    timer,
                    new ConcurrentHashMap<>(),
                    Optional::empty,
                    clock)
                .withSequencing(squad, 3);
        // block 5, the head, has no commitment yet: nothing is signed, the follower waits at it
        f.poll();
        assertThat(signed).isEmpty();
        assertThat(f.waiting()).hasValueSatisfying(w -> assertThat(w.l2BlockNumber()).isEqualTo(5));
        // committed, but with two confirmations of three: still waiting, since the first poll
        confirmed.put(hashAt(http, 5), 2);
        clock.advance(Duration.ofSeconds(10));
        f.poll();
        assertThat(signed).isEmpty();
        assertThat(f.waiting()).hasValueSatisfying(w -> assertThat(w.since()).isEqualTo(firstPoll));
        confirmed.put(hashAt(http, 5), 3);
        f.poll();
        assertThat(signed).containsOnlyKeys(5L);
        assertThat(f.waiting()).isEmpty();
        // block 6 is mined and never committed; the next leader replaces it
        rpc(http, "anvil_mine", List.of("0x1"));
        String dropped = hashAt(http, 6);
        f.poll();
        assertThat(signed).containsOnlyKeys(5L);
        rpc(http, "anvil_rollback", List.of(1));
        rpc(http, "evm_setNextBlockTimestamp", List.of(System.currentTimeMillis() / 1000 + 100));
        rpc(http, "anvil_mine", List.of("0x1"));
        String replacement = hashAt(http, 6);
        assertThat(replacement).isNotEqualTo(dropped);
        confirmed.put(replacement, 5);
        f.poll();
        assertThat(signed).containsEntry(6L, replacement);
        assertThat(refused).isEmpty();
        // a rollup the duty does not sequence: attested as it appears
        sequencedRollup.set(7);
        rpc(http, "anvil_mine", List.of("0x2"));
        f.poll();
        assertThat(signed).containsOnlyKeys(5L, 6L, 7L, 8L);
        assertThat(f.waiting()).isEmpty();
      } finally {
        timer.shutdownNow();
      }
    }
  }

  /**
   * MACH alone for a sequenced rollup ({@code sequencer-inboxes}): the inbox's last committed block
   * as of {@code head − (confirmations − 1)} and its ancestors on the operator's own L2 node are
   * committed; blocks above it, another block at its height, and a committed block the L2 node does
   * not have are not. (The inbox's answer is given here; SquadMissedSlotIT reads a real inbox.)
   */
  @Test
  void inboxCommitmentsAreTheLastCommittedBlockAndItsAncestors() throws Exception {
    try (AnvilProcess anvil = AnvilProcess.builder().chainId(42069).start()) {
      HttpService http = new HttpService(anvil.rpcUrl());
      rpc(http, "anvil_mine", List.of("0x5"));
      L2Client l2 = new L2Client(URI.create(anvil.rpcUrl()), Duration.ofSeconds(5));
      byte[] three = org.web3j.utils.Numeric.hexStringToByteArray(hashAt(http, 3));
      byte[] four = org.web3j.utils.Numeric.hexStringToByteArray(hashAt(http, 4));
      assertThat(l2.blockByHash(three))
          .hasValueSatisfying(b -> assertThat(b.number()).isEqualTo(3));
      // L1 head 100; the inbox's last block was #3 up to L1 block 98 and #4 from 99 on
      List<Long> asked = new CopyOnWriteArrayList<>();
      InboxCommitments c =
          new InboxCommitments(
              id -> id == 42 ? Optional.of("0x" + "ab".repeat(20)) : Optional.empty(),
              id -> l2,
              () -> 100,
              (inbox, at) -> {
                asked.add(at);
                return at >= 99 ? four : three;
              });
      byte[] two = org.web3j.utils.Numeric.hexStringToByteArray(hashAt(http, 2));
      assertThat(c.committed(42, 2, two, 3)).contains(true);
      assertThat(c.committed(42, 3, three, 3)).contains(true);
      assertThat(c.committed(42, 4, four, 3)).contains(false); // 2 confirmations only
      assertThat(c.committed(42, 4, four, 2)).contains(true);
      assertThat(c.committed(42, 3, four, 3)).contains(false); // another block at that height
      assertThat(asked).containsExactly(98L, 98L, 98L, 99L, 98L);
      assertThat(c.committed(7, 2, two, 3)).isEmpty(); // a rollup without an inbox
      // the L2 node leaves the committed chain (blocks 3..5 replaced): nothing below is committed
      rpc(http, "anvil_rollback", List.of(3));
      rpc(http, "evm_setNextBlockTimestamp", List.of(System.currentTimeMillis() / 1000 + 100));
      rpc(http, "anvil_mine", List.of("0x3"));
      assertThat(l2.blockByHash(three)).isEmpty();
      assertThat(c.committed(42, 2, two, 3)).contains(false);
    }
  }

  private static String hashAt(HttpService http, long number) throws Exception {
    Response<?> r =
        new Request<>(
                "eth_getBlockByNumber",
                List.of("0x" + Long.toHexString(number), false),
                http,
                Plain.class)
            .send();
    return (String) ((Map<?, ?>) r.getResult()).get("hash");
  }

  private static RollupFollower follower(
      AnvilProcess anvil,
      BlsSecretKey key,
      EmbeddedSlashingProtection db,
      Eip712Domain domain,
      MachEvents events,
      ScheduledExecutorService timer,
      Map<String, Long> counts) {
    return follower(anvil, key, db, domain, events, timer, counts, Optional::empty);
  }

  private static RollupFollower follower(
      AnvilProcess anvil,
      BlsSecretKey key,
      EmbeddedSlashingProtection db,
      Eip712Domain domain,
      MachEvents events,
      ScheduledExecutorService timer,
      Map<String, Long> counts,
      java.util.function.Supplier<Optional<OutputVerdicts>> vital) {
    return follower(anvil, key, db, domain, events, timer, counts, vital, Clock.systemUTC());
  }

  private static RollupFollower follower(
      AnvilProcess anvil,
      BlsSecretKey key,
      EmbeddedSlashingProtection db,
      Eip712Domain domain,
      MachEvents events,
      ScheduledExecutorService timer,
      Map<String, Long> counts,
      java.util.function.Supplier<Optional<OutputVerdicts>> vital,
      Clock clock) {
    DutySigner signer =
        new ScopedSigner(
            new ProtectedSigner(key, db, domain, SigningListener.NONE),
            MachDuty.ID,
            SignerMetrics.NOOP);
    return new RollupFollower(
        42,
        new L2Client(URI.create(anvil.rpcUrl()), Duration.ofSeconds(5)),
        signer,
        new byte[20],
        ts -> 1L,
        new MessageSender(
            List.of(),
            MachDuty.ATTESTATION_PATH,
            1,
            Duration.ofSeconds(1),
            timer,
            values -> counter("sent", counts)),
        events,
        new BlockClock(64),
        clock,
        values -> counter(values[0], counts),
        counter("reorg", counts),
        vital);
  }

  private static Counter counter(String name, Map<String, Long> counts) {
    return new Counter() {
      @Override
      public void inc() {
        inc(1);
      }

      @Override
      public void inc(long amount) {
        counts.merge(name, amount, Long::sum);
      }
    };
  }

  private static void rpc(HttpService http, String method, List<?> params) throws Exception {
    Response<?> r = new Request<>(method, params, http, Plain.class).send();
    if (r.hasError()) {
      throw new IllegalStateException(method + ": " + r.getError().getMessage());
    }
  }

  public static final class Plain extends Response<Object> {}
}
