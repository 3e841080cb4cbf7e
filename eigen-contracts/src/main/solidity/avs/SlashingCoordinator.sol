// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AvsEip712} from "./AvsEip712.sol";
import {IZkBatchCommitments} from "../rollup/IZkBatchCommitments.sol";

interface IRegistryForSlashing {
    function verifyOperatorSignature(address operator, bytes32 digest, bytes calldata signature)
        external
        view
        returns (bool);
    function slash(address operator, uint32 operatorSetId, uint256 wadToSlash, string calldata description)
        external
        returns (uint256 slashId);
}

interface IVerdictRecords {
    function isInvalidated(uint64 rollupId, uint256 outputIndex) external view returns (bool);
    function postedOutput(uint64 rollupId, uint256 outputIndex)
        external
        view
        returns (bytes32 outputRoot, uint256 l2BlockNumber);
}

/// @dev The part of the SQUAD sequencer inbox the preconfirmation evidence reads.
interface ISlotCommitments {
    function commitmentHashOf(uint64 slot) external view returns (bytes32);
    function commitmentHash(
        uint64 slot,
        bytes32 parentHash,
        bytes32 blockHash,
        bytes32 txListHash,
        uint64 forcedCursor,
        address committer,
        uint8 rank,
        uint64 l1Block
    ) external pure returns (bytes32);
}

/// @title Accepts on-chain-provable evidence of slashable offences (DESIGN.md §4) and slashes
///        through the AvsRegistry, which calls AllocationManager.slashOperator.
/// @notice Each offence is identified by an evidence key (type, operator, and the coordinates the
///         two messages share); a key can be used once. Implemented: MACH equivocation, a MACH
///         attestation to an output the VITAL quorum invalidated, VITAL contradiction, two SQUAD
///         slot proposals for one slot, a SQUAD preconfirmation whose transaction is missing
///         from the block committed for its slot, and a VITAL verdict on a validity rollup's batch
///         that a Groth16 proof contradicts.
contract SlashingCoordinator {
    enum EvidenceType {
        MACH_EQUIVOCATION,
        VITAL_CONTRADICTION,
        SQUAD_DOUBLE_PROPOSAL,
        MACH_INVALID_OUTPUT,
        SQUAD_BROKEN_PRECONFIRMATION,
        ZK_VERDICT_CONTRADICTED
    }

    /// @notice A slot's commitment as the inbox's SlotCommitted event gave it.
    struct SlotCommitment {
        bytes32 parentHash;
        bytes32 blockHash;
        bytes32 txListHash;
        uint64 forcedCursor;
        address committer;
        uint8 rank;
        uint64 l1Block;
    }

    IRegistryForSlashing public immutable registry;
    uint32 public immutable operatorSetId;
    uint256 public immutable wadToSlash;

    address public immutable deployer;
    /// @notice The VITAL verdict oracle whose invalidations make MACH attestations slashable;
    ///         set once by the deployer (it is deployed after this contract).
    IVerdictRecords public verdictOracle;

    mapping(bytes32 => bool) public evidenceUsed;
    /// @notice Each SQUAD rollup's sequencer inbox; set once per rollup by the deployer.
    mapping(uint64 => address) public sequencerInboxOf;
    /// @notice Each validity rollup's ZkBatchProposer; set once per rollup by the deployer.
    mapping(uint64 => address) public zkProposerOf;

    event EquivocationSlashed(
        EvidenceType indexed evidenceType, address indexed operator, bytes32 indexed evidenceKey, uint256 slashId
    );

    error NotEquivocation();
    error EvidenceAlreadyUsed(bytes32 evidenceKey);
    error InvalidOperatorSignature(uint256 which);
    error OnlyDeployer();
    error VerdictOracleAlreadySet();
    error NoVerdictOracle();
    error NotInvalidated(uint64 rollupId, uint256 outputIndex);
    error NotTheInvalidatedOutput();
    error InboxAlreadySet(uint64 rollupId);
    error NoSequencerInbox(uint64 rollupId);
    error NotTheCommittedSlot(uint64 slot);
    error WrongTransactionList();
    error TransactionIncluded(uint256 position);
    event SequencerInboxSet(uint64 indexed rollupId, address inbox);
    error ProposerAlreadySet(uint64 rollupId);
    error NoZkProposer(uint64 rollupId);
    error NotTheSameBlocks();
    error ProofNotOnVerifiedChain(uint256 commitmentIndex);
    error ProofDoesNotVerify();
    error VerdictNotContradicted();
    event ZkProposerSet(uint64 indexed rollupId, address proposer);

    constructor(address registry_, uint32 operatorSetId_, uint256 wadToSlash_) {
        require(wadToSlash_ > 0 && wadToSlash_ <= 1e18, "wad");
        registry = IRegistryForSlashing(registry_);
        operatorSetId = operatorSetId_;
        wadToSlash = wadToSlash_;
        deployer = msg.sender;
    }

    function setVerdictOracle(address verdictOracle_) external {
        if (msg.sender != deployer) revert OnlyDeployer();
        if (address(verdictOracle) != address(0)) revert VerdictOracleAlreadySet();
        verdictOracle = IVerdictRecords(verdictOracle_);
    }

    function machEvidenceKey(address operator, uint64 rollupId, uint64 l2BlockNumber) public pure returns (bytes32) {
        return keccak256(abi.encode(EvidenceType.MACH_EQUIVOCATION, operator, rollupId, l2BlockNumber));
    }

    /// @notice Two FinalityAttestations signed by `operator`'s registered BLS key for the same
    ///         (rollupId, l2BlockNumber) with a different l2BlockHash or outputRoot. Anyone may
    ///         submit; the operator is slashed once per (rollupId, l2BlockNumber).
    function slashMachEquivocation(
        address operator,
        AvsEip712.FinalityAttestation calldata a,
        bytes calldata signatureA,
        AvsEip712.FinalityAttestation calldata b,
        bytes calldata signatureB
    ) external returns (uint256 slashId) {
        if (a.rollupId != b.rollupId || a.l2BlockNumber != b.l2BlockNumber) revert NotEquivocation();
        if (a.l2BlockHash == b.l2BlockHash && a.outputRoot == b.outputRoot) revert NotEquivocation();
        bytes32 key = machEvidenceKey(operator, a.rollupId, a.l2BlockNumber);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 da = AvsEip712.digest(address(registry), AvsEip712.hashFinalityAttestation(a));
        bytes32 db = AvsEip712.digest(address(registry), AvsEip712.hashFinalityAttestation(b));
        if (!registry.verifyOperatorSignature(operator, da, signatureA)) revert InvalidOperatorSignature(0);
        if (!registry.verifyOperatorSignature(operator, db, signatureB)) revert InvalidOperatorSignature(1);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "MACH equivocation");
        emit EquivocationSlashed(EvidenceType.MACH_EQUIVOCATION, operator, key, slashId);
    }

    function machInvalidOutputEvidenceKey(address operator, uint64 rollupId, uint256 outputIndex)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EvidenceType.MACH_INVALID_OUTPUT, operator, rollupId, outputIndex));
    }

    /// @notice A FinalityAttestation signed by `operator`'s registered BLS key that vouches for
    ///         exactly the output (L2 block number and output root) the rollup posted at
    ///         `outputIndex`, after the VITAL quorum invalidated that output in the verdict oracle.
    ///         Anyone may submit; the operator is slashed once per (rollupId, outputIndex).
    function slashMachInvalidOutput(
        address operator,
        AvsEip712.FinalityAttestation calldata a,
        bytes calldata signature,
        uint256 outputIndex
    ) external returns (uint256 slashId) {
        IVerdictRecords vo = verdictOracle;
        if (address(vo) == address(0)) revert NoVerdictOracle();
        if (!vo.isInvalidated(a.rollupId, outputIndex)) revert NotInvalidated(a.rollupId, outputIndex);
        (bytes32 postedRoot, uint256 postedBlock) = vo.postedOutput(a.rollupId, outputIndex);
        if (postedBlock != a.l2BlockNumber || postedRoot != a.outputRoot) {
            revert NotTheInvalidatedOutput();
        }
        bytes32 key = machInvalidOutputEvidenceKey(operator, a.rollupId, outputIndex);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 d = AvsEip712.digest(address(registry), AvsEip712.hashFinalityAttestation(a));
        if (!registry.verifyOperatorSignature(operator, d, signature)) revert InvalidOperatorSignature(0);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "MACH attestation to an invalidated output");
        emit EquivocationSlashed(EvidenceType.MACH_INVALID_OUTPUT, operator, key, slashId);
    }

    function vitalEvidenceKey(address operator, uint64 rollupId, uint256 outputIndex, bytes32 outputRoot)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EvidenceType.VITAL_CONTRADICTION, operator, rollupId, outputIndex, outputRoot));
    }

    /// @notice Two OutputVerdicts signed by `operator`'s registered BLS key for the same
    ///         (rollupId, outputIndex, outputRoot), one valid and one invalid. Anyone may submit;
    ///         the operator is slashed once per (rollupId, outputIndex, outputRoot).
    function slashVitalContradiction(
        address operator,
        AvsEip712.OutputVerdict calldata a,
        bytes calldata signatureA,
        AvsEip712.OutputVerdict calldata b,
        bytes calldata signatureB
    ) external returns (uint256 slashId) {
        if (a.rollupId != b.rollupId || a.outputIndex != b.outputIndex || a.outputRoot != b.outputRoot) {
            revert NotEquivocation();
        }
        if (a.valid == b.valid) revert NotEquivocation();
        bytes32 key = vitalEvidenceKey(operator, a.rollupId, a.outputIndex, a.outputRoot);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 da = AvsEip712.digest(address(registry), AvsEip712.hashOutputVerdict(a));
        bytes32 db = AvsEip712.digest(address(registry), AvsEip712.hashOutputVerdict(b));
        if (!registry.verifyOperatorSignature(operator, da, signatureA)) revert InvalidOperatorSignature(0);
        if (!registry.verifyOperatorSignature(operator, db, signatureB)) revert InvalidOperatorSignature(1);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "VITAL contradiction");
        emit EquivocationSlashed(EvidenceType.VITAL_CONTRADICTION, operator, key, slashId);
    }

    function setSequencerInbox(uint64 rollupId, address inbox) external {
        if (msg.sender != deployer) revert OnlyDeployer();
        if (sequencerInboxOf[rollupId] != address(0)) revert InboxAlreadySet(rollupId);
        sequencerInboxOf[rollupId] = inbox;
        emit SequencerInboxSet(rollupId, inbox);
    }

    function squadDoubleProposalEvidenceKey(address operator, uint64 rollupId, uint64 slot)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EvidenceType.SQUAD_DOUBLE_PROPOSAL, operator, rollupId, slot));
    }

    /// @notice Two different SlotProposals signed by `operator`'s registered BLS key for the same
    ///         (rollupId, slot). Anyone may submit; the operator is slashed once per slot.
    function slashSquadDoubleProposal(
        address operator,
        AvsEip712.SlotProposal calldata a,
        bytes calldata signatureA,
        AvsEip712.SlotProposal calldata b,
        bytes calldata signatureB
    ) external returns (uint256 slashId) {
        if (a.rollupId != b.rollupId || a.slot != b.slot) revert NotEquivocation();
        if (a.parentHash == b.parentHash && a.blockHash == b.blockHash && a.txListHash == b.txListHash) {
            revert NotEquivocation();
        }
        bytes32 key = squadDoubleProposalEvidenceKey(operator, a.rollupId, a.slot);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 da = AvsEip712.digest(address(registry), AvsEip712.hashSlotProposal(a));
        bytes32 db = AvsEip712.digest(address(registry), AvsEip712.hashSlotProposal(b));
        if (!registry.verifyOperatorSignature(operator, da, signatureA)) revert InvalidOperatorSignature(0);
        if (!registry.verifyOperatorSignature(operator, db, signatureB)) revert InvalidOperatorSignature(1);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "SQUAD double proposal");
        emit EquivocationSlashed(EvidenceType.SQUAD_DOUBLE_PROPOSAL, operator, key, slashId);
    }

    function squadBrokenPreconfirmationEvidenceKey(address operator, uint64 rollupId, uint64 slot, bytes32 txHash)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EvidenceType.SQUAD_BROKEN_PRECONFIRMATION, operator, rollupId, slot, txHash));
    }

    /// @notice A Preconfirmation signed by `operator`'s registered BLS key for (rollupId, slot,
    ///         txHash), where the block committed for that slot in the rollup's sequencer inbox does
    ///         not hold txHash: `committed` must hash to the inbox's stored commitment of the slot,
    ///         and `txHashes` (the block's transaction hashes in order) to its txListHash. Anyone may
    ///         submit; the operator is slashed once per (rollupId, slot, txHash).
    function slashBrokenPreconfirmation(
        address operator,
        AvsEip712.Preconfirmation calldata p,
        bytes calldata signature,
        SlotCommitment calldata committed,
        bytes32[] calldata txHashes
    ) external returns (uint256 slashId) {
        address inbox = sequencerInboxOf[p.rollupId];
        if (inbox == address(0)) revert NoSequencerInbox(p.rollupId);
        bytes32 stored = ISlotCommitments(inbox).commitmentHashOf(p.slot);
        bytes32 given = ISlotCommitments(inbox).commitmentHash(
            p.slot,
            committed.parentHash,
            committed.blockHash,
            committed.txListHash,
            committed.forcedCursor,
            committed.committer,
            committed.rank,
            committed.l1Block
        );
        if (stored == bytes32(0) || stored != given) revert NotTheCommittedSlot(p.slot);
        if (keccak256(abi.encodePacked(txHashes)) != committed.txListHash) revert WrongTransactionList();
        for (uint256 i = 0; i < txHashes.length; i++) {
            if (txHashes[i] == p.txHash) revert TransactionIncluded(i);
        }
        bytes32 key = squadBrokenPreconfirmationEvidenceKey(operator, p.rollupId, p.slot, p.txHash);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 d = AvsEip712.digest(address(registry), AvsEip712.hashPreconfirmation(p));
        if (!registry.verifyOperatorSignature(operator, d, signature)) revert InvalidOperatorSignature(0);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "SQUAD broken preconfirmation");
        emit EquivocationSlashed(EvidenceType.SQUAD_BROKEN_PRECONFIRMATION, operator, key, slashId);
    }

    function setZkProposer(uint64 rollupId, address proposer) external {
        if (msg.sender != deployer) revert OnlyDeployer();
        if (zkProposerOf[rollupId] != address(0)) revert ProposerAlreadySet(rollupId);
        require(IZkBatchCommitments(proposer).rollupId() == rollupId, "rollupId");
        zkProposerOf[rollupId] = proposer;
        emit ZkProposerSet(rollupId, proposer);
    }

    function zkVerdictEvidenceKey(address operator, uint64 rollupId, uint256 outputIndex)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(EvidenceType.ZK_VERDICT_CONTRADICTED, operator, rollupId, outputIndex));
    }

    /// @notice An OutputVerdict signed by `operator`'s registered BLS key on commitment
    ///         `v.outputIndex` of a validity rollup, contradicted by a Groth16 proof: the proof
    ///         (ZkBatchProposer.verifyBatch's layout) verifies, through the rollup's own verifier and with public inputs rebuilt from the
    ///         proposer's stored commitment `provenCommitment`, for the same L2 blocks as the
    ///         verdict's commitment, on a commitment that chains from the verified batches; and the
    ///         verdict says INVALID of the root the proof binds, or VALID of another root. Anyone
    ///         may submit; the operator is slashed once per (rollupId, outputIndex).
    function slashZkVerdict(
        address operator,
        AvsEip712.OutputVerdict calldata v,
        bytes calldata signature,
        uint256 provenCommitment,
        uint256[8] calldata proof
    ) external returns (uint256 slashId) {
        address proposer = zkProposerOf[v.rollupId];
        if (proposer == address(0)) revert NoZkProposer(v.rollupId);
        IZkBatchCommitments p = IZkBatchCommitments(proposer);
        IZkBatchCommitments.Commitment memory named = p.commitment(v.outputIndex);
        IZkBatchCommitments.Commitment memory proven = p.commitment(provenCommitment);
        if (
            named.batchNumber != proven.batchNumber || named.firstBlockNumber != proven.firstBlockNumber
                || named.lastBlockNumber != proven.lastBlockNumber
        ) revert NotTheSameBlocks();
        if (!p.chainsFromVerified(provenCommitment)) revert ProofNotOnVerifiedChain(provenCommitment);
        if (v.valid ? v.outputRoot == proven.newStateRoot : v.outputRoot != proven.newStateRoot) {
            revert VerdictNotContradicted();
        }
        if (!p.proofVerifies(provenCommitment, proof)) revert ProofDoesNotVerify();
        bytes32 key = zkVerdictEvidenceKey(operator, v.rollupId, v.outputIndex);
        if (evidenceUsed[key]) revert EvidenceAlreadyUsed(key);
        bytes32 d = AvsEip712.digest(address(registry), AvsEip712.hashOutputVerdict(v));
        if (!registry.verifyOperatorSignature(operator, d, signature)) revert InvalidOperatorSignature(0);
        evidenceUsed[key] = true;
        slashId = registry.slash(operator, operatorSetId, wadToSlash, "VITAL verdict contradicted by a validity proof");
        emit EquivocationSlashed(EvidenceType.ZK_VERDICT_CONTRADICTED, operator, key, slashId);
    }
}
