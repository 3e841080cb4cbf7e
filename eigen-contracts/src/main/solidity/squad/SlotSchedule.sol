// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @dev The part of the AVS registry the schedule reads: the stake snapshots of an operator set.
interface IStakeSnapshots {
    function currentEpoch() external view returns (uint32);
    function operatorCount(uint32 operatorSetId) external view returns (uint256);
    function stakeAt(uint32 operatorSetId, uint32 index, uint32 epoch) external view returns (uint96 stake, bool active);
}

/// @title SQUAD slot schedule: who leads each L2 slot, and who stands in when the leader misses.
/// @notice Slots are fixed-length intervals of L1 time from `genesisTime`; `slotsPerEpoch` slots make
///         a schedule epoch. The schedule of epoch E is fixed once, by `fixNextEpoch`, and never
///         changes afterwards. Fixing it records:
///         - a seed: keccak256(abi.encode(previous seed, E, prevrandao)) when fixed during epoch E-2,
///           the window honest nodes use (they call at the window's first slot). Every transaction
///           of one L1 block sees the same prevrandao, so the seed does not depend on who calls,
///           only on which block holds the first call; nobody knows a block's prevrandao before
///           the block is built, and after the first call it is fixed. Fixed later than that (a
///           stalled window), the seed is keccak256(abi.encode(previous seed, E, 0)): predictable,
///           but not choosable.
///         - the weights: per operator index of the set, stake at the registry's current stake
///           epoch (a closed, historical snapshot) times the operator's reputation at that moment,
///           in basis points. They are written once, as the code of a small data contract.
///         The leader of slot s and its ranked backups are drawn without repetition:
///         draw k takes x = uint256(keccak256(abi.encode(seed, s, k))) mod (total weight not yet
///         drawn) and walks the operators in index order, skipping those with zero weight and
///         those already drawn, to the first whose cumulative weight exceeds x. The node computes
///         the same draws locally (org.avsnode.squad.LeaderSchedule).
///         Reputation starts at REP_MAX; the reporter (the sequencer inbox) halves it for a missed
///         slot, down to REP_MIN, and adds REP_RECOVERY for each slot the operator commits, up to
///         REP_MAX. It weighs from the next epoch fixed.
contract SlotSchedule {
    uint16 public constant REP_MAX = 10_000;
    uint16 public constant REP_MIN = 1_000;
    uint16 public constant REP_RECOVERY = 250;
    /// @notice Marks an empty rank (fewer operators with weight than ranks).
    uint32 public constant NONE = type(uint32).max;
    /// @dev Size of a weight in the weights table: 16 bytes, big-endian.
    uint256 internal constant WEIGHT_BYTES = 16;

    struct EpochSchedule {
        bytes32 seed;
        address weights;
        uint32 stakeEpoch;
        uint32 operators;
        bool random;
    }

    IStakeSnapshots public immutable registry;
    uint32 public immutable operatorSetId;
    uint64 public immutable genesisTime;
    uint32 public immutable slotSeconds;
    uint32 public immutable slotsPerEpoch;
    /// @notice Ranked backups per slot, after the leader.
    uint8 public immutable backups;
    address public immutable owner;
    /// @notice The only address that may record slot outcomes (the sequencer inbox); set once.
    address public reporter;

    /// @notice The next schedule epoch to fix; epochs are fixed in order.
    uint64 public nextEpoch;
    /// @notice The seed of the last epoch fixed (0 before the first).
    bytes32 public lastSeed;

    mapping(uint64 => EpochSchedule) internal _epochs;
    /// @dev REP_MAX - reputation, by operator index, so a new operator starts at REP_MAX.
    mapping(uint32 => uint16) internal _penalty;

    event EpochFixed(uint64 indexed epoch, bytes32 seed, uint32 stakeEpoch, bool random, address weights);
    event SlotOutcome(uint32 indexed operatorIndex, uint64 slot, bool missed, uint16 reputation);

    error NotOwner();
    error NotReporter();
    error ReporterAlreadySet();
    error TooEarly(uint64 epoch, uint64 currentEpoch);
    error NoWeight(uint64 epoch);
    error EpochNotFixed(uint64 epoch);
    error BadParameters();
    error TableCreationFailed();

    constructor(
        address registry_,
        uint32 operatorSetId_,
        uint64 genesisTime_,
        uint32 slotSeconds_,
        uint32 slotsPerEpoch_,
        uint8 backups_,
        address owner_
    ) {
        if (registry_ == address(0) || slotSeconds_ == 0 || slotsPerEpoch_ == 0 || backups_ > 8) {
            revert BadParameters();
        }
        registry = IStakeSnapshots(registry_);
        operatorSetId = operatorSetId_;
        genesisTime = genesisTime_;
        slotSeconds = slotSeconds_;
        slotsPerEpoch = slotsPerEpoch_;
        backups = backups_;
        owner = owner_;
    }

    function setReporter(address reporter_) external {
        if (msg.sender != owner) revert NotOwner();
        if (reporter != address(0)) revert ReporterAlreadySet();
        reporter = reporter_;
    }

    // ------------------------------------------------------------------ time

    /// @notice The slot at the current L1 block's timestamp (0 before genesis).
    function currentSlot() public view returns (uint64) {
        if (block.timestamp < genesisTime) return 0;
        return uint64((block.timestamp - genesisTime) / slotSeconds);
    }

    function currentEpoch() public view returns (uint64) {
        return currentSlot() / slotsPerEpoch;
    }

    function epochOf(uint64 slot) public view returns (uint64) {
        return slot / slotsPerEpoch;
    }

    /// @notice When slot `slot` starts (unix seconds).
    function slotStart(uint64 slot) external view returns (uint64) {
        return genesisTime + slot * slotSeconds;
    }

    // ------------------------------------------------------------------ fixing epochs

    /// @notice Fixes the schedule of `nextEpoch`: allowed from the start of epoch nextEpoch - 2.
    /// @return epoch the epoch fixed
    function fixNextEpoch() external returns (uint64 epoch) {
        epoch = nextEpoch;
        uint64 cur = currentEpoch();
        if (epoch > cur + 2) revert TooEarly(epoch, cur);
        bool random = epoch == cur + 2;
        bytes32 seed = keccak256(abi.encode(lastSeed, epoch, random ? block.prevrandao : 0));
        uint32 stakeEpoch = registry.currentEpoch();
        uint256 n = registry.operatorCount(operatorSetId);
        // init code (12 bytes) returning everything after it as the code: one STOP byte, so the
        // table can never run, then n weights of 16 bytes
        uint256 codeLen = 1 + WEIGHT_BYTES * n;
        bytes memory init = new bytes(12 + codeLen + 32);
        assembly {
            let d := add(init, 0x20)
            // PUSH2 codeLen DUP1 PUSH1 12 PUSH1 0 CODECOPY PUSH1 0 RETURN
            mstore(d, or(shl(248, 0x61), or(shl(232, codeLen), shl(160, 0x80600c6000396000f3))))
            mstore(init, add(12, codeLen))
        }
        uint256 total;
        for (uint256 i = 0; i < n; i++) {
            (uint96 stake, bool active) = registry.stakeAt(operatorSetId, uint32(i), stakeEpoch);
            uint256 w = active ? uint256(stake) * (REP_MAX - _penalty[uint32(i)]) : 0;
            total += w;
            assembly {
                // 16 bytes at offset 13 + 16 i of the init code; the next weight overwrites the rest
                mstore(add(add(init, 0x2d), mul(i, 16)), shl(128, w))
            }
        }
        if (total == 0) revert NoWeight(epoch);
        address table;
        assembly {
            table := create(0, add(init, 0x20), mload(init))
        }
        if (table == address(0)) revert TableCreationFailed();
        _epochs[epoch] = EpochSchedule(seed, table, stakeEpoch, uint32(n), random);
        lastSeed = seed;
        nextEpoch = epoch + 1;
        emit EpochFixed(epoch, seed, stakeEpoch, random, table);
    }

    // ------------------------------------------------------------------ reputation

    /// @notice Records that the operator at `operatorIndex` missed slot `slot` (halves its
    ///         reputation, down to REP_MIN) or committed it (adds REP_RECOVERY, up to REP_MAX).
    function recordSlot(uint32 operatorIndex, uint64 slot, bool missed) external returns (uint16 reputation) {
        if (msg.sender != reporter) revert NotReporter();
        uint16 rep = REP_MAX - _penalty[operatorIndex];
        if (missed) {
            rep = rep / 2 < REP_MIN ? REP_MIN : rep / 2;
        } else {
            rep = rep + REP_RECOVERY > REP_MAX ? REP_MAX : rep + REP_RECOVERY;
        }
        _penalty[operatorIndex] = REP_MAX - rep;
        emit SlotOutcome(operatorIndex, slot, missed, rep);
        return rep;
    }

    function reputationOf(uint32 operatorIndex) external view returns (uint16) {
        return REP_MAX - _penalty[operatorIndex];
    }

    // ------------------------------------------------------------------ the schedule

    function epochSchedule(uint64 epoch)
        external
        view
        returns (bool fixed_, bytes32 seed, uint32 stakeEpoch, bool random, address weightsTable)
    {
        EpochSchedule memory e = _epochs[epoch];
        return (e.weights != address(0), e.seed, e.stakeEpoch, e.random, e.weights);
    }

    /// @notice The weights of epoch `epoch`, by operator index (stake x reputation in bps).
    function weightsOf(uint64 epoch) public view returns (uint256[] memory weights, uint256 total) {
        EpochSchedule memory e = _epochs[epoch];
        if (e.weights == address(0)) revert EpochNotFixed(epoch);
        return _readWeights(e.weights, e.operators);
    }

    /// @notice Operator indices of slot `slot`'s leader (rank 0) and backups (rank k), NONE where
    ///         there are fewer operators with weight than ranks.
    function ranksOf(uint64 slot) external view returns (uint32[] memory ranks) {
        uint64 epoch = epochOf(slot);
        EpochSchedule memory e = _epochs[epoch];
        if (e.weights == address(0)) revert EpochNotFixed(epoch);
        (uint256[] memory w, uint256 total) = _readWeights(e.weights, e.operators);
        ranks = new uint32[](uint256(backups) + 1);
        _draw(w, total, e.seed, slot, ranks);
    }

    /// @notice The rank of `operatorIndex` in slot `slot` (0 = leader), or NONE.
    function rankOf(uint64 slot, uint32 operatorIndex) external view returns (uint32) {
        uint32[] memory r = this.ranksOf(slot);
        for (uint256 k = 0; k < r.length; k++) {
            if (r[k] == operatorIndex) return uint32(k);
        }
        return NONE;
    }

    /// @notice ranksOf for `count` consecutive slots from `fromSlot`, flattened: entry
    ///         (slot - fromSlot) * (backups + 1) + k is rank k of that slot.
    function ranksInRange(uint64 fromSlot, uint32 count) external view returns (uint32[] memory flat) {
        uint256 width = uint256(backups) + 1;
        flat = new uint32[](uint256(count) * width);
        uint32[] memory ranks = new uint32[](width);
        uint64 loaded = type(uint64).max;
        uint256[] memory w;
        uint256 total;
        bytes32 seed;
        for (uint256 j = 0; j < count; j++) {
            uint64 slot = fromSlot + uint64(j);
            uint64 epoch = epochOf(slot);
            if (epoch != loaded) {
                EpochSchedule memory e = _epochs[epoch];
                if (e.weights == address(0)) revert EpochNotFixed(epoch);
                (w, total) = _readWeights(e.weights, e.operators);
                seed = e.seed;
                loaded = epoch;
            }
            _draw(w, total, seed, slot, ranks);
            for (uint256 k = 0; k < width; k++) {
                flat[j * width + k] = ranks[k];
            }
        }
    }

    function _readWeights(address table, uint256 n) private view returns (uint256[] memory w, uint256 total) {
        w = new uint256[](n);
        bytes memory raw = new bytes(WEIGHT_BYTES * n);
        assembly {
            extcodecopy(table, add(raw, 0x20), 1, mul(n, 16))
        }
        for (uint256 i = 0; i < n; i++) {
            uint256 v;
            assembly {
                v := shr(128, mload(add(add(raw, 0x20), mul(i, 16))))
            }
            w[i] = v;
            total += v;
        }
    }

    /// @dev Fills ranks[0..] with draws without repetition; NONE once the weight is used up.
    function _draw(uint256[] memory w, uint256 total, bytes32 seed, uint64 slot, uint32[] memory ranks) private pure {
        uint256 remaining = total;
        uint256 n = w.length;
        for (uint256 k = 0; k < ranks.length; k++) {
            ranks[k] = NONE;
            if (remaining == 0) continue;
            uint256 x = uint256(keccak256(abi.encode(seed, slot, k))) % remaining;
            uint256 acc;
            for (uint256 i = 0; i < n; i++) {
                uint256 wi = w[i];
                if (wi == 0 || _drawn(ranks, k, i)) continue;
                acc += wi;
                if (x < acc) {
                    ranks[k] = uint32(i);
                    remaining -= wi;
                    break;
                }
            }
        }
    }

    function _drawn(uint32[] memory ranks, uint256 k, uint256 i) private pure returns (bool) {
        for (uint256 j = 0; j < k; j++) {
            if (ranks[j] == i) return true;
        }
        return false;
    }
}
