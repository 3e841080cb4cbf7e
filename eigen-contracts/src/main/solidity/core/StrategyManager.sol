// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20, IStrategy} from "./Interfaces.sol";

interface IDelegationHooks {
    function increaseDelegatedShares(address staker, IStrategy strategy, uint256 prevDepositShares, uint256 addedShares)
        external;
}

/// @title Deposits of stakers into whitelisted strategies (EigenLayer-shaped subset).
contract StrategyManager {
    address public immutable owner;
    IDelegationHooks public immutable delegation;

    mapping(IStrategy => bool) public strategyIsWhitelistedForDeposit;
    /// staker => strategy => deposit shares
    mapping(address => mapping(IStrategy => uint256)) public stakerDepositShares;
    mapping(address => IStrategy[]) private _stakerStrategyList;

    event StrategyAddedToDepositWhitelist(IStrategy strategy);
    event Deposit(address staker, IStrategy strategy, uint256 shares);

    error OnlyOwner();
    error OnlyDelegationManager();
    error StrategyNotWhitelisted();
    error WrongToken();
    error ZeroAmount();
    error TransferFailed();
    error InsufficientShares();

    constructor(address delegation_, address owner_) {
        delegation = IDelegationHooks(delegation_);
        owner = owner_;
    }

    modifier onlyDelegation() {
        if (msg.sender != address(delegation)) revert OnlyDelegationManager();
        _;
    }

    function addStrategiesToDepositWhitelist(IStrategy[] calldata strategies) external {
        if (msg.sender != owner) revert OnlyOwner();
        for (uint256 i = 0; i < strategies.length; i++) {
            if (!strategyIsWhitelistedForDeposit[strategies[i]]) {
                strategyIsWhitelistedForDeposit[strategies[i]] = true;
                emit StrategyAddedToDepositWhitelist(strategies[i]);
            }
        }
    }

    /// @notice EigenLayer's depositIntoStrategy(address,address,uint256).
    function depositIntoStrategy(IStrategy strategy, IERC20 token, uint256 amount)
        external
        returns (uint256 depositShares)
    {
        if (!strategyIsWhitelistedForDeposit[strategy]) revert StrategyNotWhitelisted();
        if (strategy.underlyingToken() != token) revert WrongToken();
        if (amount == 0) revert ZeroAmount();
        if (!token.transferFrom(msg.sender, address(strategy), amount)) revert TransferFailed();
        depositShares = strategy.deposit(token, amount);
        uint256 prev = _addShares(msg.sender, strategy, depositShares);
        delegation.increaseDelegatedShares(msg.sender, strategy, prev, depositShares);
    }

    function getDeposits(address staker) external view returns (IStrategy[] memory strategies, uint256[] memory shares) {
        strategies = _stakerStrategyList[staker];
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; i++) {
            shares[i] = stakerDepositShares[staker][strategies[i]];
        }
    }

    function getStakerStrategyList(address staker) external view returns (IStrategy[] memory) {
        return _stakerStrategyList[staker];
    }

    // ---- called by the DelegationManager ----

    function removeDepositShares(address staker, IStrategy strategy, uint256 shares) external onlyDelegation {
        uint256 cur = stakerDepositShares[staker][strategy];
        if (shares > cur) revert InsufficientShares();
        stakerDepositShares[staker][strategy] = cur - shares;
        if (cur == shares) {
            IStrategy[] storage list = _stakerStrategyList[staker];
            for (uint256 i = 0; i < list.length; i++) {
                if (list[i] == strategy) {
                    list[i] = list[list.length - 1];
                    list.pop();
                    break;
                }
            }
        }
    }

    function addShares(address staker, IStrategy strategy, uint256 shares)
        external
        onlyDelegation
        returns (uint256 prevDepositShares)
    {
        return _addShares(staker, strategy, shares);
    }

    function withdrawSharesAsTokens(address recipient, IStrategy strategy, IERC20 token, uint256 shares)
        external
        onlyDelegation
    {
        strategy.withdraw(recipient, token, shares);
    }

    function _addShares(address staker, IStrategy strategy, uint256 shares) private returns (uint256 prev) {
        prev = stakerDepositShares[staker][strategy];
        if (prev == 0 && shares > 0) {
            _stakerStrategyList[staker].push(strategy);
        }
        stakerDepositShares[staker][strategy] = prev + shares;
        emit Deposit(staker, strategy, shares);
    }
}
