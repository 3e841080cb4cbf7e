// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IStrategy, IAVSRegistrar, IRestakingTypes} from "./Interfaces.sol";

interface IDelegationForAllocation {
    function isOperator(address operator) external view returns (bool);
    function operatorShares(address operator, IStrategy strategy) external view returns (uint256);
    function slashOperatorShares(address operator, IStrategy strategy, uint64 prevMaxMagnitude, uint64 newMaxMagnitude)
        external
        returns (uint256);
}

/// @title Operator sets, allocations of slashable magnitude, and slashing (EigenLayer-shaped).
/// @notice Magnitudes are in WAD (1e18 = all of an operator's delegated shares in a strategy).
///         Allocated stake of an operator in a set = operatorShares * currentMagnitude / maxMagnitude.
///         Allocation increases take effect after the operator's allocation delay (blocks),
///         decreases of a slashable allocation after DEALLOCATION_DELAY blocks; until then the
///         deallocated magnitude stays slashable.
contract AllocationManager is IRestakingTypes {
    uint64 internal constant WAD = 1e18;

    struct CreateSetParams {
        uint32 operatorSetId;
        IStrategy[] strategies;
    }

    struct RegisterParams {
        address avs;
        uint32[] operatorSetIds;
        bytes data;
    }

    struct DeregisterParams {
        address operator;
        address avs;
        uint32[] operatorSetIds;
    }

    struct AllocateParams {
        OperatorSet operatorSet;
        IStrategy[] strategies;
        uint64[] newMagnitudes;
    }

    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }

    struct Allocation {
        uint64 currentMagnitude;
        int128 pendingDiff;
        uint32 effectBlock;
    }

    struct StrategyInfo {
        bool initialized;
        uint64 maxMagnitude;
        uint64 encumberedMagnitude;
    }

    struct Registration {
        bool registered;
        uint32 slashableUntil;
    }

    struct DelayInfo {
        bool isSet;
        uint32 delay;
    }

    IDelegationForAllocation public immutable delegation;
    uint32 public immutable DEALLOCATION_DELAY;

    mapping(bytes32 => bool) internal _isSet;
    mapping(bytes32 => IStrategy[]) internal _setStrategies;
    mapping(bytes32 => address[]) internal _members;
    mapping(bytes32 => mapping(address => uint256)) internal _memberIndexPlusOne;
    mapping(address => mapping(bytes32 => Registration)) internal _registration;
    mapping(address => address) internal _registrar;
    mapping(address => DelayInfo) internal _delay;
    mapping(address => mapping(IStrategy => StrategyInfo)) internal _info;
    mapping(address => mapping(bytes32 => mapping(IStrategy => Allocation))) internal _alloc;
    uint256 public slashCount;

    event OperatorSetCreated(OperatorSet operatorSet);
    event StrategyAddedToOperatorSet(OperatorSet operatorSet, IStrategy strategy);
    event AVSRegistrarSet(address avs, address registrar);
    event AVSMetadataURIUpdated(address indexed avs, string metadataURI);
    event AllocationDelaySet(address operator, uint32 delay, uint32 effectBlock);
    event OperatorAddedToOperatorSet(address indexed operator, OperatorSet operatorSet);
    event OperatorRemovedFromOperatorSet(address indexed operator, OperatorSet operatorSet);
    event AllocationUpdated(
        address operator, OperatorSet operatorSet, IStrategy strategy, uint64 magnitude, uint32 effectBlock
    );
    event EncumberedMagnitudeUpdated(address operator, IStrategy strategy, uint64 encumberedMagnitude);
    event MaxMagnitudeUpdated(address operator, IStrategy strategy, uint64 maxMagnitude);
    event OperatorSlashed(
        address operator, OperatorSet operatorSet, IStrategy[] strategies, uint256[] wadSlashed, string description
    );

    error InvalidCaller();
    error InvalidOperator();
    error InvalidOperatorSet();
    error AlreadyMemberOfSet();
    error NotMemberOfSet();
    error InvalidStrategy();
    error UninitializedAllocationDelay();
    error ModificationAlreadyPending();
    error SameMagnitude();
    error InsufficientMagnitude();
    error InputArrayLengthMismatch();
    error InvalidWadToSlash();
    error OperatorNotSlashable();
    error DuplicateStrategy();
    error InvalidAVSRegistrar();

    constructor(address delegation_, uint32 deallocationDelay) {
        delegation = IDelegationForAllocation(delegation_);
        DEALLOCATION_DELAY = deallocationDelay;
    }

    // ------------------------------------------------------------------ AVS configuration

    function updateAVSMetadataURI(address avs, string calldata metadataURI) external {
        if (msg.sender != avs) revert InvalidCaller();
        emit AVSMetadataURIUpdated(avs, metadataURI);
    }

    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external {
        if (msg.sender != avs) revert InvalidCaller();
        if (!registrar.supportsAVS(avs)) revert InvalidAVSRegistrar();
        _registrar[avs] = address(registrar);
        emit AVSRegistrarSet(avs, address(registrar));
    }

    /// @notice The registrar called on (de)registration; the AVS address itself when unset.
    function getAVSRegistrar(address avs) public view returns (IAVSRegistrar) {
        address r = _registrar[avs];
        return IAVSRegistrar(r == address(0) ? avs : r);
    }

    function createOperatorSets(address avs, CreateSetParams[] calldata params) external {
        if (msg.sender != avs) revert InvalidCaller();
        for (uint256 i = 0; i < params.length; i++) {
            OperatorSet memory set = OperatorSet(avs, params[i].operatorSetId);
            bytes32 key = _key(set);
            if (_isSet[key]) revert InvalidOperatorSet();
            _isSet[key] = true;
            emit OperatorSetCreated(set);
            for (uint256 j = 0; j < params[i].strategies.length; j++) {
                IStrategy s = params[i].strategies[j];
                for (uint256 k = 0; k < j; k++) {
                    if (params[i].strategies[k] == s) revert DuplicateStrategy();
                }
                _setStrategies[key].push(s);
                emit StrategyAddedToOperatorSet(set, s);
            }
        }
    }

    // ------------------------------------------------------------------ operators

    /// @notice Called by the DelegationManager on registerAsOperator, or by the operator.
    function setAllocationDelay(address operator, uint32 delay) external {
        if (msg.sender != address(delegation) && msg.sender != operator) revert InvalidCaller();
        if (msg.sender == operator && !delegation.isOperator(operator)) revert InvalidOperator();
        _delay[operator] = DelayInfo(true, delay);
        emit AllocationDelaySet(operator, delay, uint32(block.number));
    }

    function getAllocationDelay(address operator) external view returns (bool isSet, uint32 delay) {
        DelayInfo memory d = _delay[operator];
        return (d.isSet, d.delay);
    }

    /// @notice EigenLayer's registerForOperatorSets(address,(address,uint32[],bytes)).
    function registerForOperatorSets(address operator, RegisterParams calldata params) external {
        if (msg.sender != operator) revert InvalidCaller();
        if (!delegation.isOperator(operator)) revert InvalidOperator();
        for (uint256 i = 0; i < params.operatorSetIds.length; i++) {
            OperatorSet memory set = OperatorSet(params.avs, params.operatorSetIds[i]);
            bytes32 key = _key(set);
            if (!_isSet[key]) revert InvalidOperatorSet();
            if (_memberIndexPlusOne[key][operator] != 0) revert AlreadyMemberOfSet();
            _members[key].push(operator);
            _memberIndexPlusOne[key][operator] = _members[key].length;
            _registration[operator][key] = Registration(true, 0);
            emit OperatorAddedToOperatorSet(operator, set);
        }
        getAVSRegistrar(params.avs).registerOperator(operator, params.avs, params.operatorSetIds, params.data);
    }

    /// @notice EigenLayer's deregisterFromOperatorSets((address,address,uint32[])). The operator
    ///         stays slashable for DEALLOCATION_DELAY blocks.
    function deregisterFromOperatorSets(DeregisterParams calldata params) external {
        if (msg.sender != params.operator && msg.sender != params.avs) revert InvalidCaller();
        for (uint256 i = 0; i < params.operatorSetIds.length; i++) {
            OperatorSet memory set = OperatorSet(params.avs, params.operatorSetIds[i]);
            bytes32 key = _key(set);
            uint256 idx = _memberIndexPlusOne[key][params.operator];
            if (idx == 0) revert NotMemberOfSet();
            address[] storage members = _members[key];
            address last = members[members.length - 1];
            members[idx - 1] = last;
            _memberIndexPlusOne[key][last] = idx;
            members.pop();
            delete _memberIndexPlusOne[key][params.operator];
            _registration[params.operator][key] = Registration(false, uint32(block.number) + DEALLOCATION_DELAY);
            emit OperatorRemovedFromOperatorSet(params.operator, set);
        }
        getAVSRegistrar(params.avs).deregisterOperator(params.operator, params.avs, params.operatorSetIds);
    }

    /// @notice EigenLayer's modifyAllocations(address,((address,uint32),address[],uint64[])[]).
    function modifyAllocations(address operator, AllocateParams[] calldata params) external {
        if (msg.sender != operator) revert InvalidCaller();
        DelayInfo memory d = _delay[operator];
        if (!d.isSet) revert UninitializedAllocationDelay();
        for (uint256 i = 0; i < params.length; i++) {
            if (params[i].strategies.length != params[i].newMagnitudes.length) revert InputArrayLengthMismatch();
            bytes32 key = _key(params[i].operatorSet);
            if (!_isSet[key]) revert InvalidOperatorSet();
            bool slashable = isOperatorSlashable(operator, params[i].operatorSet);
            for (uint256 j = 0; j < params[i].strategies.length; j++) {
                IStrategy s = params[i].strategies[j];
                if (!_setHasStrategy(key, s)) revert InvalidStrategy();
                StrategyInfo memory info = _strategyInfo(operator, s);
                Allocation memory a = _settle(operator, key, s, info);
                if (a.pendingDiff != 0) revert ModificationAlreadyPending();
                uint64 target = params[i].newMagnitudes[j];
                if (target == a.currentMagnitude) revert SameMagnitude();
                if (target > a.currentMagnitude) {
                    uint64 inc = target - a.currentMagnitude;
                    if (uint256(info.encumberedMagnitude) + inc > info.maxMagnitude) revert InsufficientMagnitude();
                    info.encumberedMagnitude += inc;
                    if (d.delay == 0) {
                        a.currentMagnitude = target;
                        a.effectBlock = uint32(block.number);
                    } else {
                        a.pendingDiff = int128(uint128(inc));
                        a.effectBlock = uint32(block.number) + d.delay;
                    }
                } else {
                    uint64 dec = a.currentMagnitude - target;
                    if (slashable && DEALLOCATION_DELAY > 0) {
                        a.pendingDiff = -int128(uint128(dec));
                        a.effectBlock = uint32(block.number) + DEALLOCATION_DELAY;
                    } else {
                        a.currentMagnitude = target;
                        info.encumberedMagnitude -= dec;
                        a.effectBlock = uint32(block.number);
                    }
                }
                _alloc[operator][key][s] = a;
                _info[operator][s] = info;
                emit AllocationUpdated(operator, params[i].operatorSet, s, target, a.effectBlock);
                emit EncumberedMagnitudeUpdated(operator, s, info.encumberedMagnitude);
            }
        }
    }

    /// @notice Completes due (de)allocations of one operator set and strategy (anyone may call).
    function clearDeallocation(address operator, OperatorSet calldata operatorSet, IStrategy strategy) external {
        bytes32 key = _key(operatorSet);
        StrategyInfo memory info = _strategyInfo(operator, strategy);
        Allocation memory a = _settle(operator, key, strategy, info);
        _alloc[operator][key][strategy] = a;
        _info[operator][strategy] = info;
    }

    // ------------------------------------------------------------------ slashing

    /// @notice EigenLayer's slashOperator(address,(address,uint32,address[],uint256[],string)).
    ///         Only the AVS itself may slash. Each wad is the fraction (WAD = 100%) of the
    ///         operator's magnitude allocated to the set (including pending deallocations) that
    ///         is slashed; the corresponding shares are burned.
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares)
    {
        if (msg.sender != avs) revert InvalidCaller();
        if (params.strategies.length != params.wadsToSlash.length) revert InputArrayLengthMismatch();
        OperatorSet memory set = OperatorSet(avs, params.operatorSetId);
        bytes32 key = _key(set);
        if (!_isSet[key]) revert InvalidOperatorSet();
        if (!isOperatorSlashable(params.operator, set)) revert OperatorNotSlashable();
        slashId = ++slashCount;
        shares = new uint256[](params.strategies.length);
        for (uint256 i = 0; i < params.strategies.length; i++) {
            IStrategy s = params.strategies[i];
            uint256 wad = params.wadsToSlash[i];
            if (wad == 0 || wad > WAD) revert InvalidWadToSlash();
            if (!_setHasStrategy(key, s)) revert InvalidStrategy();
            for (uint256 k = 0; k < i; k++) {
                if (params.strategies[k] == s) revert DuplicateStrategy();
            }
            StrategyInfo memory info = _strategyInfo(params.operator, s);
            Allocation memory a = _settle(params.operator, key, s, info);
            uint64 slashed = uint64(_mulDivUp(a.currentMagnitude, wad, WAD));
            a.currentMagnitude -= slashed;
            if (a.pendingDiff < 0) {
                uint64 pendingDec = uint64(uint128(-a.pendingDiff));
                uint64 slashedPending = uint64(_mulDivUp(pendingDec, wad, WAD));
                a.pendingDiff += int128(uint128(slashedPending));
                slashed += slashedPending;
            }
            uint64 prevMax = info.maxMagnitude;
            info.maxMagnitude -= slashed;
            info.encumberedMagnitude -= slashed;
            _alloc[params.operator][key][s] = a;
            _info[params.operator][s] = info;
            emit AllocationUpdated(params.operator, set, s, a.currentMagnitude, uint32(block.number));
            emit MaxMagnitudeUpdated(params.operator, s, info.maxMagnitude);
            if (slashed > 0) {
                shares[i] = delegation.slashOperatorShares(params.operator, s, prevMax, info.maxMagnitude);
            }
        }
        emit OperatorSlashed(params.operator, set, params.strategies, params.wadsToSlash, params.description);
    }

    // ------------------------------------------------------------------ views

    function isOperatorSet(OperatorSet memory operatorSet) external view returns (bool) {
        return _isSet[_key(operatorSet)];
    }

    function getStrategiesInOperatorSet(OperatorSet memory operatorSet) external view returns (IStrategy[] memory) {
        return _setStrategies[_key(operatorSet)];
    }

    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory) {
        return _members[_key(operatorSet)];
    }

    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _members[_key(operatorSet)].length;
    }

    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet) public view returns (bool) {
        return _memberIndexPlusOne[_key(operatorSet)][operator] != 0;
    }

    function isOperatorSlashable(address operator, OperatorSet memory operatorSet) public view returns (bool) {
        Registration memory r = _registration[operator][_key(operatorSet)];
        return r.registered || block.number <= r.slashableUntil;
    }

    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _strategyInfo(operator, strategy).maxMagnitude;
    }

    function getEncumberedMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _strategyInfo(operator, strategy).encumberedMagnitude;
    }

    function getAllocation(address operator, OperatorSet memory operatorSet, IStrategy strategy)
        external
        view
        returns (Allocation memory)
    {
        StrategyInfo memory info = _strategyInfo(operator, strategy);
        return _settle(operator, _key(operatorSet), strategy, info);
    }

    /// @notice Stake allocated now: operatorShares * currentMagnitude / maxMagnitude, per
    ///         operator and strategy.
    function getAllocatedStake(OperatorSet memory operatorSet, address[] memory operators, IStrategy[] memory strategies)
        external
        view
        returns (uint256[][] memory stake)
    {
        return _stakeAt(operatorSet, operators, strategies, 0);
    }

    /// @notice The stake that is guaranteed slashable until futureBlock: pending deallocations
    ///         that complete by then are deducted.
    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory stake) {
        return _stakeAt(operatorSet, operators, strategies, futureBlock);
    }

    // ------------------------------------------------------------------ internals

    function _stakeAt(OperatorSet memory operatorSet, address[] memory operators, IStrategy[] memory strategies, uint32 futureBlock)
        private
        view
        returns (uint256[][] memory stake)
    {
        bytes32 key = _key(operatorSet);
        stake = new uint256[][](operators.length);
        for (uint256 i = 0; i < operators.length; i++) {
            stake[i] = new uint256[](strategies.length);
            for (uint256 j = 0; j < strategies.length; j++) {
                StrategyInfo memory info = _strategyInfo(operators[i], strategies[j]);
                if (info.maxMagnitude == 0) continue;
                Allocation memory a = _settle(operators[i], key, strategies[j], info);
                uint256 mag = a.currentMagnitude;
                if (futureBlock != 0 && a.pendingDiff < 0 && a.effectBlock <= futureBlock) {
                    mag -= uint64(uint128(-a.pendingDiff));
                }
                stake[i][j] = delegation.operatorShares(operators[i], strategies[j]) * mag / info.maxMagnitude;
            }
        }
    }

    /// @dev Applies a pending modification whose effect block has passed (in memory).
    function _settle(address operator, bytes32 key, IStrategy s, StrategyInfo memory info)
        private
        view
        returns (Allocation memory a)
    {
        a = _alloc[operator][key][s];
        if (a.pendingDiff != 0 && block.number >= a.effectBlock) {
            if (a.pendingDiff > 0) {
                a.currentMagnitude += uint64(uint128(a.pendingDiff));
            } else {
                uint64 dec = uint64(uint128(-a.pendingDiff));
                a.currentMagnitude -= dec;
                info.encumberedMagnitude -= dec;
            }
            a.pendingDiff = 0;
        }
    }

    function _strategyInfo(address operator, IStrategy s) private view returns (StrategyInfo memory info) {
        info = _info[operator][s];
        if (!info.initialized) {
            info = StrategyInfo(true, WAD, 0);
        }
    }

    function _setHasStrategy(bytes32 key, IStrategy s) private view returns (bool) {
        IStrategy[] storage list = _setStrategies[key];
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == s) return true;
        }
        return false;
    }

    function _key(OperatorSet memory set) private pure returns (bytes32) {
        return bytes32(uint256(uint160(set.avs)) << 96 | uint256(set.id));
    }

    function _mulDivUp(uint256 x, uint256 y, uint256 d) private pure returns (uint256) {
        return (x * y + d - 1) / d;
    }
}
