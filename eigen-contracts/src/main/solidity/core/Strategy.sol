// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20, IStrategy} from "./Interfaces.sol";

/// @title A strategy holding one ERC-20. Shares are issued 1:1 with deposited tokens; slashed
///        shares are burned together with their tokens, so the exchange rate stays 1:1.
contract Strategy is IStrategy {
    IERC20 public immutable override underlyingToken;
    address public immutable strategyManager;
    uint256 public override totalShares;

    error OnlyStrategyManager();
    error WrongToken();
    error InsufficientShares();
    error TransferFailed();

    constructor(IERC20 token, address strategyManager_) {
        underlyingToken = token;
        strategyManager = strategyManager_;
    }

    function deposit(IERC20 token, uint256 amount) external override returns (uint256 newShares) {
        if (msg.sender != strategyManager) revert OnlyStrategyManager();
        if (token != underlyingToken) revert WrongToken();
        totalShares += amount;
        return amount;
    }

    function withdraw(address recipient, IERC20 token, uint256 amountShares) external override {
        if (msg.sender != strategyManager) revert OnlyStrategyManager();
        if (token != underlyingToken) revert WrongToken();
        if (amountShares > totalShares) revert InsufficientShares();
        totalShares -= amountShares;
        if (!token.transfer(recipient, amountShares)) revert TransferFailed();
    }
}
