// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title EIP-712 digests of the messages operators sign (DESIGN.md §3).
/// @notice Domain {name: "AVS Operator Node", version: "1", chainId, verifyingContract: the
///         service manager (the AvsRegistry)}. Field order is part of the spec.
library AvsEip712 {
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("AVS Operator Node");
    bytes32 internal constant VERSION_HASH = keccak256("1");

    bytes32 internal constant FINALITY_ATTESTATION_TYPEHASH = keccak256(
        "FinalityAttestation(uint64 rollupId,uint64 l2BlockNumber,bytes32 l2BlockHash,bytes32 outputRoot,uint32 stakeEpoch)"
    );
    bytes32 internal constant OUTPUT_VERDICT_TYPEHASH = keccak256(
        "OutputVerdict(uint64 rollupId,uint256 outputIndex,bytes32 outputRoot,bool valid,uint32 stakeEpoch)"
    );
    bytes32 internal constant SLOT_PROPOSAL_TYPEHASH = keccak256(
        "SlotProposal(uint64 rollupId,uint64 slot,bytes32 parentHash,bytes32 blockHash,bytes32 txListHash)"
    );
    bytes32 internal constant SLOT_ATTESTATION_TYPEHASH =
        keccak256("SlotAttestation(uint64 rollupId,uint64 slot,bytes32 blockHash,uint32 stakeEpoch)");
    bytes32 internal constant PRECONFIRMATION_TYPEHASH =
        keccak256("Preconfirmation(uint64 rollupId,uint64 slot,bytes32 txHash)");

    struct FinalityAttestation {
        uint64 rollupId;
        uint64 l2BlockNumber;
        bytes32 l2BlockHash;
        bytes32 outputRoot;
        uint32 stakeEpoch;
    }

    struct OutputVerdict {
        uint64 rollupId;
        uint256 outputIndex;
        bytes32 outputRoot;
        bool valid;
        uint32 stakeEpoch;
    }

    struct SlotProposal {
        uint64 rollupId;
        uint64 slot;
        bytes32 parentHash;
        bytes32 blockHash;
        bytes32 txListHash;
    }

    struct Preconfirmation {
        uint64 rollupId;
        uint64 slot;
        bytes32 txHash;
    }

    function domainSeparator(address verifyingContract) internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, verifyingContract));
    }

    function digest(address verifyingContract, bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(verifyingContract), structHash));
    }

    function hashFinalityAttestation(FinalityAttestation memory a) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                FINALITY_ATTESTATION_TYPEHASH, a.rollupId, a.l2BlockNumber, a.l2BlockHash, a.outputRoot, a.stakeEpoch
            )
        );
    }

    function hashOutputVerdict(OutputVerdict memory v) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(OUTPUT_VERDICT_TYPEHASH, v.rollupId, v.outputIndex, v.outputRoot, v.valid, v.stakeEpoch)
        );
    }

    function hashSlotProposal(SlotProposal memory p) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(SLOT_PROPOSAL_TYPEHASH, p.rollupId, p.slot, p.parentHash, p.blockHash, p.txListHash)
        );
    }

    function hashPreconfirmation(Preconfirmation memory p) internal pure returns (bytes32) {
        return keccak256(abi.encode(PRECONFIRMATION_TYPEHASH, p.rollupId, p.slot, p.txHash));
    }
}
