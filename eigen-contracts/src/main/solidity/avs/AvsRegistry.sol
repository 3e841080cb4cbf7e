// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IStrategy, IAVSRegistrar, IRestakingTypes} from "../core/Interfaces.sol";
import {BLS12381} from "./BLS12381.sol";
import {AvsEip712} from "./AvsEip712.sol";

interface IAllocationManagerForAvs is IRestakingTypes {
    struct CreateSetParams {
        uint32 operatorSetId;
        IStrategy[] strategies;
    }

    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }

    function createOperatorSets(address avs, CreateSetParams[] calldata params) external;
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares);
    function getAllocatedStake(OperatorSet memory operatorSet, address[] memory operators, IStrategy[] memory strategies)
        external
        view
        returns (uint256[][] memory);
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external;
}

/// @title The AVS: service manager, operator-set registrar with BLS12-381 keys, stake snapshots
///        per epoch, and the certificate verifier.
/// @notice This contract is the `avs` address of its operator sets in the AllocationManager and
///         the EIP-712 verifyingContract of every message operators sign.
///
///         Registration `data` (passed through AllocationManager.registerForOperatorSets) is exactly
///         384 bytes: the BLS public key in EIP-2537 G1 form (128 bytes) followed by the proof of
///         possession in EIP-2537 G2 form (256 bytes): a signature with the POP DST over the
///         48-byte compressed public key, which this contract derives from the G1 point.
///
///         Epochs: epoch(b) = b / epochLength. The operator set "at epoch e" is the state at the
///         first block of epoch e: a change made during epoch c takes effect from epoch c + 1.
///         Certificates name their stakeEpoch e and are accepted while
///         e <= currentEpoch <= e + maxEpochAge.
contract AvsRegistry is IAVSRegistrar, IRestakingTypes {
    using BLS12381 for BLS12381.PackedG1;

    bytes internal constant DST_SIG = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    bytes internal constant DST_POP = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    uint256 internal constant BPS = 10_000;
    // operator table layout (contract code, after one STOP byte): a header of the packed apk (96
    // bytes) and one word activeCount << 96 | totalStake, then per operator index its packed key
    // (96 bytes) and 16 bytes active << 96 | stake
    uint256 internal constant TABLE_HEADER = 128;
    uint256 internal constant TABLE_ENTRY = 112;
    uint256 internal constant MASK96 = 0xffffffffffffffffffffffff;

    struct StakeCheckpoint {
        uint32 fromEpoch;
        uint96 stake;
        bool active;
    }

    struct SetCheckpoint {
        uint32 fromEpoch;
        uint96 totalStake;
        uint32 activeCount;
        bytes32 apk0;
        bytes32 apk1;
        bytes32 apk2;
    }

    /// @dev One storage word, so the certificate check's common case costs one SLOAD: the set's
    ///      configuration and its current operator table (the table is valid from tableFromEpoch
    ///      on; address(0) until someone publishes it).
    struct SetConfig {
        bool exists;
        uint16 thresholdBps;
        uint32 tableFromEpoch;
        address table;
    }

    /// @dev An earlier operator table and the epochs it describes, [fromEpoch, untilEpoch).
    struct TableRange {
        uint32 fromEpoch;
        uint32 untilEpoch;
        address table;
    }

    IAllocationManagerForAvs public immutable allocationManager;
    uint32 public immutable epochLength;
    uint32 public immutable maxEpochAge;
    address public immutable owner;
    address public slasher;

    mapping(address => BLS12381.PackedG1) internal _pubkey;
    mapping(bytes32 => address) public keyOwner;
    mapping(uint32 => SetConfig) public setConfig;
    uint32[] internal _setIds;
    mapping(uint32 => address[]) internal _setOperators;
    mapping(uint32 => mapping(address => uint32)) internal _indexPlusOne;
    mapping(uint32 => mapping(uint32 => BLS12381.PackedG1)) internal _slotKey;
    mapping(uint32 => mapping(uint32 => StakeCheckpoint)) internal _stakeHead;
    mapping(uint32 => mapping(uint32 => StakeCheckpoint[])) internal _stakeOlder;
    mapping(uint32 => SetCheckpoint) internal _setHead;
    mapping(uint32 => SetCheckpoint[]) internal _setOlder;
    mapping(uint32 => TableRange[]) internal _olderTables;

    event OperatorSetConfigured(uint32 indexed operatorSetId, uint16 thresholdBps);
    event PubkeyRegistered(address indexed operator, bytes32 indexed pubkeyHash, bytes pubkeyG1);
    event OperatorRegistered(address indexed operator, uint32 indexed operatorSetId, uint32 operatorIndex);
    event OperatorDeregistered(address indexed operator, uint32 indexed operatorSetId, uint32 operatorIndex);
    event OperatorStakeUpdated(
        address indexed operator, uint32 indexed operatorSetId, uint32 fromEpoch, uint96 stake, bool active
    );
    event SlasherSet(address slasher);
    event OperatorTablePublished(uint32 indexed operatorSetId, uint32 indexed fromEpoch, address table);

    error OnlyOwner();
    error OnlyAllocationManager();
    error OnlySlasher();
    error WrongAvs();
    error UnknownOperatorSet(uint32 operatorSetId);
    error OperatorSetExists(uint32 operatorSetId);
    error InvalidThreshold();
    error InvalidRegistrationData(uint256 length);
    error IdentityKey();
    error KeyAlreadyRegistered(address owner);
    error OperatorKeyMismatch();
    error InvalidProofOfPossession();
    error NotRegistered(address operator, uint32 operatorSetId);
    error StakeOverflow();
    error FutureEpoch(uint32 stakeEpoch, uint32 currentEpoch);
    error StaleEpoch(uint32 stakeEpoch, uint32 currentEpoch);
    error EmptyOperatorSet();
    error NonSignersNotSorted();
    error NonSignerOutOfRange(uint32 index);
    error NonSignerNotActive(uint32 index);
    error NoSigners();
    error MalformedSignature();
    error InvalidSignature();
    error BelowThreshold(uint256 signedStake, uint256 totalStake, uint16 thresholdBps);
    error TableAlreadyPublished(uint32 operatorSetId, uint32 fromEpoch);
    error TableCreationFailed();

    constructor(address allocationManager_, uint32 epochLength_, uint32 maxEpochAge_, address owner_) {
        require(epochLength_ > 0, "epochLength");
        allocationManager = IAllocationManagerForAvs(allocationManager_);
        epochLength = epochLength_;
        maxEpochAge = maxEpochAge_;
        owner = owner_;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert OnlyOwner();
        _;
    }

    modifier onlyAllocationManager() {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        _;
    }

    // ------------------------------------------------------------------ administration

    function createOperatorSet(uint32 operatorSetId, IStrategy[] calldata strategies, uint16 thresholdBps_)
        external
        onlyOwner
    {
        if (setConfig[operatorSetId].exists) revert OperatorSetExists(operatorSetId);
        if (thresholdBps_ == 0 || thresholdBps_ > BPS) revert InvalidThreshold();
        IAllocationManagerForAvs.CreateSetParams[] memory p = new IAllocationManagerForAvs.CreateSetParams[](1);
        p[0] = IAllocationManagerForAvs.CreateSetParams(operatorSetId, strategies);
        allocationManager.createOperatorSets(address(this), p);
        setConfig[operatorSetId] = SetConfig(true, thresholdBps_, 0, address(0));
        _setIds.push(operatorSetId);
        emit OperatorSetConfigured(operatorSetId, thresholdBps_);
    }

    function setThreshold(uint32 operatorSetId, uint16 thresholdBps_) external onlyOwner {
        if (!setConfig[operatorSetId].exists) revert UnknownOperatorSet(operatorSetId);
        if (thresholdBps_ == 0 || thresholdBps_ > BPS) revert InvalidThreshold();
        setConfig[operatorSetId].thresholdBps = thresholdBps_;
        emit OperatorSetConfigured(operatorSetId, thresholdBps_);
    }

    function setSlasher(address slasher_) external onlyOwner {
        slasher = slasher_;
        emit SlasherSet(slasher_);
    }

    function updateAVSMetadataURI(string calldata metadataURI) external onlyOwner {
        allocationManager.updateAVSMetadataURI(address(this), metadataURI);
    }

    // ------------------------------------------------------------------ registrar callbacks

    function supportsAVS(address avs) external view override returns (bool) {
        return avs == address(this);
    }

    function registerOperator(address operator, address avs, uint32[] calldata operatorSetIds, bytes calldata data)
        external
        override
        onlyAllocationManager
    {
        if (avs != address(this)) revert WrongAvs();
        BLS12381.PackedG1 memory key = _registerKey(operator, data);
        for (uint256 i = 0; i < operatorSetIds.length; i++) {
            uint32 setId = operatorSetIds[i];
            if (!setConfig[setId].exists) revert UnknownOperatorSet(setId);
            uint32 idx;
            if (_indexPlusOne[setId][operator] == 0) {
                idx = uint32(_setOperators[setId].length);
                _setOperators[setId].push(operator);
                _indexPlusOne[setId][operator] = idx + 1;
                _slotKey[setId][idx] = key;
            } else {
                idx = _indexPlusOne[setId][operator] - 1;
            }
            uint96 stake = _currentStake(operator, setId);
            _writeStake(setId, idx, operator, stake, true);
            emit OperatorRegistered(operator, setId, idx);
        }
    }

    function deregisterOperator(address operator, address avs, uint32[] calldata operatorSetIds)
        external
        override
        onlyAllocationManager
    {
        if (avs != address(this)) revert WrongAvs();
        for (uint256 i = 0; i < operatorSetIds.length; i++) {
            uint32 setId = operatorSetIds[i];
            uint32 ip1 = _indexPlusOne[setId][operator];
            if (ip1 == 0) revert NotRegistered(operator, setId);
            _writeStake(setId, ip1 - 1, operator, 0, false);
            emit OperatorDeregistered(operator, setId, ip1 - 1);
        }
    }

    /// @notice Re-reads the allocated stake of registered operators from the AllocationManager;
    ///         anyone may call it (stake changes in the core do not call back).
    function updateOperators(uint32 operatorSetId, address[] calldata operators) external {
        if (!setConfig[operatorSetId].exists) revert UnknownOperatorSet(operatorSetId);
        for (uint256 i = 0; i < operators.length; i++) {
            _refreshStake(operatorSetId, operators[i]);
        }
    }

    /// @notice Slashes an operator through AllocationManager.slashOperator (all strategies of the
    ///         set, the same wad each) and refreshes its stake. Only the slashing coordinator.
    function slash(address operator, uint32 operatorSetId, uint256 wadToSlash, string calldata description)
        external
        returns (uint256 slashId)
    {
        if (msg.sender != slasher) revert OnlySlasher();
        if (!setConfig[operatorSetId].exists) revert UnknownOperatorSet(operatorSetId);
        IStrategy[] memory strategies = _strategiesOf(operatorSetId);
        uint256[] memory wads = new uint256[](strategies.length);
        for (uint256 i = 0; i < wads.length; i++) {
            wads[i] = wadToSlash;
        }
        (slashId,) = allocationManager.slashOperator(
            address(this),
            IAllocationManagerForAvs.SlashingParams(operator, operatorSetId, strategies, wads, description)
        );
        if (_indexPlusOne[operatorSetId][operator] != 0) {
            _refreshStake(operatorSetId, operator);
        }
    }

    // ------------------------------------------------------------------ certificate verification

    /// @notice Verifies an aggregate BLS signature by the operator set at stakeEpoch, minus the
    ///         listed non-signers, over `digest`. Reverts on a wrong or stale epoch, malformed
    ///         or unsorted non-signer indices, a malformed or invalid signature.
    /// @dev Reads the epoch's operator table (see publishOperatorTable) when one is published, and
    ///      the stake checkpoints in storage otherwise; both give the same answer.
    /// @param nonSignerIndices strictly ascending operator indices (see operatorIndex) of the
    ///        operators that were active at stakeEpoch and did not sign
    /// @param aggregateSignature 256-byte EIP-2537 G2 point
    /// @return signedStake stake of the signers at stakeEpoch
    /// @return totalStake stake of the whole operator set at stakeEpoch
    function checkSignatures(
        bytes32 digest,
        uint32 operatorSetId,
        uint32 stakeEpoch,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) public view returns (uint256 signedStake, uint256 totalStake) {
        (signedStake, totalStake,) = _check(digest, operatorSetId, stakeEpoch, nonSignerIndices, aggregateSignature);
    }

    /// @notice checkSignatures plus the set's stake threshold: reverts with BelowThreshold when
    ///         signedStake * 10000 < totalStake * thresholdBps.
    function verifyCertificate(
        bytes32 digest,
        uint32 operatorSetId,
        uint32 stakeEpoch,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) public view returns (uint256 signedStake, uint256 totalStake) {
        uint16 t;
        (signedStake, totalStake, t) =
            _check(digest, operatorSetId, stakeEpoch, nonSignerIndices, aggregateSignature);
        if (signedStake * BPS < totalStake * t) revert BelowThreshold(signedStake, totalStake, t);
    }

    function _check(
        bytes32 digest,
        uint32 operatorSetId,
        uint32 stakeEpoch,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) private view returns (uint256 signedStake, uint256 totalStake, uint16 threshold) {
        SetConfig memory c = setConfig[operatorSetId];
        if (!c.exists) revert UnknownOperatorSet(operatorSetId);
        threshold = c.thresholdBps;
        if (aggregateSignature.length != 256) revert MalformedSignature();
        uint32 cur = currentEpoch();
        if (stakeEpoch > cur) revert FutureEpoch(stakeEpoch, cur);
        if (cur - stakeEpoch > maxEpochAge) revert StaleEpoch(stakeEpoch, cur);
        address table = stakeEpoch >= c.tableFromEpoch ? c.table : _olderTableAt(operatorSetId, stakeEpoch);

        // memory: [apk 128][non-signer sum 128][tmp 128][raw table bytes 128]
        bytes memory work = new bytes(512);
        uint256 apkPtr;
        assembly {
            apkPtr := add(work, 0x20)
        }
        uint256 nonSignerStake;
        if (table != address(0)) {
            (nonSignerStake, totalStake) = _subtractNonSignersFromTable(table, nonSignerIndices, apkPtr);
        } else {
            (nonSignerStake, totalStake) =
                _subtractNonSignersFromStorage(operatorSetId, stakeEpoch, nonSignerIndices, apkPtr);
        }
        signedStake = totalStake - nonSignerStake;
        bytes memory hm = BLS12381.hashToG2(abi.encodePacked(digest), DST_SIG);
        if (!BLS12381.pairingCheckAt(apkPtr, hm, aggregateSignature)) revert InvalidSignature();
    }

    /// @dev Writes apk(epoch) minus the non-signers' keys at apkPtr from the stake checkpoints.
    function _subtractNonSignersFromStorage(
        uint32 operatorSetId,
        uint32 stakeEpoch,
        uint32[] calldata nonSignerIndices,
        uint256 apkPtr
    ) private view returns (uint256 nonSignerStake, uint256 totalStake) {
        SetCheckpoint memory sc = _setAt(operatorSetId, stakeEpoch);
        if (sc.activeCount == 0) revert EmptyOperatorSet();
        if (nonSignerIndices.length >= sc.activeCount) revert NoSigners();
        BLS12381.unpackTo(BLS12381.PackedG1(sc.apk0, sc.apk1, sc.apk2), apkPtr);
        uint256 nsPtr = apkPtr + 128;
        uint256 tmpPtr = apkPtr + 256;
        uint256 count = _setOperators[operatorSetId].length;
        for (uint256 i = 0; i < nonSignerIndices.length; i++) {
            uint32 idx = nonSignerIndices[i];
            if (i > 0 && idx <= nonSignerIndices[i - 1]) revert NonSignersNotSorted();
            if (idx >= count) revert NonSignerOutOfRange(idx);
            StakeCheckpoint memory cp = _stakeAt(operatorSetId, idx, stakeEpoch);
            if (!cp.active) revert NonSignerNotActive(idx);
            nonSignerStake += cp.stake;
            BLS12381.unpackTo(_slotKey[operatorSetId][idx], tmpPtr);
            BLS12381.g1AddAt(nsPtr, tmpPtr, nsPtr);
        }
        if (nonSignerIndices.length > 0) {
            BLS12381.negateAt(nsPtr);
            BLS12381.g1AddAt(apkPtr, nsPtr, apkPtr);
        }
        totalStake = sc.totalStake;
    }

    /// @dev The same from a published operator table: one EXTCODECOPY for the header and one per
    ///      non-signer.
    function _subtractNonSignersFromTable(address table, uint32[] calldata nonSignerIndices, uint256 apkPtr)
        private
        view
        returns (uint256 nonSignerStake, uint256 totalStake)
    {
        uint256 nsPtr = apkPtr + 128;
        uint256 rawPtr = apkPtr + 384;
        uint256 activeCount;
        uint256 count;
        assembly {
            extcodecopy(table, rawPtr, 1, TABLE_HEADER)
            let w := mload(add(rawPtr, 0x60))
            totalStake := and(w, MASK96)
            activeCount := shr(96, w)
            count := div(sub(extcodesize(table), add(1, TABLE_HEADER)), TABLE_ENTRY)
        }
        if (activeCount == 0) revert EmptyOperatorSet();
        if (nonSignerIndices.length >= activeCount) revert NoSigners();
        BLS12381.expandPackedAt(rawPtr, apkPtr);
        for (uint256 i = 0; i < nonSignerIndices.length; i++) {
            uint32 idx = nonSignerIndices[i];
            if (i > 0 && idx <= nonSignerIndices[i - 1]) revert NonSignersNotSorted();
            if (idx >= count) revert NonSignerOutOfRange(idx);
            uint256 flags;
            assembly {
                extcodecopy(table, rawPtr, add(add(1, TABLE_HEADER), mul(idx, TABLE_ENTRY)), TABLE_ENTRY)
                flags := shr(128, mload(add(rawPtr, 0x60)))
            }
            if (flags >> 96 == 0) revert NonSignerNotActive(idx);
            nonSignerStake += flags & MASK96;
            if (i == 0) {
                BLS12381.expandPackedAt(rawPtr, nsPtr);
            } else {
                BLS12381.expandPackedAt(rawPtr, apkPtr + 256);
                BLS12381.g1AddAt(nsPtr, apkPtr + 256, nsPtr);
            }
        }
        if (nonSignerIndices.length > 0) {
            BLS12381.negateAt(nsPtr);
            BLS12381.g1AddAt(apkPtr, nsPtr, apkPtr);
        }
    }

    function _olderTableAt(uint32 setId, uint32 epoch) private view returns (address) {
        TableRange[] storage older = _olderTables[setId];
        for (uint256 i = older.length; i > 0; i--) {
            TableRange memory r = older[i - 1];
            if (r.fromEpoch <= epoch) return epoch < r.untilEpoch ? r.table : address(0);
        }
        return address(0);
    }

    // ------------------------------------------------------------------ operator tables

    /// @notice Writes the operator set's latest snapshot (the state from its last change's epoch on)
    ///         as an immutable table contract, so certificates for those epochs verify with one
    ///         SLOAD and EXTCODECOPY instead of four SLOADs per non-signer. Anyone may call it, once
    ///         per change of the set; until it is called, certificates verify from storage (the
    ///         same result at a higher gas cost). A later change of the set in the same epoch
    ///         withdraws the table again.
    /// @return table the table contract's address
    function publishOperatorTable(uint32 operatorSetId) external returns (address table) {
        SetConfig storage c = setConfig[operatorSetId];
        if (!c.exists) revert UnknownOperatorSet(operatorSetId);
        if (c.table != address(0)) revert TableAlreadyPublished(operatorSetId, c.tableFromEpoch);
        SetCheckpoint memory s = _setHead[operatorSetId];
        if (s.activeCount == 0) revert EmptyOperatorSet();
        uint256 n = _setOperators[operatorSetId].length;
        // init code (12 bytes) that returns everything after it as the new contract's code: a
        // STOP byte, so the table can never run, then the table
        uint256 codeLen = 1 + TABLE_HEADER + TABLE_ENTRY * n;
        bytes memory init = new bytes(12 + codeLen + 32);
        assembly {
            let d := add(init, 0x20)
            // PUSH2 codeLen DUP1 PUSH1 12 PUSH1 0 CODECOPY PUSH1 0 RETURN
            mstore(d, or(shl(248, 0x61), or(shl(232, codeLen), shl(160, 0x80600c6000396000f3))))
            mstore(init, add(12, codeLen))
        }
        uint256 base;
        assembly {
            base := add(add(init, 0x20), 13)
        }
        _writePacked(base, BLS12381.PackedG1(s.apk0, s.apk1, s.apk2));
        uint256 headerWord = (uint256(s.activeCount) << 96) | s.totalStake;
        assembly {
            mstore(add(base, 0x60), headerWord)
        }
        for (uint256 i = 0; i < n; i++) {
            StakeCheckpoint memory cp = _stakeHead[operatorSetId][uint32(i)];
            uint256 entry = base + TABLE_HEADER + TABLE_ENTRY * i;
            _writePacked(entry, _slotKey[operatorSetId][uint32(i)]);
            uint256 flags = cp.active ? (uint256(1) << 96) | cp.stake : 0;
            assembly {
                // 16 bytes after the key; the next entry overwrites the rest of the word
                mstore(add(entry, 0x60), shl(128, flags))
            }
        }
        assembly {
            table := create(0, add(init, 0x20), mload(init))
        }
        if (table == address(0)) revert TableCreationFailed();
        c.table = table;
        emit OperatorTablePublished(operatorSetId, c.tableFromEpoch, table);
    }

    /// @notice The operator table that certificates at `epoch` are checked against, or address(0)
    ///         when none is published (they are checked against storage then).
    function operatorTableAt(uint32 operatorSetId, uint32 epoch) external view returns (address) {
        SetConfig memory c = setConfig[operatorSetId];
        return epoch >= c.tableFromEpoch ? c.table : _olderTableAt(operatorSetId, epoch);
    }

    function _writePacked(uint256 ptr, BLS12381.PackedG1 memory k) private pure {
        bytes32 w0 = k.w0;
        bytes32 w1 = k.w1;
        bytes32 w2 = k.w2;
        assembly {
            mstore(ptr, w0)
            mstore(add(ptr, 0x20), w1)
            mstore(add(ptr, 0x40), w2)
        }
    }

    /// @notice Verifies one operator's own signature over `digest` (used for slashing evidence).
    function verifyOperatorSignature(address operator, bytes32 digest, bytes calldata signature)
        public
        view
        returns (bool)
    {
        BLS12381.PackedG1 memory k = _pubkey[operator];
        if (k.isZero() || signature.length != 256) return false;
        bytes memory pk = k.unpack();
        return BLS12381.pairingCheck(pk, BLS12381.hashToG2(abi.encodePacked(digest), DST_SIG), signature);
    }

    // ------------------------------------------------------------------ EIP-712

    function domainSeparator() external view returns (bytes32) {
        return AvsEip712.domainSeparator(address(this));
    }

    function finalityAttestationDigest(AvsEip712.FinalityAttestation calldata a) external view returns (bytes32) {
        return AvsEip712.digest(address(this), AvsEip712.hashFinalityAttestation(a));
    }

    // ------------------------------------------------------------------ views

    function currentEpoch() public view returns (uint32) {
        return uint32(block.number / epochLength);
    }

    function epochStartBlock(uint32 epoch) external view returns (uint256) {
        return uint256(epoch) * epochLength;
    }

    function getOperatorSetIds() external view returns (uint32[] memory) {
        return _setIds;
    }

    function thresholdBps(uint32 operatorSetId) external view returns (uint16) {
        return setConfig[operatorSetId].thresholdBps;
    }

    /// @notice The operator's BLS key in EIP-2537 G1 form (128 bytes), empty if none.
    function pubkeyOf(address operator) external view returns (bytes memory) {
        BLS12381.PackedG1 memory k = _pubkey[operator];
        if (k.isZero()) return "";
        return k.unpack();
    }

    function compressedPubkeyOf(address operator) external view returns (bytes memory) {
        BLS12381.PackedG1 memory k = _pubkey[operator];
        if (k.isZero()) return "";
        return BLS12381.compressG1(k.unpack());
    }

    function operatorCount(uint32 operatorSetId) external view returns (uint256) {
        return _setOperators[operatorSetId].length;
    }

    function operatorAt(uint32 operatorSetId, uint32 index) external view returns (address) {
        return _setOperators[operatorSetId][index];
    }

    /// @notice The operator's permanent index in the set; reverts if it never registered.
    function operatorIndex(uint32 operatorSetId, address operator) external view returns (uint32) {
        uint32 ip1 = _indexPlusOne[operatorSetId][operator];
        if (ip1 == 0) revert NotRegistered(operator, operatorSetId);
        return ip1 - 1;
    }

    function stakeAt(uint32 operatorSetId, uint32 index, uint32 epoch) external view returns (uint96 stake, bool active) {
        StakeCheckpoint memory cp = _stakeAt(operatorSetId, index, epoch);
        return (cp.stake, cp.active);
    }

    /// @notice Total stake, number of active operators and aggregate public key (EIP-2537 G1)
    ///         of the set at `epoch`.
    function setSnapshotAt(uint32 operatorSetId, uint32 epoch)
        external
        view
        returns (uint256 totalStake, uint32 activeCount, bytes memory apk)
    {
        SetCheckpoint memory sc = _setAt(operatorSetId, epoch);
        return (sc.totalStake, sc.activeCount, BLS12381.PackedG1(sc.apk0, sc.apk1, sc.apk2).unpack());
    }

    /// @notice The whole operator set at `epoch`, in index order: what an aggregator or a bridge
    ///         needs to build or check a certificate. keys is n x 128 bytes (EIP-2537 G1).
    function operatorSetAt(uint32 operatorSetId, uint32 epoch)
        external
        view
        returns (address[] memory operators, uint96[] memory stakes, bool[] memory active, bytes memory keys)
    {
        uint256 n = _setOperators[operatorSetId].length;
        operators = _setOperators[operatorSetId];
        stakes = new uint96[](n);
        active = new bool[](n);
        keys = new bytes(n * 128);
        for (uint256 i = 0; i < n; i++) {
            StakeCheckpoint memory cp = _stakeAt(operatorSetId, uint32(i), epoch);
            stakes[i] = cp.stake;
            active[i] = cp.active;
            uint256 ptr;
            assembly {
                ptr := add(add(keys, 0x20), mul(i, 128))
            }
            BLS12381.unpackTo(_slotKey[operatorSetId][uint32(i)], ptr);
        }
    }

    // ------------------------------------------------------------------ internals

    function _registerKey(address operator, bytes calldata data) private returns (BLS12381.PackedG1 memory key) {
        if (data.length != 384) revert InvalidRegistrationData(data.length);
        bytes memory pk = data[0:128];
        key = BLS12381.pack(pk);
        if (key.isZero()) revert IdentityKey();
        bytes32 keyHash = keccak256(pk);
        BLS12381.PackedG1 memory existing = _pubkey[operator];
        if (!existing.isZero()) {
            // an operator keeps its key; re-registration (another set, or after leaving) must repeat it
            if (keyOwner[keyHash] != operator) revert OperatorKeyMismatch();
            return existing;
        }
        address holder = keyOwner[keyHash];
        if (holder != address(0)) revert KeyAlreadyRegistered(holder);
        bytes memory pop = data[128:384];
        bytes memory hm = BLS12381.hashToG2(BLS12381.compressG1(pk), DST_POP);
        // the pairing precompile rejects points off the curve or outside the subgroups
        if (!BLS12381.pairingCheck(pk, hm, pop)) revert InvalidProofOfPossession();
        _pubkey[operator] = key;
        keyOwner[keyHash] = operator;
        emit PubkeyRegistered(operator, keyHash, pk);
    }

    function _refreshStake(uint32 setId, address operator) private {
        uint32 ip1 = _indexPlusOne[setId][operator];
        if (ip1 == 0) revert NotRegistered(operator, setId);
        StakeCheckpoint memory head = _stakeHead[setId][ip1 - 1];
        if (!head.active) return;
        uint96 stake = _currentStake(operator, setId);
        if (stake != head.stake) {
            _writeStake(setId, ip1 - 1, operator, stake, true);
        }
    }

    /// @dev Records (stake, active) for the operator from the next epoch on and updates the set's
    ///      total stake, active count and aggregate key.
    function _writeStake(uint32 setId, uint32 idx, address operator, uint96 stake, bool active) private {
        uint32 next = currentEpoch() + 1;
        StakeCheckpoint storage head = _stakeHead[setId][idx];
        StakeCheckpoint memory prev = head;
        if (prev.fromEpoch != next) {
            _stakeOlder[setId][idx].push(prev);
        }
        _stakeHead[setId][idx] = StakeCheckpoint(next, stake, active);
        emit OperatorStakeUpdated(operator, setId, next, stake, active);

        SetCheckpoint storage sh = _setHead[setId];
        SetCheckpoint memory s = sh;
        if (s.fromEpoch != next) {
            _setOlder[setId].push(s);
            s.fromEpoch = next;
        }
        uint256 total = uint256(s.totalStake) - (prev.active ? prev.stake : 0) + (active ? stake : 0);
        if (total > type(uint96).max) revert StakeOverflow();
        s.totalStake = uint96(total);
        if (prev.active != active) {
            bytes memory work = new bytes(256);
            uint256 apkPtr;
            assembly {
                apkPtr := add(work, 0x20)
            }
            BLS12381.unpackTo(BLS12381.PackedG1(s.apk0, s.apk1, s.apk2), apkPtr);
            BLS12381.unpackTo(_slotKey[setId][idx], apkPtr + 128);
            if (!active) {
                BLS12381.negateAt(apkPtr + 128);
                s.activeCount -= 1;
            } else {
                s.activeCount += 1;
            }
            BLS12381.g1AddAt(apkPtr, apkPtr + 128, apkPtr);
            bytes memory sum = new bytes(128);
            assembly {
                mcopy(add(sum, 0x20), apkPtr, 128)
            }
            BLS12381.PackedG1 memory packed = BLS12381.pack(sum);
            (s.apk0, s.apk1, s.apk2) = (packed.w0, packed.w1, packed.w2);
        }
        _setHead[setId] = s;

        // the published table (if any) no longer describes epochs from `next` on
        SetConfig storage c = setConfig[setId];
        // (only published tables are kept: epochs without one verify from storage)
        if (c.tableFromEpoch != next) {
            if (c.table != address(0)) {
                _olderTables[setId].push(TableRange(c.tableFromEpoch, next, c.table));
            }
            c.tableFromEpoch = next;
        }
        c.table = address(0);
    }

    function _stakeAt(uint32 setId, uint32 idx, uint32 epoch) private view returns (StakeCheckpoint memory cp) {
        cp = _stakeHead[setId][idx];
        if (cp.fromEpoch <= epoch) return cp;
        StakeCheckpoint[] storage older = _stakeOlder[setId][idx];
        for (uint256 i = older.length; i > 0; i--) {
            if (older[i - 1].fromEpoch <= epoch) return older[i - 1];
        }
        return StakeCheckpoint(0, 0, false);
    }

    function _setAt(uint32 setId, uint32 epoch) private view returns (SetCheckpoint memory sc) {
        sc = _setHead[setId];
        if (sc.fromEpoch <= epoch) return sc;
        SetCheckpoint[] storage older = _setOlder[setId];
        for (uint256 i = older.length; i > 0; i--) {
            if (older[i - 1].fromEpoch <= epoch) return older[i - 1];
        }
        return SetCheckpoint(0, 0, 0, 0, 0, 0);
    }

    function _currentStake(address operator, uint32 setId) private view returns (uint96) {
        IStrategy[] memory strategies = _strategiesOf(setId);
        address[] memory ops = new address[](1);
        ops[0] = operator;
        uint256[][] memory s = allocationManager.getAllocatedStake(OperatorSet(address(this), setId), ops, strategies);
        uint256 sum;
        for (uint256 i = 0; i < strategies.length; i++) {
            sum += s[0][i];
        }
        if (sum > type(uint96).max) revert StakeOverflow();
        return uint96(sum);
    }

    function _strategiesOf(uint32 setId) private view returns (IStrategy[] memory) {
        return IStrategiesView(address(allocationManager)).getStrategiesInOperatorSet(OperatorSet(address(this), setId));
    }
}

interface IStrategiesView is IRestakingTypes {
    function getStrategiesInOperatorSet(OperatorSet memory operatorSet) external view returns (IStrategy[] memory);
}
