package org.avsnode.squad.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.avsnode.contracts.bindings.ForcedInclusionQueue;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.bindings.SlotSchedule;
import org.avsnode.squad.SquadChain;
import org.avsnode.squad.schedule.LeaderSchedule;
import org.avsnode.squad.schedule.SlotScheduleContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The SQUAD inbox and forced-inclusion queue on anvil: only the slot's leader (or backup k after k
 * missed deadlines) commits, on top of the last committed block; a batch that leaves out a due
 * forced transaction is refused; the escape hatch lets anyone include due items once every leader
 * has censored them for the escape delay; reputations follow the outcomes.
 */
class SequencerInboxIT {
  private static final long SLOT_SECONDS = 2;
  private static final long GRACE = 2;
  private static final long DUE_AFTER = 10;
  private static final long ESCAPE_AFTER = 20;
  private static final BigInteger FEE = BigInteger.TEN.pow(15);

  private static SquadChain chain;
  private static final List<Credentials> OPS = new ArrayList<>();
  private static final Map<String, Long> GAS = new LinkedHashMap<>();
  private static long genesis;
  private static SlotSchedule schedule;
  private static ForcedInclusionQueue queue;
  private static String inboxAddress;
  private static LeaderSchedule ranks;

  @BeforeAll
  static void start() throws Exception {
    chain = new SquadChain();
    for (int i = 0; i < 4; i++) {
      OPS.add(chain.registerOperator(SquadChain.WAD.multiply(BigInteger.valueOf(100))));
    }
    chain.mineRegistryEpoch();
    SquadChain.Squad squad =
        chain.deploySquad(
            20, SLOT_SECONDS, GRACE, DUE_AFTER, ESCAPE_AFTER, FEE, 42, hash("genesis"));
    genesis = squad.genesis();
    schedule = squad.schedule();
    queue = squad.queue();
    inboxAddress = squad.inbox();
    ranks =
        SlotScheduleContract.load(chain.web3j, schedule.getContractAddress())
            .epoch(0, 2)
            .orElseThrow()
            .schedule();
  }

  /** The committed SQUAD gas figures (written by {@code benchmarks/run gas}). */
  static final java.nio.file.Path COMMITTED_GAS =
      java.nio.file.Path.of("..", "benchmarks", "results", "squad-gas.json");

  /**
   * Writes this run's figures to {@code target/benchmarks/squad-gas.json} (the file {@code
   * benchmarks/run gas} commits) and fails when one is more than 5% above the committed one.
   */
  @AfterAll
  static void stop() throws java.io.IOException {
    try {
      if (!GAS.isEmpty()) {
        System.out.println("SequencerInboxIT gas: " + GAS);
        Map<String, String> measured = new LinkedHashMap<>();
        GAS.forEach((k, v) -> measured.put(k, Long.toString(v)));
        org.avsnode.contracts.GasResults.write(
            measured,
            java.nio.file.Path.of("target", "benchmarks", "squad-gas.json"),
            "benchmarks/run gas (mvn -B -o -pl squad-sequencer verify"
                + " -Dit.test=SequencerInboxIT)");
        assertThat(COMMITTED_GAS).as("committed SQUAD gas results").exists();
        assertThat(org.avsnode.contracts.GasResults.regressions(COMMITTED_GAS, measured, 0.05))
            .as("SQUAD gas figures more than 5%% above %s", COMMITTED_GAS)
            .isEmpty();
      }
    } finally {
      if (chain != null) {
        chain.close();
      }
    }
  }

  private static byte[] hash(String s) {
    return Hash.sha3(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static SequencerInbox inboxAs(Credentials c) {
    return SequencerInbox.load(inboxAddress, chain.web3j, chain.tm(c), chain.gas);
  }

  private static Credentials rank(long slot, int k) {
    return OPS.get(ranks.ranksOf(slot)[k]);
  }

  private static Credentials unscheduled(long slot) {
    int[] r = ranks.ranksOf(slot);
    for (int i = 0; i < OPS.size(); i++) {
      if (i != r[0] && i != r[1] && i != r[2]) {
        return OPS.get(i);
      }
    }
    throw new IllegalStateException("4 operators, 3 ranks: one is unscheduled");
  }

  private static long slotStart(long slot) {
    return genesis + slot * SLOT_SECONDS;
  }

  private static void assertRevert(Credentials from, String data, String error) throws Exception {
    String r = chain.revertData(from.getAddress(), inboxAddress, data);
    assertThat(r).as("expected %s", error).isNotNull().startsWith(SquadChain.selector(error));
  }

  private static String commitCall(long slot, byte[] parent, byte[] block, long cursor) {
    return inboxAs(OPS.get(0))
        .commit(
            BigInteger.valueOf(slot),
            parent,
            block,
            hash("txs " + slot),
            BigInteger.valueOf(cursor))
        .encodeFunctionCall();
  }

  private static TransactionReceipt commit(
      Credentials as, long slot, byte[] parent, byte[] block, long cursor, long at)
      throws Exception {
    chain.setNextTimestamp(at);
    TransactionReceipt r =
        inboxAs(as)
            .commit(
                BigInteger.valueOf(slot),
                parent,
                block,
                hash("txs " + slot),
                BigInteger.valueOf(cursor))
            .send();
    assertThat(r.isStatusOK()).isTrue();
    return r;
  }

  /** The receipt's SlotCommitted event, checked against the hash the inbox stored for its slot. */
  private static SequencerInbox.SlotCommittedEventResponse committed(TransactionReceipt r)
      throws Exception {
    List<SequencerInbox.SlotCommittedEventResponse> events =
        SequencerInbox.getSlotCommittedEvents(r);
    assertThat(events).hasSize(1);
    SequencerInbox.SlotCommittedEventResponse e = events.get(0);
    SequencerInbox inbox = inboxAs(OPS.get(0));
    byte[] expected =
        inbox
            .commitmentHash(
                e.slot,
                e.parentHash,
                e.blockHash,
                e.txListHash,
                e.forcedCursor,
                e.committer,
                e.rank,
                e.l1Block)
            .send();
    assertThat(inbox.commitmentHashOf(e.slot).send()).isEqualTo(expected);
    assertThat(e.l1Block).isEqualTo(r.getBlockNumber());
    return e;
  }

  private static int reputation(Credentials op) throws Exception {
    return schedule.reputationOf(BigInteger.valueOf(OPS.indexOf(op))).send().intValue();
  }

  @Test
  void leadersBackupsForcedInclusionAndTheEscapeHatch() throws Exception {
    byte[] genesisHash = hash("genesis");

    // slot 1: only the leader, on top of genesis, with a block hash
    long s1 = 1;
    chain.mineAt(slotStart(s1));
    byte[] b1 = hash("block 1");
    assertRevert(
        unscheduled(s1), commitCall(s1, genesisHash, b1, 0), "NotScheduled(uint64,address)");
    assertRevert(
        rank(s1, 1), commitCall(s1, genesisHash, b1, 0), "TooEarlyForRank(uint64,uint8,uint64)");
    assertRevert(
        rank(s1, 0), commitCall(s1, hash("elsewhere"), b1, 0), "WrongParent(bytes32,bytes32)");
    assertRevert(
        rank(s1, 0), commitCall(s1 + 3, genesisHash, b1, 0), "SlotNotStarted(uint64,uint64)");
    assertRevert(rank(s1, 0), commitCall(s1, genesisHash, new byte[32], 0), "ZeroBlockHash()");
    TransactionReceipt r1 = commit(rank(s1, 0), s1, genesisHash, b1, 0, slotStart(s1) + 1);
    GAS.put("commit by the leader", r1.getGasUsed().longValue());
    assertThat(inboxAs(OPS.get(0)).lastBlockHash().send()).isEqualTo(b1);
    SequencerInbox.SlotCommittedEventResponse c1 = committed(r1);
    assertThat(c1.slot.longValue()).isEqualTo(s1);
    assertThat(c1.committer).isEqualToIgnoringCase(rank(s1, 0).getAddress());
    assertThat(c1.rank.intValue()).isZero();
    assertThat(c1.parentHash).isEqualTo(genesisHash);
    assertThat(c1.blockHash).isEqualTo(b1);
    assertThat(inboxAs(OPS.get(0)).commitmentHashOf(BigInteger.valueOf(2)).send())
        .isEqualTo(new byte[32]);
    // the slot is taken
    chain.mineAt(slotStart(s1) + 2);
    assertRevert(rank(s1, 0), commitCall(s1, b1, hash("again"), 0), "SlotPassed(uint64,uint64)");

    // slot 3: the leader misses its deadline (slot end + grace); backup 1 takes over after it
    long s3 = 3;
    byte[] b3 = hash("block 3");
    long opens1 = slotStart(s3) + SLOT_SECONDS + GRACE;
    chain.mineAt(opens1 - 1);
    assertRevert(rank(s3, 1), commitCall(s3, b1, b3, 0), "TooEarlyForRank(uint64,uint8,uint64)");
    assertRevert(rank(s3, 2), commitCall(s3, b1, b3, 0), "TooEarlyForRank(uint64,uint8,uint64)");
    Credentials missed = rank(s3, 0);
    int before = reputation(missed);
    // past its deadline the leader can no longer commit: the slot is backup 1's alone
    chain.mineAt(opens1);
    assertRevert(rank(s3, 0), commitCall(s3, b1, b3, 0), "TooLateForRank(uint64,uint8,uint64)");
    assertRevert(rank(s3, 2), commitCall(s3, b1, b3, 0), "TooEarlyForRank(uint64,uint8,uint64)");
    assertThat(inboxAs(OPS.get(0)).closesAt(BigInteger.valueOf(s3), BigInteger.ONE).send())
        .isEqualTo(BigInteger.valueOf(opens1 + GRACE));
    TransactionReceipt r3 = commit(rank(s3, 1), s3, b1, b3, 0, opens1 + 1);
    GAS.put("commit by backup 1 (records the leader's miss)", r3.getGasUsed().longValue());
    assertThat(reputation(missed)).isEqualTo(before / 2);
    assertThat(committed(r3).rank).isEqualTo(BigInteger.ONE);

    // a forced transaction: refused with a low fee; due DUE_AFTER seconds after it is queued
    byte[] raw1 = "forced transaction 1".getBytes(StandardCharsets.US_ASCII);
    String low =
        chain.revertData(
            OPS.get(0).getAddress(),
            queue.getContractAddress(),
            queue.enqueue(raw1, FEE.subtract(BigInteger.ONE)).encodeFunctionCall());
    assertThat(low).startsWith(SquadChain.selector("FeeTooLow(uint256,uint256)"));
    long queued1 = slotStart(6);
    chain.setNextTimestamp(queued1);
    Credentials user = chain.newAccount();
    TransactionReceipt enq =
        ForcedInclusionQueue.load(
                queue.getContractAddress(), chain.web3j, chain.tm(user), chain.gas)
            .enqueue(raw1, FEE)
            .send();
    GAS.put("enqueue a forced transaction (20 bytes)", enq.getGasUsed().longValue());
    // before it is due a batch may leave it out
    long s7 = 7;
    byte[] b7 = hash("block 7");
    commit(rank(s7, 0), s7, b3, b7, 0, slotStart(s7));
    // once due, a batch must include it
    long s12 = (queued1 + DUE_AFTER - genesis) / SLOT_SECONDS + 1;
    byte[] b12 = hash("block 12");
    chain.mineAt(slotStart(s12));
    assertRevert(rank(s12, 0), commitCall(s12, b7, b12, 0), "DueItemsLeftOut(uint64,uint256)");
    assertThat(
            chain.revertData(rank(s12, 0).getAddress(), inboxAddress, commitCall(s12, b7, b12, 2)))
        .startsWith(SquadChain.selector("BadCursor(uint256,uint256,uint256)"));
    Credentials includer = rank(s12, 0);
    BigInteger balanceBefore = chain.balance(includer.getAddress());
    TransactionReceipt withForced = commit(includer, s12, b7, b12, 1, slotStart(s12) + 1);
    GAS.put(
        "commit including 1 forced transaction (fee paid out)",
        withForced.getGasUsed().longValue());
    BigInteger spent =
        withForced.getGasUsed().multiply(Numeric.decodeQuantity(withForced.getEffectiveGasPrice()));
    assertThat(chain.balance(includer.getAddress()))
        .isEqualTo(balanceBefore.add(FEE).subtract(spent));
    assertThat(queue.cursor().send()).isEqualTo(BigInteger.ONE);

    // the escape hatch: a second forced transaction that no leader includes
    byte[] raw2 = "forced transaction 2".getBytes(StandardCharsets.US_ASCII);
    long queued2 = slotStart(s12 + 1);
    chain.setNextTimestamp(queued2);
    ForcedInclusionQueue.load(queue.getContractAddress(), chain.web3j, chain.tm(user), chain.gas)
        .enqueue(raw2, FEE)
        .send();
    Credentials anyone = chain.newAccount();
    SequencerInbox asAnyone = inboxAs(anyone);
    byte[] bx = hash("escape block");
    String escape = asAnyone.commitForced(b12, bx, BigInteger.TWO).encodeFunctionCall();
    chain.mineAt(queued2 + DUE_AFTER + ESCAPE_AFTER - 1);
    assertRevert(anyone, escape, "EscapeNotOpen()");
    // a leader may no longer leave it out either
    long sNow = (queued2 + DUE_AFTER + ESCAPE_AFTER - 1 - genesis) / SLOT_SECONDS;
    assertRevert(rank(sNow, 0), commitCall(sNow, b12, bx, 1), "DueItemsLeftOut(uint64,uint256)");
    chain.mineAt(queued2 + DUE_AFTER + ESCAPE_AFTER);
    assertRevert(
        anyone,
        asAnyone.commitForced(b12, bx, BigInteger.ONE).encodeFunctionCall(),
        "DueItemsLeftOut(uint64,uint256)");
    chain.setNextTimestamp(queued2 + DUE_AFTER + ESCAPE_AFTER + 1);
    TransactionReceipt esc = asAnyone.commitForced(b12, bx, BigInteger.TWO).send();
    assertThat(esc.isStatusOK()).isTrue();
    GAS.put("commitForced (escape hatch, 1 item)", esc.getGasUsed().longValue());
    long escSlot = (queued2 + DUE_AFTER + ESCAPE_AFTER + 1 - genesis) / SLOT_SECONDS;
    SequencerInbox.SlotCommittedEventResponse ce = committed(esc);
    assertThat(ce.slot.longValue()).isEqualTo(escSlot);
    assertThat(ce.rank.intValue()).isEqualTo(255);
    assertThat(ce.txListHash).isEqualTo(Hash.sha3(Hash.sha3(raw2)));
    assertThat(ce.committer).isEqualToIgnoringCase(anyone.getAddress());
    assertThat(queue.cursor().send()).isEqualTo(BigInteger.TWO);
    assertThat(asAnyone.lastBlockHash().send()).isEqualTo(bx);
    assertThat(asAnyone.committedCount().send()).isEqualTo(BigInteger.valueOf(5));
  }
}
