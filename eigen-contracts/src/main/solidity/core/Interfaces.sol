// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

interface IERC20 {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
    function approve(address spender, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface IStrategy {
    function underlyingToken() external view returns (IERC20);
    function totalShares() external view returns (uint256);
    function deposit(IERC20 token, uint256 amount) external returns (uint256 newShares);
    function withdraw(address recipient, IERC20 token, uint256 amountShares) external;
}

/// @dev The callback an AVS registrar implements; same shape as EigenLayer's IAVSRegistrar.
interface IAVSRegistrar {
    function registerOperator(address operator, address avs, uint32[] calldata operatorSetIds, bytes calldata data)
        external;
    function deregisterOperator(address operator, address avs, uint32[] calldata operatorSetIds) external;
    function supportsAVS(address avs) external view returns (bool);
}

/// @dev Shared EigenLayer-shaped types.
interface IRestakingTypes {
    struct OperatorSet {
        address avs;
        uint32 id;
    }

    struct SignatureWithExpiry {
        bytes signature;
        uint256 expiry;
    }
}
