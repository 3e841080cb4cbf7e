// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AvsEip712} from "./AvsEip712.sol";
import {IZkBatchCommitments} from "../rollup/IZkBatchCommitments.sol";
import {ICertificateVerifier} from "./FinalityOracle.sol";

interface IOutputOracle {
    struct OutputProposal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 l2BlockNumber;
    }

    function nextOutputIndex() external view returns (uint256);
    function getL2Output(uint256 l2OutputIndex) external view returns (OutputProposal memory);
}

interface IGameFactory {
    function gameCount() external view returns (uint256);
    function gameAtIndex(uint256 index) external view returns (uint32 gameType, uint64 timestamp, address proxy);
}

interface IClaimGame {
    function rootClaim() external view returns (bytes32);
    function l2BlockNumber() external view returns (uint256);
}

/// @title VITAL verdict oracle: records the quorum's verdict on each output a rollup posts to L1.
/// @notice submitVerdictCertificate verifies a certificate over the EIP-712 OutputVerdict digest
///         (computed here from the fields) and checks that the verdict names the root the rollup
///         actually posted at that index in its registered output oracle (or, for a rollup with
///         fault-proof games, claimed in the game at that index of its dispute game factory). An INVALID quorum marks
///         the output invalidated (isInvalidated: what bridges and the rollup consult); a VALID
///         quorum records a validity attestation (isValidated). A second certificate with the same
///         verdict returns false without verifying or storing anything. A verified certificate of
///         the opposite verdict is not stored; it emits ConflictingVerdicts (a threshold of stake
///         contradicted itself).
contract VerdictOracle {
    struct Record {
        uint32 stakeEpoch;
        uint64 l1BlockNumber;
        uint96 signedStake;
    }

    ICertificateVerifier public immutable registry;
    uint32 public immutable operatorSetId;
    address public immutable owner;

    mapping(uint64 => address) public outputOracleOf;
    /// @notice Rollups whose proposals are dispute games (OP Stack fault proofs): the output index
    ///         of a game is its index in the factory.
    mapping(uint64 => address) public gameFactoryOf;
    /// @notice The rollup a registered dispute game factory serves (0 for none).
    mapping(address => uint64) public gameRollupOf;
    /// @notice Validity rollups: their ZkBatchProposer; an output index is a commitment index.
    mapping(uint64 => address) public zkProposerOf;
    mapping(uint64 => mapping(uint256 => Record)) internal _invalidated;
    mapping(uint64 => mapping(uint256 => Record)) internal _validated;

    event RollupRegistered(uint64 indexed rollupId, address outputOracle);
    event GameRollupRegistered(uint64 indexed rollupId, address gameFactory);
    event ZkRollupRegistered(uint64 indexed rollupId, address proposer);
    event OutputInvalidated(
        uint64 indexed rollupId, uint256 indexed outputIndex, bytes32 outputRoot, uint32 stakeEpoch, uint256 signedStake
    );
    event OutputValidated(
        uint64 indexed rollupId, uint256 indexed outputIndex, bytes32 outputRoot, uint32 stakeEpoch, uint256 signedStake
    );
    event ConflictingVerdicts(uint64 indexed rollupId, uint256 indexed outputIndex, bytes32 outputRoot);

    error OnlyOwner();
    error RollupAlreadyRegistered(uint64 rollupId);
    error UnknownRollup(uint64 rollupId);
    error NoSuchOutput(uint64 rollupId, uint256 outputIndex);
    error NotThePostedRoot(bytes32 posted, bytes32 named);

    constructor(address registry_, uint32 operatorSetId_) {
        registry = ICertificateVerifier(registry_);
        operatorSetId = operatorSetId_;
        owner = msg.sender;
    }

    function registerRollup(uint64 rollupId, address outputOracle) external {
        if (msg.sender != owner) revert OnlyOwner();
        if (gameFactoryOf[rollupId] != address(0) || zkProposerOf[rollupId] != address(0)) {
            revert RollupAlreadyRegistered(rollupId);
        }
        outputOracleOf[rollupId] = outputOracle;
        emit RollupRegistered(rollupId, outputOracle);
    }

    function registerGameRollup(uint64 rollupId, address gameFactory) external {
        if (msg.sender != owner) revert OnlyOwner();
        if (outputOracleOf[rollupId] != address(0) || zkProposerOf[rollupId] != address(0)) {
            revert RollupAlreadyRegistered(rollupId);
        }
        gameFactoryOf[rollupId] = gameFactory;
        gameRollupOf[gameFactory] = rollupId;
        emit GameRollupRegistered(rollupId, gameFactory);
    }

    /// @notice What the rollup posted at `outputIndex`: the claimed root and its L2 block, from its
    ///         output oracle or, for a game rollup, from the game at that index of its factory.
    function registerZkRollup(uint64 rollupId, address proposer) external {
        if (msg.sender != owner) revert OnlyOwner();
        if (
            outputOracleOf[rollupId] != address(0) || gameFactoryOf[rollupId] != address(0)
                || zkProposerOf[rollupId] != address(0)
        ) revert RollupAlreadyRegistered(rollupId);
        zkProposerOf[rollupId] = proposer;
        emit ZkRollupRegistered(rollupId, proposer);
    }

    function postedOutput(uint64 rollupId, uint256 outputIndex)
        public
        view
        returns (bytes32 outputRoot, uint256 l2BlockNumber)
    {
        address oracle = outputOracleOf[rollupId];
        if (oracle != address(0)) {
            if (outputIndex >= IOutputOracle(oracle).nextOutputIndex()) revert NoSuchOutput(rollupId, outputIndex);
            IOutputOracle.OutputProposal memory p = IOutputOracle(oracle).getL2Output(outputIndex);
            return (p.outputRoot, p.l2BlockNumber);
        }
        address zk = zkProposerOf[rollupId];
        if (zk != address(0)) {
            if (outputIndex == 0 || outputIndex > IZkBatchCommitments(zk).commitmentCount()) {
                revert NoSuchOutput(rollupId, outputIndex);
            }
            IZkBatchCommitments.Commitment memory c = IZkBatchCommitments(zk).commitment(outputIndex);
            return (c.newStateRoot, c.lastBlockNumber);
        }
        address factory = gameFactoryOf[rollupId];
        if (factory == address(0)) revert UnknownRollup(rollupId);
        if (outputIndex >= IGameFactory(factory).gameCount()) revert NoSuchOutput(rollupId, outputIndex);
        (,, address game) = IGameFactory(factory).gameAtIndex(outputIndex);
        return (IClaimGame(game).rootClaim(), IClaimGame(game).l2BlockNumber());
    }

    /// @return accepted true if this call recorded the verdict, false if it was recorded already
    function submitVerdictCertificate(
        AvsEip712.OutputVerdict calldata verdict,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) external returns (bool accepted) {
        (bytes32 posted,) = postedOutput(verdict.rollupId, verdict.outputIndex);
        if (posted != verdict.outputRoot) revert NotThePostedRoot(posted, verdict.outputRoot);
        mapping(uint256 => Record) storage same = verdict.valid ? _validated[verdict.rollupId] : _invalidated[verdict.rollupId];
        mapping(uint256 => Record) storage opposite =
            verdict.valid ? _invalidated[verdict.rollupId] : _validated[verdict.rollupId];
        if (same[verdict.outputIndex].l1BlockNumber != 0) {
            return false;
        }
        bytes32 digest = AvsEip712.digest(address(registry), AvsEip712.hashOutputVerdict(verdict));
        (uint256 signedStake,) = registry.verifyCertificate(
            digest, operatorSetId, verdict.stakeEpoch, nonSignerIndices, aggregateSignature
        );
        if (opposite[verdict.outputIndex].l1BlockNumber != 0) {
            emit ConflictingVerdicts(verdict.rollupId, verdict.outputIndex, verdict.outputRoot);
            return false;
        }
        same[verdict.outputIndex] = Record(verdict.stakeEpoch, uint64(block.number), uint96(signedStake));
        if (verdict.valid) {
            emit OutputValidated(
                verdict.rollupId, verdict.outputIndex, verdict.outputRoot, verdict.stakeEpoch, signedStake
            );
        } else {
            emit OutputInvalidated(
                verdict.rollupId, verdict.outputIndex, verdict.outputRoot, verdict.stakeEpoch, signedStake
            );
        }
        return true;
    }

    /// @notice True iff an operator-set quorum found this output invalid.
    function isInvalidated(uint64 rollupId, uint256 outputIndex) external view returns (bool) {
        return _invalidated[rollupId][outputIndex].l1BlockNumber != 0;
    }

    /// @notice True iff an operator-set quorum found this output valid (a bridge may shorten its wait).
    function isValidated(uint64 rollupId, uint256 outputIndex) external view returns (bool) {
        return _validated[rollupId][outputIndex].l1BlockNumber != 0;
    }

    function getInvalidation(uint64 rollupId, uint256 outputIndex) external view returns (Record memory) {
        return _invalidated[rollupId][outputIndex];
    }

    function getValidation(uint64 rollupId, uint256 outputIndex) external view returns (Record memory) {
        return _validated[rollupId][outputIndex];
    }
}
