// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20, IStrategy, IRestakingTypes} from "./Interfaces.sol";

interface IStrategyManagerForDelegation {
    function stakerDepositShares(address staker, IStrategy strategy) external view returns (uint256);
    function getDeposits(address staker) external view returns (IStrategy[] memory, uint256[] memory);
    function removeDepositShares(address staker, IStrategy strategy, uint256 shares) external;
    function addShares(address staker, IStrategy strategy, uint256 shares) external returns (uint256);
    function withdrawSharesAsTokens(address recipient, IStrategy strategy, IERC20 token, uint256 shares) external;
}

interface IAllocationManagerForDelegation {
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64);
    function setAllocationDelay(address operator, uint32 delay) external;
}

/// @title Operators, delegation and withdrawals (EigenLayer-shaped subset of the slashing release).
/// @notice Slashing math: a staker's withdrawable shares in a strategy are
///         depositShares * depositScalingFactor / WAD * maxMagnitude(operator) / WAD, where the
///         operator's max magnitude starts at WAD and shrinks with every slash. Queued withdrawals
///         stay slashable until they are completed.
contract DelegationManager is IRestakingTypes {
    uint256 internal constant WAD = 1e18;
    bytes32 internal constant DELEGATION_APPROVAL_TYPEHASH = keccak256(
        "DelegationApproval(address delegationApprover,address staker,address operator,bytes32 salt,uint256 expiry)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    address internal constant BURN_ADDRESS = 0x00000000000000000000000000000000000E16E4;

    struct QueuedWithdrawalParams {
        IStrategy[] strategies;
        uint256[] depositShares;
        address __deprecated_withdrawer;
    }

    struct Withdrawal {
        address staker;
        address delegatedTo;
        address withdrawer;
        uint256 nonce;
        uint32 startBlock;
        IStrategy[] strategies;
        uint256[] scaledShares;
    }

    address public immutable owner;
    uint32 public immutable minWithdrawalDelayBlocks;
    IStrategyManagerForDelegation public strategyManager;
    IAllocationManagerForDelegation public allocationManager;

    mapping(address => address) public delegatedTo;
    mapping(address => address) internal _delegationApprover;
    mapping(address => mapping(bytes32 => bool)) public delegationApproverSaltIsSpent;
    mapping(address => mapping(IStrategy => uint256)) public operatorShares;
    mapping(address => mapping(IStrategy => uint256)) internal _depositScalingFactor;
    mapping(address => uint256) public cumulativeWithdrawalsQueued;
    mapping(bytes32 => bool) public pendingWithdrawals;

    event OperatorRegistered(address indexed operator, address delegationApprover);
    event OperatorMetadataURIUpdated(address indexed operator, string metadataURI);
    event StakerDelegated(address indexed staker, address indexed operator);
    event StakerUndelegated(address indexed staker, address indexed operator);
    event OperatorSharesIncreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    event OperatorSharesDecreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    event OperatorSharesSlashed(address indexed operator, IStrategy strategy, uint256 totalSlashedShares);
    event SlashingWithdrawalQueued(bytes32 withdrawalRoot, Withdrawal withdrawal, uint256[] sharesToWithdraw);
    event SlashingWithdrawalCompleted(bytes32 withdrawalRoot);

    error OnlyOwner();
    error AlreadyInitialized();
    error OnlyStrategyManager();
    error OnlyAllocationManager();
    error ActivelyDelegated();
    error NotActivelyDelegated();
    error OperatorNotRegistered();
    error OperatorsCannotUndelegate();
    error SignatureExpired();
    error SaltSpent();
    error InvalidSignature();
    error InputArrayLengthMismatch();
    error WithdrawalNotQueued();
    error WithdrawalDelayNotElapsed();
    error WithdrawerMismatch();
    error FullySlashed();
    error Unauthorized();
    error ZeroShares();

    constructor(uint32 minWithdrawalDelayBlocks_, address owner_) {
        minWithdrawalDelayBlocks = minWithdrawalDelayBlocks_;
        owner = owner_;
    }

    /// @notice One-time wiring (the three core contracts reference each other).
    function initialize(address strategyManager_, address allocationManager_) external {
        if (msg.sender != owner) revert OnlyOwner();
        if (address(strategyManager) != address(0)) revert AlreadyInitialized();
        strategyManager = IStrategyManagerForDelegation(strategyManager_);
        allocationManager = IAllocationManagerForDelegation(allocationManager_);
    }

    // ------------------------------------------------------------------ operators

    /// @notice EigenLayer's registerAsOperator(address,uint32,string).
    function registerAsOperator(address initDelegationApprover, uint32 allocationDelay, string calldata metadataURI)
        external
    {
        if (delegatedTo[msg.sender] != address(0)) revert ActivelyDelegated();
        _delegationApprover[msg.sender] = initDelegationApprover;
        allocationManager.setAllocationDelay(msg.sender, allocationDelay);
        emit OperatorRegistered(msg.sender, initDelegationApprover);
        _delegate(msg.sender, msg.sender);
        emit OperatorMetadataURIUpdated(msg.sender, metadataURI);
    }

    function updateOperatorMetadataURI(address operator, string calldata metadataURI) external {
        if (msg.sender != operator) revert Unauthorized();
        if (!isOperator(operator)) revert OperatorNotRegistered();
        emit OperatorMetadataURIUpdated(operator, metadataURI);
    }

    function modifyOperatorDetails(address operator, address newDelegationApprover) external {
        if (msg.sender != operator) revert Unauthorized();
        if (!isOperator(operator)) revert OperatorNotRegistered();
        _delegationApprover[operator] = newDelegationApprover;
    }

    function isOperator(address operator) public view returns (bool) {
        return operator != address(0) && delegatedTo[operator] == operator;
    }

    function isDelegated(address staker) external view returns (bool) {
        return delegatedTo[staker] != address(0);
    }

    function delegationApprover(address operator) external view returns (address) {
        return _delegationApprover[operator];
    }

    // ------------------------------------------------------------------ delegation

    /// @notice EigenLayer's delegateTo(address,(bytes,uint256),bytes32). When the operator has a
    ///         delegation approver, its ECDSA signature over calculateDelegationApprovalDigestHash
    ///         is required (EIP-1271 contract approvers are not supported).
    function delegateTo(address operator, SignatureWithExpiry memory approverSignatureAndExpiry, bytes32 approverSalt)
        external
    {
        if (delegatedTo[msg.sender] != address(0)) revert ActivelyDelegated();
        if (!isOperator(operator)) revert OperatorNotRegistered();
        address approver = _delegationApprover[operator];
        if (approver != address(0) && msg.sender != approver && msg.sender != operator) {
            if (approverSignatureAndExpiry.expiry < block.timestamp) revert SignatureExpired();
            if (delegationApproverSaltIsSpent[approver][approverSalt]) revert SaltSpent();
            bytes32 digest = calculateDelegationApprovalDigestHash(
                msg.sender, operator, approver, approverSalt, approverSignatureAndExpiry.expiry
            );
            if (_recover(digest, approverSignatureAndExpiry.signature) != approver) revert InvalidSignature();
            delegationApproverSaltIsSpent[approver][approverSalt] = true;
        }
        _delegate(msg.sender, operator);
    }

    function calculateDelegationApprovalDigestHash(
        address staker,
        address operator,
        address approver,
        bytes32 approverSalt,
        uint256 expiry
    ) public view returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(DELEGATION_APPROVAL_TYPEHASH, approver, staker, operator, approverSalt, expiry));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256("EigenLayer"), block.chainid, address(this)));
    }

    /// @notice Queues withdrawals of all the staker's shares and undelegates it. Callable by the
    ///         staker, its operator or the operator's approver.
    function undelegate(address staker) external returns (bytes32[] memory withdrawalRoots) {
        address operator = delegatedTo[staker];
        if (operator == address(0)) revert NotActivelyDelegated();
        if (isOperator(staker)) revert OperatorsCannotUndelegate();
        if (msg.sender != staker && msg.sender != operator && msg.sender != _delegationApprover[operator]) {
            revert Unauthorized();
        }
        (IStrategy[] memory strategies, uint256[] memory shares) = strategyManager.getDeposits(staker);
        withdrawalRoots = new bytes32[](strategies.length);
        for (uint256 i = 0; i < strategies.length; i++) {
            IStrategy[] memory one = new IStrategy[](1);
            uint256[] memory amt = new uint256[](1);
            one[0] = strategies[i];
            amt[0] = shares[i];
            withdrawalRoots[i] = _queueWithdrawal(staker, operator, one, amt);
        }
        delegatedTo[staker] = address(0);
        emit StakerUndelegated(staker, operator);
    }

    // ------------------------------------------------------------------ withdrawals

    /// @notice EigenLayer's queueWithdrawals((address[],uint256[],address)[]).
    function queueWithdrawals(QueuedWithdrawalParams[] calldata params) external returns (bytes32[] memory roots) {
        roots = new bytes32[](params.length);
        address operator = delegatedTo[msg.sender];
        for (uint256 i = 0; i < params.length; i++) {
            if (params[i].strategies.length != params[i].depositShares.length) revert InputArrayLengthMismatch();
            roots[i] = _queueWithdrawal(msg.sender, operator, params[i].strategies, params[i].depositShares);
        }
    }

    /// @notice EigenLayer's completeQueuedWithdrawal(withdrawal, tokens, receiveAsTokens). The
    ///         amount paid is the scaled shares times the operator's max magnitude now, so slashes
    ///         during the delay reduce it.
    function completeQueuedWithdrawal(Withdrawal calldata withdrawal, IERC20[] calldata tokens, bool receiveAsTokens)
        external
    {
        if (msg.sender != withdrawal.withdrawer) revert WithdrawerMismatch();
        if (tokens.length != withdrawal.strategies.length) revert InputArrayLengthMismatch();
        bytes32 root = calculateWithdrawalRoot(withdrawal);
        if (!pendingWithdrawals[root]) revert WithdrawalNotQueued();
        if (block.number < uint256(withdrawal.startBlock) + minWithdrawalDelayBlocks) {
            revert WithdrawalDelayNotElapsed();
        }
        delete pendingWithdrawals[root];
        for (uint256 i = 0; i < withdrawal.strategies.length; i++) {
            IStrategy strategy = withdrawal.strategies[i];
            uint256 mag = _maxMagnitude(withdrawal.delegatedTo, strategy);
            uint256 shares = withdrawal.scaledShares[i] * mag / WAD;
            if (shares == 0) continue;
            if (receiveAsTokens) {
                strategyManager.withdrawSharesAsTokens(withdrawal.withdrawer, strategy, tokens[i], shares);
            } else {
                uint256 prev = strategyManager.addShares(withdrawal.staker, strategy, shares);
                _increaseDelegated(withdrawal.staker, strategy, prev, shares);
            }
        }
        emit SlashingWithdrawalCompleted(root);
    }

    function calculateWithdrawalRoot(Withdrawal memory withdrawal) public pure returns (bytes32) {
        return keccak256(abi.encode(withdrawal));
    }

    // ------------------------------------------------------------------ views

    function depositScalingFactor(address staker, IStrategy strategy) public view returns (uint256) {
        uint256 f = _depositScalingFactor[staker][strategy];
        return f == 0 ? WAD : f;
    }

    function getOperatorShares(address operator, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory shares)
    {
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; i++) {
            shares[i] = operatorShares[operator][strategies[i]];
        }
    }

    /// @notice Shares the staker could withdraw now, after slashing.
    function getWithdrawableShares(address staker, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory withdrawableShares, uint256[] memory depositShares)
    {
        withdrawableShares = new uint256[](strategies.length);
        depositShares = new uint256[](strategies.length);
        address operator = delegatedTo[staker];
        for (uint256 i = 0; i < strategies.length; i++) {
            uint256 d = strategyManager.stakerDepositShares(staker, strategies[i]);
            depositShares[i] = d;
            withdrawableShares[i] = _withdrawable(d, staker, strategies[i], _maxMagnitude(operator, strategies[i]));
        }
    }

    // ------------------------------------------------------------------ hooks

    function increaseDelegatedShares(address staker, IStrategy strategy, uint256 prevDepositShares, uint256 addedShares)
        external
    {
        if (msg.sender != address(strategyManager)) revert OnlyStrategyManager();
        _increaseDelegated(staker, strategy, prevDepositShares, addedShares);
    }

    /// @notice Called by the AllocationManager when an operator is slashed: the operator's
    ///         delegated shares fall in proportion to its max magnitude and the slashed shares'
    ///         tokens are burned.
    function slashOperatorShares(address operator, IStrategy strategy, uint64 prevMaxMagnitude, uint64 newMaxMagnitude)
        external
        returns (uint256 slashed)
    {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        uint256 cur = operatorShares[operator][strategy];
        if (prevMaxMagnitude == 0) return 0;
        slashed = cur - cur * newMaxMagnitude / prevMaxMagnitude;
        operatorShares[operator][strategy] = cur - slashed;
        if (slashed > 0) {
            strategyManager.withdrawSharesAsTokens(BURN_ADDRESS, strategy, strategy.underlyingToken(), slashed);
        }
        emit OperatorSharesSlashed(operator, strategy, slashed);
    }

    // ------------------------------------------------------------------ internals

    function _delegate(address staker, address operator) private {
        delegatedTo[staker] = operator;
        emit StakerDelegated(staker, operator);
        (IStrategy[] memory strategies, uint256[] memory shares) = strategyManager.getDeposits(staker);
        for (uint256 i = 0; i < strategies.length; i++) {
            // undelegated stakers are scaled by WAD max magnitude; carry the withdrawable amount over
            uint256 w = _withdrawable(shares[i], staker, strategies[i], WAD);
            uint256 m = _maxMagnitude(operator, strategies[i]);
            if (m == 0) revert FullySlashed();
            _depositScalingFactor[staker][strategies[i]] = _scalingFor(w, shares[i], m);
            operatorShares[operator][strategies[i]] += w;
            emit OperatorSharesIncreased(operator, staker, strategies[i], w);
        }
    }

    function _increaseDelegated(address staker, IStrategy strategy, uint256 prev, uint256 added) private {
        address operator = delegatedTo[staker];
        uint256 m = _maxMagnitude(operator, strategy);
        if (m == 0) revert FullySlashed();
        uint256 w = _withdrawable(prev, staker, strategy, m);
        _depositScalingFactor[staker][strategy] = _scalingFor(w + added, prev + added, m);
        if (operator != address(0)) {
            operatorShares[operator][strategy] += added;
            emit OperatorSharesIncreased(operator, staker, strategy, added);
        }
    }

    function _queueWithdrawal(address staker, address operator, IStrategy[] memory strategies, uint256[] memory shares)
        private
        returns (bytes32 root)
    {
        uint256[] memory scaled = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; i++) {
            if (shares[i] == 0) revert ZeroShares();
            uint256 f = depositScalingFactor(staker, strategies[i]);
            uint256 m = _maxMagnitude(operator, strategies[i]);
            scaled[i] = shares[i] * f / WAD;
            uint256 w = scaled[i] * m / WAD;
            strategyManager.removeDepositShares(staker, strategies[i], shares[i]);
            if (operator != address(0)) {
                uint256 cur = operatorShares[operator][strategies[i]];
                uint256 dec = w > cur ? cur : w;
                operatorShares[operator][strategies[i]] = cur - dec;
                emit OperatorSharesDecreased(operator, staker, strategies[i], dec);
            }
        }
        Withdrawal memory wd = Withdrawal({
            staker: staker,
            delegatedTo: operator,
            withdrawer: staker,
            nonce: cumulativeWithdrawalsQueued[staker]++,
            startBlock: uint32(block.number),
            strategies: strategies,
            scaledShares: scaled
        });
        root = calculateWithdrawalRoot(wd);
        pendingWithdrawals[root] = true;
        emit SlashingWithdrawalQueued(root, wd, shares);
    }

    function _withdrawable(uint256 depositShares, address staker, IStrategy strategy, uint256 maxMagnitude)
        private
        view
        returns (uint256)
    {
        return depositShares * depositScalingFactor(staker, strategy) / WAD * maxMagnitude / WAD;
    }

    function _scalingFor(uint256 withdrawable, uint256 depositShares, uint256 maxMagnitude)
        private
        pure
        returns (uint256)
    {
        if (depositShares == 0) return WAD;
        uint256 f = withdrawable * WAD / depositShares * WAD / maxMagnitude;
        return f == 0 ? 1 : f;
    }

    function _maxMagnitude(address operator, IStrategy strategy) private view returns (uint256) {
        if (operator == address(0)) return WAD;
        return allocationManager.getMaxMagnitude(operator, strategy);
    }

    function _recover(bytes32 digest, bytes memory sig) private pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        // reject malleable (high-s) signatures
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) return address(0);
        if (v < 27) v += 27;
        return ecrecover(digest, v, r, s);
    }
}
