// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IZkBatchCommitments} from "./IZkBatchCommitments.sol";

/// @dev A Groth16 (BN254) verifier for the batch circuit: 8 public inputs, the high and low 128-bit
///      limbs of prevStateRoot, newStateRoot, lastBlockHash and txCommitment, in that order. The
///      devnet's verifier is generated at build time by snarkjs from zk/circuits/batch.circom.
interface IGroth16BatchVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[8] calldata publicInputs
    ) external view returns (bool);
}

/// @title The L1 contract of a validity (ZK) rollup, shaped like ethrex's OnChainProposer: the
///        sequencer commits a batch of L2 blocks (its new state root, last block hash and a
///        commitment to its transactions), a prover later proves it, and the batch is verified
///        only through the Groth16 verifier, with public inputs this contract rebuilds from the
///        stored commitments (never the prover's).
/// @notice Every commitment gets its own `commitmentIndex` (1, 2, ...), never reused: a batch
///         that the sequencer reverts before it is verified and commits again gets a new index,
///         so a verdict on a commitment (OutputVerdict.outputIndex = commitmentIndex) always
///         names one root. Batches are verified in order; a batch's previous state root is the
///         new state root of the commitment of the batch before it (the genesis root for batch
///         1) at the time it is committed.
contract ZkBatchProposer is IZkBatchCommitments {

    uint64 public immutable rollupId;
    address public immutable sequencer;
    /// @notice The only account that may publish proofs with submitProof (so what operators are
    ///         asked to check is bounded); verifyBatch is open to anyone.
    address public immutable prover;
    IGroth16BatchVerifier public immutable verifier;
    bytes32 public immutable genesisStateRoot;

    uint256 public lastCommittedBatch;
    uint256 public lastVerifiedBatch;
    uint256 public commitmentCount;

    mapping(uint256 => Commitment) private commitments;
    /// @notice The live commitment of each batch (0 when none).
    mapping(uint256 => uint256) public commitmentOfBatch;

    event BatchCommitted(
        uint256 indexed batchNumber,
        uint256 indexed commitmentIndex,
        bytes32 indexed newStateRoot,
        bytes32 prevStateRoot,
        bytes32 lastBlockHash,
        bytes32 txCommitment,
        uint64 firstBlockNumber,
        uint64 lastBlockNumber
    );
    event BatchVerified(uint256 indexed batchNumber, uint256 indexed commitmentIndex, bytes32 indexed newStateRoot);
    event BatchesReverted(uint256 indexed fromBatch, uint256 toBatch);
    /// @notice A proof published for operators to check, before (or instead of) verifyBatch.
    event ProofSubmitted(uint256 indexed batchNumber, uint256 indexed commitmentIndex, uint256[8] proof);

    error OnlySequencer();
    error OnlyProver();
    error NotNextBatch(uint256 expected);
    error BlocksOutOfOrder(uint64 firstBlockNumber, uint64 lastBlockNumber);
    error NoSuchBatch(uint256 batchNumber);
    error InvalidProof();
    error AlreadyVerified(uint256 batchNumber);

    constructor(
        uint64 rollupId_,
        address sequencer_,
        address prover_,
        address verifier_,
        bytes32 genesisStateRoot_
    ) {
        rollupId = rollupId_;
        sequencer = sequencer_;
        prover = prover_;
        verifier = IGroth16BatchVerifier(verifier_);
        genesisStateRoot = genesisStateRoot_;
    }

    /// @notice Commits batch `batchNumber` (the next one) covering L2 blocks from the block after
    ///         the previous batch's last block up to `lastBlockNumber`. Returns its commitment index.
    function commitBatch(
        uint256 batchNumber,
        bytes32 newStateRoot,
        bytes32 lastBlockHash,
        bytes32 txCommitment,
        uint64 lastBlockNumber
    ) external returns (uint256 commitmentIndex) {
        if (msg.sender != sequencer) revert OnlySequencer();
        if (batchNumber != lastCommittedBatch + 1) revert NotNextBatch(lastCommittedBatch + 1);
        bytes32 prev = genesisStateRoot;
        uint64 first = 1;
        if (batchNumber > 1) {
            Commitment storage p = commitments[commitmentOfBatch[batchNumber - 1]];
            prev = p.newStateRoot;
            first = p.lastBlockNumber + 1;
        }
        if (lastBlockNumber < first) revert BlocksOutOfOrder(first, lastBlockNumber);
        commitmentIndex = ++commitmentCount;
        commitments[commitmentIndex] =
            Commitment(batchNumber, prev, newStateRoot, lastBlockHash, txCommitment, first, lastBlockNumber);
        commitmentOfBatch[batchNumber] = commitmentIndex;
        lastCommittedBatch = batchNumber;
        emit BatchCommitted(
            batchNumber, commitmentIndex, newStateRoot, prev, lastBlockHash, txCommitment, first, lastBlockNumber
        );
    }

    /// @notice Verifies the next batch with a Groth16 proof over the public inputs rebuilt from
    ///         its commitment; reverts with InvalidProof when the verifier rejects it. `proof` is
    ///         (a.x, a.y, b.x1, b.x0, b.y1, b.y0, c.x, c.y): b in the order the verifier takes.
    function verifyBatch(uint256 batchNumber, uint256[8] calldata proof) external {
        if (batchNumber <= lastVerifiedBatch) revert AlreadyVerified(batchNumber);
        if (batchNumber != lastVerifiedBatch + 1) revert NotNextBatch(lastVerifiedBatch + 1);
        uint256 index = commitmentOfBatch[batchNumber];
        if (index == 0) revert NoSuchBatch(batchNumber);
        if (!proofVerifies(index, proof)) revert InvalidProof();
        lastVerifiedBatch = batchNumber;
        emit BatchVerified(batchNumber, index, commitments[index].newStateRoot);
    }

    /// @notice Publishes a proof of a live commitment for the operators to check (VITAL), without
    ///         verifying it here: a proof that would not verify is published too, so a wrong one
    ///         is seen, not only refused. Only the rollup's prover may publish.
    function submitProof(uint256 commitmentIndex, uint256[8] calldata proof) external {
        if (msg.sender != prover) revert OnlyProver();
        uint256 n = commitments[commitmentIndex].batchNumber;
        if (n == 0 || commitmentOfBatch[n] != commitmentIndex) revert NoSuchBatch(n);
        emit ProofSubmitted(n, commitmentIndex, proof);
    }

    /// @notice Removes the unverified batches from `batchNumber` on (the sequencer found them
    ///         wrong or unprovable); their commitments stay readable, their indices are not reused.
    function revertBatch(uint256 batchNumber) external {
        if (msg.sender != sequencer) revert OnlySequencer();
        if (batchNumber <= lastVerifiedBatch) revert AlreadyVerified(batchNumber);
        if (batchNumber > lastCommittedBatch) revert NoSuchBatch(batchNumber);
        uint256 last = lastCommittedBatch;
        for (uint256 n = batchNumber; n <= last; n++) {
            commitmentOfBatch[n] = 0;
        }
        lastCommittedBatch = batchNumber - 1;
        emit BatchesReverted(batchNumber, last);
    }

    function commitment(uint256 commitmentIndex) external view returns (Commitment memory) {
        Commitment memory cm = commitments[commitmentIndex];
        if (cm.batchNumber == 0) revert NoSuchBatch(0);
        return cm;
    }

    /// @notice The circuit's public inputs for a commitment: each bytes32 as (high 128 bits, low
    ///         128 bits), in the order prevStateRoot, newStateRoot, lastBlockHash, txCommitment.
    function publicInputs(uint256 commitmentIndex) public view returns (uint256[8] memory inputs) {
        Commitment storage cm = commitments[commitmentIndex];
        if (cm.batchNumber == 0) revert NoSuchBatch(0);
        bytes32[4] memory words = [cm.prevStateRoot, cm.newStateRoot, cm.lastBlockHash, cm.txCommitment];
        for (uint256 i = 0; i < 4; i++) {
            inputs[2 * i] = uint256(words[i]) >> 128;
            inputs[2 * i + 1] = uint256(words[i]) & type(uint128).max;
        }
    }

    /// @notice Whether the proof verifies for the commitment's rebuilt public inputs. A verifier
    ///         that reverts or answers anything but true counts as a rejection.
    function proofVerifies(uint256 commitmentIndex, uint256[8] calldata proof) public view returns (bool) {
        uint256[8] memory inputs = publicInputs(commitmentIndex);
        try verifier.verifyProof(
            [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], inputs
        ) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    /// @notice Whether `commitmentIndex` is the commitment its batch was verified with.
    function isVerifiedCommitment(uint256 commitmentIndex) public view returns (bool) {
        uint256 n = commitments[commitmentIndex].batchNumber;
        return n != 0 && n <= lastVerifiedBatch && commitmentOfBatch[n] == commitmentIndex;
    }

    /// @notice Whether `commitmentIndex` chains from the verified history: it is its batch's
    ///         live commitment, and its previous state root is the genesis root (batch 1) or the
    ///         root of the verified commitment of the batch before it.
    function chainsFromVerified(uint256 commitmentIndex) public view returns (bool) {
        Commitment storage cm = commitments[commitmentIndex];
        uint256 n = cm.batchNumber;
        if (n == 0 || commitmentOfBatch[n] != commitmentIndex) return false;
        if (n == 1) return cm.prevStateRoot == genesisStateRoot;
        uint256 p = commitmentOfBatch[n - 1];
        return isVerifiedCommitment(p) && commitments[p].newStateRoot == cm.prevStateRoot;
    }
}
