// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title Output oracle of the devnet rollup (OP-Stack style, indexed outputs).
/// @notice The proposer posts an output root every `submissionInterval` L2 blocks; outputs are
///         indexed from 0. VITAL verifiers re-derive each root from their own L2 node.
contract OutputOracle {
    struct OutputProposal {
        bytes32 outputRoot;
        uint128 timestamp;
        uint128 l2BlockNumber;
    }

    uint64 public immutable rollupId;
    address public immutable proposer;
    uint256 public immutable submissionInterval;
    uint256 public immutable startingBlockNumber;
    OutputProposal[] internal _outputs;

    event OutputProposed(
        bytes32 indexed outputRoot, uint256 indexed l2OutputIndex, uint256 indexed l2BlockNumber, uint256 l1Timestamp
    );

    error OnlyProposer();
    error UnexpectedBlockNumber(uint256 expected, uint256 got);
    error EmptyOutputRoot();
    error L1BlockHashMismatch();
    error NoOutputs();

    constructor(uint64 rollupId_, address proposer_, uint256 submissionInterval_, uint256 startingBlockNumber_) {
        require(submissionInterval_ > 0, "interval");
        rollupId = rollupId_;
        proposer = proposer_;
        submissionInterval = submissionInterval_;
        startingBlockNumber = startingBlockNumber_;
    }

    /// @param l1BlockHash optional (zero to skip): must equal blockhash(l1BlockNumber), so a
    ///        proposal made on a reorged-out L1 view is rejected
    function proposeL2Output(bytes32 outputRoot, uint256 l2BlockNumber, bytes32 l1BlockHash, uint256 l1BlockNumber)
        external
    {
        if (msg.sender != proposer) revert OnlyProposer();
        if (outputRoot == bytes32(0)) revert EmptyOutputRoot();
        uint256 expected = nextBlockNumber();
        if (l2BlockNumber != expected) revert UnexpectedBlockNumber(expected, l2BlockNumber);
        if (l1BlockHash != bytes32(0) && blockhash(l1BlockNumber) != l1BlockHash) revert L1BlockHashMismatch();
        emit OutputProposed(outputRoot, _outputs.length, l2BlockNumber, block.timestamp);
        _outputs.push(OutputProposal(outputRoot, uint128(block.timestamp), uint128(l2BlockNumber)));
    }

    function nextBlockNumber() public view returns (uint256) {
        return _outputs.length == 0
            ? startingBlockNumber + submissionInterval
            : uint256(_outputs[_outputs.length - 1].l2BlockNumber) + submissionInterval;
    }

    function nextOutputIndex() external view returns (uint256) {
        return _outputs.length;
    }

    function latestOutputIndex() external view returns (uint256) {
        if (_outputs.length == 0) revert NoOutputs();
        return _outputs.length - 1;
    }

    function getL2Output(uint256 l2OutputIndex) external view returns (OutputProposal memory) {
        return _outputs[l2OutputIndex];
    }
}
