package org.avsnode.squad.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.avsnode.bls.eip712.Preconfirmation;
import org.avsnode.bls.eip712.SlotProposal;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.squad.SquadChain;
import org.avsnode.squad.schedule.SlotScheduleContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * SQUAD's slashable offences (DESIGN.md §4) proven on anvil through the SlashingCoordinator: two
 * slot proposals for one slot, and a preconfirmation whose transaction is missing from the block
 * committed for its slot in the sequencer inbox. Each slashes once; near misses are refused.
 */
class SquadEvidenceIT {
  private static final long ROLLUP = 42;
  private static SquadChain chain;
  private static final List<Credentials> OPS = new ArrayList<>();
  private static SlashingCoordinator coordinator;
  private static SquadChain.Squad squad;

  @BeforeAll
  static void start() throws Exception {
    chain = new SquadChain();
    for (int i = 0; i < 4; i++) {
      OPS.add(chain.registerOperator(SquadChain.WAD.multiply(BigInteger.valueOf(100))));
    }
    chain.mineRegistryEpoch();
    squad = chain.deploySquad(10, 2, 2, 10, 20, BigInteger.ZERO, ROLLUP, hash("genesis"));
    coordinator =
        SlashingCoordinator.load(
            chain.dep.contracts().slashingCoordinator(),
            chain.web3j,
            chain.tm(chain.deployer),
            chain.gas);
  }

  @AfterAll
  static void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  private static byte[] hash(String s) {
    return Hash.sha3(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static void assertRevert(String data, String error) throws Exception {
    String r =
        chain.revertData(
            chain.deployer.getAddress(), chain.dep.contracts().slashingCoordinator(), data);
    assertThat(r).as("expected %s", error).isNotNull().startsWith(SquadChain.selector(error));
  }

  private static void assertSlashedOnce(TransactionReceipt r, Credentials op, int type) {
    assertThat(r.isStatusOK()).isTrue();
    List<SlashingCoordinator.EquivocationSlashedEventResponse> ev =
        SlashingCoordinator.getEquivocationSlashedEvents(r);
    assertThat(ev).hasSize(1);
    assertThat(ev.get(0).operator).isEqualToIgnoringCase(op.getAddress());
    assertThat(ev.get(0).evidenceType.intValue()).isEqualTo(type);
  }

  private static SlashingCoordinator.SlotProposal proposal(SlotProposal p) {
    return new SlashingCoordinator.SlotProposal(
        BigInteger.valueOf(p.rollupId()),
        BigInteger.valueOf(p.slot()),
        p.parentHash(),
        p.blockHash(),
        p.txListHash());
  }

  @Test
  void twoProposalsForOneSlotSlashOnce() throws Exception {
    Credentials op = OPS.get(1);
    SlotProposal a = new SlotProposal(ROLLUP, 9, hash("p"), hash("block a"), hash("txs"));
    SlotProposal b = new SlotProposal(ROLLUP, 9, hash("p"), hash("block b"), hash("txs"));
    SlotProposal otherSlot = new SlotProposal(ROLLUP, 10, hash("p"), hash("block b"), hash("txs"));
    byte[] sa = chain.sign(op, a);
    byte[] sb = chain.sign(op, b);
    String from = op.getAddress();
    assertRevert(
        coordinator
            .slashSquadDoubleProposal(from, proposal(a), sa, proposal(a), sa)
            .encodeFunctionCall(),
        "NotEquivocation()");
    assertRevert(
        coordinator
            .slashSquadDoubleProposal(
                from, proposal(a), sa, proposal(otherSlot), chain.sign(op, otherSlot))
            .encodeFunctionCall(),
        "NotEquivocation()");
    // another operator's signatures do not convict this one
    assertRevert(
        coordinator
            .slashSquadDoubleProposal(from, proposal(a), chain.sign(OPS.get(2), a), proposal(b), sb)
            .encodeFunctionCall(),
        "InvalidOperatorSignature(uint256)");
    TransactionReceipt r =
        coordinator.slashSquadDoubleProposal(from, proposal(a), sa, proposal(b), sb).send();
    assertSlashedOnce(r, op, 2);
    assertRevert(
        coordinator
            .slashSquadDoubleProposal(from, proposal(b), sb, proposal(a), sa)
            .encodeFunctionCall(),
        "EvidenceAlreadyUsed(bytes32)");
  }

  @Test
  void aPreconfirmedTransactionMissingFromTheCommittedBlockSlashesOnce() throws Exception {
    var ranks =
        SlotScheduleContract.load(chain.web3j, squad.schedule().getContractAddress())
            .epoch(0, 2)
            .orElseThrow()
            .schedule();
    long slot = 2;
    Credentials leader = OPS.get(ranks.leaderOf(slot));
    byte[] h1 = hash("tx 1");
    byte[] h2 = hash("tx 2");
    byte[] missing = hash("tx 3, preconfirmed");
    List<byte[]> txs = List.of(h1, h2);
    byte[] txListHash = Hash.sha3(concat(h1, h2));
    byte[] block = hash("block of slot 2");
    chain.setNextTimestamp(squad.genesis() + slot * 2);
    TransactionReceipt committed =
        SequencerInbox.load(squad.inbox(), chain.web3j, chain.tm(leader), chain.gas)
            .commit(BigInteger.valueOf(slot), hash("genesis"), block, txListHash, BigInteger.ZERO)
            .send();
    SequencerInbox.SlotCommittedEventResponse e =
        SequencerInbox.getSlotCommittedEvents(committed).get(0);
    SlashingCoordinator.SlotCommitment c =
        new SlashingCoordinator.SlotCommitment(
            e.parentHash,
            e.blockHash,
            e.txListHash,
            e.forcedCursor,
            e.committer,
            e.rank,
            e.l1Block);

    String op = leader.getAddress();
    Preconfirmation broken = new Preconfirmation(ROLLUP, slot, missing);
    Preconfirmation kept = new Preconfirmation(ROLLUP, slot, h2);
    Preconfirmation uncommittedSlot = new Preconfirmation(ROLLUP, slot + 1, missing);
    Preconfirmation otherRollup = new Preconfirmation(ROLLUP + 1, slot, missing);
    // the transaction is in the block
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(op, preconf(kept), chain.sign(leader, kept), c, txs)
            .encodeFunctionCall(),
        "TransactionIncluded(uint256)");
    // a list that is not the committed one
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(
                op, preconf(broken), chain.sign(leader, broken), c, List.of(h1))
            .encodeFunctionCall(),
        "WrongTransactionList()");
    // a commitment that is not the inbox's
    SlashingCoordinator.SlotCommitment forged =
        new SlashingCoordinator.SlotCommitment(
            e.parentHash,
            e.blockHash,
            Hash.sha3(h1),
            e.forcedCursor,
            e.committer,
            e.rank,
            e.l1Block);
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(
                op, preconf(broken), chain.sign(leader, broken), forged, List.of(h1))
            .encodeFunctionCall(),
        "NotTheCommittedSlot(uint64)");
    // a slot nobody committed
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(
                op, preconf(uncommittedSlot), chain.sign(leader, uncommittedSlot), c, txs)
            .encodeFunctionCall(),
        "NotTheCommittedSlot(uint64)");
    // a rollup without an inbox
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(
                op, preconf(otherRollup), chain.sign(leader, otherRollup), c, txs)
            .encodeFunctionCall(),
        "NoSequencerInbox(uint64)");
    // someone else's signature
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(
                op,
                preconf(broken),
                chain.sign(OPS.get((ranks.leaderOf(slot) + 1) % 4), broken),
                c,
                txs)
            .encodeFunctionCall(),
        "InvalidOperatorSignature(uint256)");
    byte[] sig = chain.sign(leader, broken);
    TransactionReceipt r =
        coordinator.slashBrokenPreconfirmation(op, preconf(broken), sig, c, txs).send();
    assertSlashedOnce(r, leader, 4);
    System.out.println(
        "SquadEvidenceIT gas: slashBrokenPreconfirmation (2 transactions in the block) "
            + r.getGasUsed());
    assertRevert(
        coordinator
            .slashBrokenPreconfirmation(op, preconf(broken), sig, c, txs)
            .encodeFunctionCall(),
        "EvidenceAlreadyUsed(bytes32)");
  }

  private static SlashingCoordinator.Preconfirmation preconf(Preconfirmation p) {
    return new SlashingCoordinator.Preconfirmation(
        BigInteger.valueOf(p.rollupId()), BigInteger.valueOf(p.slot()), p.txHash());
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }
}
