// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title The shape of OP Stack's fault-proof games that VITAL reads: a game per proposal, naming
///        the claimed output root and the L2 block it is for.
interface IDisputeGame {
    function rootClaim() external view returns (bytes32);
    function l2BlockNumber() external view returns (uint256);
    function gameType() external view returns (uint32);
    function createdAt() external view returns (uint64);
}

/// @title One proposal of the devnet rollup as a game. It holds the claim only: resolving games
///        (bisection, the fault proof VM) is the rollup's business, not the AVS's; VITAL reads
///        rootClaim() and l2BlockNumber() and the VerdictOracle records the quorum's verdict on it.
contract DevnetDisputeGame is IDisputeGame {
    bytes32 internal immutable _rootClaim;
    uint256 internal immutable _l2BlockNumber;
    uint32 internal immutable _gameType;
    uint64 internal immutable _createdAt;
    address public immutable creator;

    constructor(uint32 gameType_, bytes32 rootClaim_, uint256 l2BlockNumber_, address creator_) {
        _gameType = gameType_;
        _rootClaim = rootClaim_;
        _l2BlockNumber = l2BlockNumber_;
        _createdAt = uint64(block.timestamp);
        creator = creator_;
    }

    function rootClaim() external view returns (bytes32) {
        return _rootClaim;
    }

    function l2BlockNumber() external view returns (uint256) {
        return _l2BlockNumber;
    }

    function gameType() external view returns (uint32) {
        return _gameType;
    }

    function createdAt() external view returns (uint64) {
        return _createdAt;
    }

    /// @notice As OP Stack's games: the L2 block number, ABI-encoded.
    function extraData() external view returns (bytes memory) {
        return abi.encode(_l2BlockNumber);
    }
}

/// @title Dispute game factory of the devnet rollup, shaped like OP Stack's DisputeGameFactory:
///        create(gameType, rootClaim, extraData) makes a game per proposal (extraData is the
///        ABI-encoded L2 block number), games are indexed from 0 in creation order, and
///        DisputeGameCreated(proxy, gameType, rootClaim) announces each one.
contract DisputeGameFactory {
    struct GameEntry {
        uint32 gameType;
        uint64 timestamp;
        address proxy;
    }

    address public immutable proposer;
    GameEntry[] internal _games;
    mapping(bytes32 => address) internal _byUuid;

    event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);

    error OnlyProposer();
    error EmptyRootClaim();
    error BadExtraData();
    error GameAlreadyExists(bytes32 uuid);

    constructor(address proposer_) {
        proposer = proposer_;
    }

    function create(uint32 gameType, bytes32 rootClaim, bytes calldata extraData)
        external
        payable
        returns (IDisputeGame proxy)
    {
        if (msg.sender != proposer) revert OnlyProposer();
        if (rootClaim == bytes32(0)) revert EmptyRootClaim();
        if (extraData.length != 32) revert BadExtraData();
        uint256 l2BlockNumber = abi.decode(extraData, (uint256));
        bytes32 uuid = keccak256(abi.encode(gameType, rootClaim, extraData));
        if (_byUuid[uuid] != address(0)) revert GameAlreadyExists(uuid);
        proxy = new DevnetDisputeGame(gameType, rootClaim, l2BlockNumber, msg.sender);
        _byUuid[uuid] = address(proxy);
        _games.push(GameEntry(gameType, uint64(block.timestamp), address(proxy)));
        emit DisputeGameCreated(address(proxy), gameType, rootClaim);
    }

    function gameCount() external view returns (uint256) {
        return _games.length;
    }

    function gameAtIndex(uint256 index) external view returns (uint32 gameType, uint64 timestamp, address proxy) {
        GameEntry storage g = _games[index];
        return (g.gameType, g.timestamp, g.proxy);
    }

    function games(uint32 gameType, bytes32 rootClaim, bytes calldata extraData)
        external
        view
        returns (address proxy, uint64 timestamp)
    {
        proxy = _byUuid[keccak256(abi.encode(gameType, rootClaim, extraData))];
        timestamp = proxy == address(0) ? 0 : IDisputeGame(proxy).createdAt();
    }
}
