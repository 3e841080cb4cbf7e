// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {SlotSchedule} from "./SlotSchedule.sol";
import {ForcedInclusionQueue} from "./ForcedInclusionQueue.sol";

/// @dev The part of the AVS registry the inbox reads: an operator's permanent index in the set.
interface IOperatorIndex {
    function operatorIndex(uint32 operatorSetId, address operator) external view returns (uint32);
}

/// @title SQUAD sequencer inbox: the L1 record of the L2 blocks the slot leaders sealed.
/// @notice `commit` records (slot, parentHash, blockHash, txListHash, forcedCursor) for one slot:
///         - only from the slot's leader (rank 0, from the slot's start to its deadline, slotEnd +
///           graceSeconds), or from backup k after k missed deadlines, in its own window
///           [slotEnd + k * graceSeconds, slotEnd + (k + 1) * graceSeconds): the windows do not
///           overlap, so no two ranks can race for a slot, and a block a rank mined and did not
///           commit in its window can never be committed (the next rank may drop it);
///         - only for a slot after the last committed one, and only on top of the last committed
///           block (parentHash), so a node that has not imported every committed slot cannot
///           commit (the sync gate, on-chain);
///         - only with a forced cursor that includes every due forced-inclusion item.
///         A commit by backup k records a missed slot for ranks 0..k-1 and a led slot for the
///         committer in the schedule's reputation. Slots that nobody commits stay empty.
///         `commitForced` is the escape hatch: once the queue's oldest item has been due for its
///         escape delay, anyone may commit the current slot with a batch that holds exactly the
///         due items; its transaction-list hash is computed here from the queue.
contract SequencerInbox {
    /// @notice The rank recorded for an escape-hatch batch.
    uint8 public constant ESCAPE = type(uint8).max;

    SlotSchedule public immutable schedule;
    IOperatorIndex public immutable registry;
    ForcedInclusionQueue public immutable queue;
    uint32 public immutable operatorSetId;
    uint64 public immutable rollupId;
    uint32 public immutable graceSeconds;

    /// @notice Per slot, the hash of its commitment (see commitmentHash); zero while uncommitted.
    ///         The fields are in the SlotCommitted event: one storage word per slot instead of six.
    mapping(uint64 => bytes32) public commitmentHashOf;
    /// @notice The L2 block the next commitment must build on: the genesis block, then the last one.
    bytes32 public lastBlockHash;
    /// @notice The last committed slot (meaningful once `committedCount` > 0).
    uint64 public lastSlot;
    uint64 public committedCount;

    event SlotCommitted(
        uint64 indexed slot,
        address indexed committer,
        uint8 rank,
        bytes32 parentHash,
        bytes32 blockHash,
        bytes32 txListHash,
        uint64 forcedCursor,
        uint64 l1Block
    );

    error SlotNotStarted(uint64 slot, uint64 currentSlot);
    error SlotPassed(uint64 slot, uint64 lastSlot);
    error WrongParent(bytes32 parentHash, bytes32 expected);
    error NotScheduled(uint64 slot, address committer);
    error TooEarlyForRank(uint64 slot, uint8 rank, uint64 opensAt);
    error TooLateForRank(uint64 slot, uint8 rank, uint64 closesAt);
    error DueItemsLeftOut(uint64 forcedCursor, uint256 due);
    error EscapeNotOpen();
    error EmptyEscapeBatch();
    error ZeroBlockHash();

    constructor(
        address schedule_,
        address registry_,
        address queue_,
        uint32 operatorSetId_,
        uint64 rollupId_,
        uint32 graceSeconds_,
        bytes32 genesisBlockHash
    ) {
        schedule = SlotSchedule(schedule_);
        registry = IOperatorIndex(registry_);
        queue = ForcedInclusionQueue(queue_);
        operatorSetId = operatorSetId_;
        rollupId = rollupId_;
        graceSeconds = graceSeconds_;
        lastBlockHash = genesisBlockHash;
    }

    /// @notice When rank `rank` may start committing slot `slot` (unix seconds).
    function opensAt(uint64 slot, uint8 rank) public view returns (uint64) {
        uint64 start = schedule.slotStart(slot);
        if (rank == 0) return start;
        return start + schedule.slotSeconds() + uint64(rank) * graceSeconds;
    }

    /// @notice When rank `rank`'s window for slot `slot` closes (unix seconds, exclusive).
    function closesAt(uint64 slot, uint8 rank) public view returns (uint64) {
        return schedule.slotStart(slot) + schedule.slotSeconds() + (uint64(rank) + 1) * graceSeconds;
    }

    function commit(uint64 slot, bytes32 parentHash, bytes32 blockHash, bytes32 txListHash, uint64 forcedCursor)
        external
    {
        _checkSlot(slot, parentHash, blockHash);
        uint32 index = registry.operatorIndex(operatorSetId, msg.sender);
        uint32[] memory ranks = schedule.ranksOf(slot);
        uint8 rank = type(uint8).max;
        for (uint256 k = 0; k < ranks.length; k++) {
            if (ranks[k] == index) {
                rank = uint8(k);
                break;
            }
        }
        if (rank == type(uint8).max) revert NotScheduled(slot, msg.sender);
        uint64 opens = opensAt(slot, rank);
        if (block.timestamp < opens) revert TooEarlyForRank(slot, rank, opens);
        uint64 closes = closesAt(slot, rank);
        if (block.timestamp >= closes) revert TooLateForRank(slot, rank, closes);
        _checkForced(forcedCursor);
        for (uint256 k = 0; k < rank; k++) {
            schedule.recordSlot(ranks[k], slot, true);
        }
        schedule.recordSlot(index, slot, false);
        _record(slot, parentHash, blockHash, txListHash, forcedCursor, rank);
    }

    /// @notice The escape hatch: commits the current slot with exactly the due forced items.
    function commitForced(bytes32 parentHash, bytes32 blockHash, uint64 forcedCursor) external {
        if (!queue.escapeOpen()) revert EscapeNotOpen();
        uint64 slot = schedule.currentSlot();
        _checkSlot(slot, parentHash, blockHash);
        uint256 from = queue.cursor();
        _checkForced(forcedCursor);
        if (forcedCursor == from) revert EmptyEscapeBatch();
        bytes32 txListHash = queue.hashRange(from, forcedCursor);
        _record(slot, parentHash, blockHash, txListHash, forcedCursor, ESCAPE);
    }

    /// @notice The hash stored for a commitment: what evidence about a committed slot is checked
    ///         against (the fields come from the SlotCommitted event).
    function commitmentHash(
        uint64 slot,
        bytes32 parentHash,
        bytes32 blockHash,
        bytes32 txListHash,
        uint64 forcedCursor,
        address committer,
        uint8 rank,
        uint64 l1Block
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(slot, parentHash, blockHash, txListHash, forcedCursor, committer, rank, l1Block));
    }

    function _checkSlot(uint64 slot, bytes32 parentHash, bytes32 blockHash) private view {
        if (blockHash == bytes32(0)) revert ZeroBlockHash();
        uint64 current = schedule.currentSlot();
        if (slot > current) revert SlotNotStarted(slot, current);
        if (committedCount > 0 && slot <= lastSlot) revert SlotPassed(slot, lastSlot);
        if (parentHash != lastBlockHash) revert WrongParent(parentHash, lastBlockHash);
    }

    function _checkForced(uint64 forcedCursor) private view {
        uint256 due = queue.dueCount();
        if (forcedCursor < due) revert DueItemsLeftOut(forcedCursor, due);
    }

    function _record(
        uint64 slot,
        bytes32 parentHash,
        bytes32 blockHash,
        bytes32 txListHash,
        uint64 forcedCursor,
        uint8 rank
    ) private {
        commitmentHashOf[slot] = commitmentHash(
            slot, parentHash, blockHash, txListHash, forcedCursor, msg.sender, rank, uint64(block.number)
        );
        lastSlot = slot;
        lastBlockHash = blockHash;
        committedCount += 1;
        emit SlotCommitted(slot, msg.sender, rank, parentHash, blockHash, txListHash, forcedCursor, uint64(block.number));
        // consumes the included items (reverts on a cursor before the queue's or past its end) and
        // pays their fees to the committer; last, after every state change
        queue.consume(forcedCursor, msg.sender);
    }
}
