// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title What a validity rollup's batch contract (ZkBatchProposer) shows the AVS: its stored
///        commitments and the check of a proof against its own verifier. The verdict oracle reads
///        the posted root of a commitment from it; the slashing coordinator checks ZK verdict
///        evidence through it.
interface IZkBatchCommitments {
    /// @notice One commitment of a batch: the L2 blocks first..last and the four values the
    ///         circuit's public inputs are made of.
    struct Commitment {
        uint256 batchNumber;
        bytes32 prevStateRoot;
        bytes32 newStateRoot;
        bytes32 lastBlockHash;
        bytes32 txCommitment;
        uint64 firstBlockNumber;
        uint64 lastBlockNumber;
    }

    function rollupId() external view returns (uint64);
    function commitmentCount() external view returns (uint256);
    function commitment(uint256 commitmentIndex) external view returns (Commitment memory);
    function chainsFromVerified(uint256 commitmentIndex) external view returns (bool);
    function proofVerifies(uint256 commitmentIndex, uint256[8] calldata proof) external view returns (bool);
}
