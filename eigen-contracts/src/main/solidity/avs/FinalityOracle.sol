// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AvsEip712} from "./AvsEip712.sol";

interface ICertificateVerifier {
    function verifyCertificate(
        bytes32 digest,
        uint32 operatorSetId,
        uint32 stakeEpoch,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) external view returns (uint256 signedStake, uint256 totalStake);
}

/// @title MACH finality oracle: records L2 blocks finalized by an operator-set certificate.
/// @notice submitCertificate verifies a certificate over the EIP-712 FinalityAttestation digest
///         (computed here from the fields) and records (rollupId, l2BlockNumber) ->
///         (l2BlockHash, outputRoot). Racing aggregators: a second submission for a block that is
///         already final returns false without verifying, storing or emitting anything. A
///         certificate that verifies but conflicts with the recorded block is not stored; it
///         emits ConflictingCertificate (evidence that a threshold of stake equivocated).
///
///         Cadence: aggregators keep a certificate for every L2 block off-chain (REST, SSE) and
///         submit here only the latest certified block every few L1 blocks, or at once for a block
///         a consumer asks for with requestFinality. Finalizing block N records N's hash and
///         output root only; N's hash commits to its ancestors' hashes, but no earlier block is
///         recorded by it.
contract FinalityOracle {
    struct Finalized {
        bytes32 l2BlockHash;
        bytes32 outputRoot;
        uint32 stakeEpoch;
        uint64 l1BlockNumber;
        uint96 signedStake;
    }

    ICertificateVerifier public immutable registry;
    uint32 public immutable operatorSetId;

    mapping(uint64 => mapping(uint64 => Finalized)) internal _finalized;
    mapping(uint64 => uint64) public latestFinalizedBlock;
    mapping(uint64 => bool) public hasFinalized;

    event BlockFinalized(
        uint64 indexed rollupId,
        uint64 indexed l2BlockNumber,
        bytes32 l2BlockHash,
        bytes32 outputRoot,
        uint32 stakeEpoch,
        uint256 signedStake,
        uint256 totalStake
    );
    /// @notice A consumer asks the aggregators to submit the certificate of this block now rather
    ///         than at their next periodic submission.
    event FinalityRequested(uint64 indexed rollupId, uint64 indexed l2BlockNumber, address requester);
    event ConflictingCertificate(
        uint64 indexed rollupId, uint64 indexed l2BlockNumber, bytes32 l2BlockHash, bytes32 outputRoot
    );

    constructor(address registry_, uint32 operatorSetId_) {
        registry = ICertificateVerifier(registry_);
        operatorSetId = operatorSetId_;
    }

    /// @return accepted true if this call recorded the block, false if it was already final
    function submitCertificate(
        AvsEip712.FinalityAttestation calldata attestation,
        uint32[] calldata nonSignerIndices,
        bytes calldata aggregateSignature
    ) external returns (bool accepted) {
        Finalized storage f = _finalized[attestation.rollupId][attestation.l2BlockNumber];
        bool known = f.l1BlockNumber != 0;
        if (known && f.l2BlockHash == attestation.l2BlockHash && f.outputRoot == attestation.outputRoot) {
            return false;
        }
        bytes32 digest = AvsEip712.digest(address(registry), AvsEip712.hashFinalityAttestation(attestation));
        (uint256 signedStake, uint256 totalStake) = registry.verifyCertificate(
            digest, operatorSetId, attestation.stakeEpoch, nonSignerIndices, aggregateSignature
        );
        if (known) {
            emit ConflictingCertificate(
                attestation.rollupId, attestation.l2BlockNumber, attestation.l2BlockHash, attestation.outputRoot
            );
            return false;
        }
        _finalized[attestation.rollupId][attestation.l2BlockNumber] = Finalized(
            attestation.l2BlockHash,
            attestation.outputRoot,
            attestation.stakeEpoch,
            uint64(block.number),
            uint96(signedStake)
        );
        if (!hasFinalized[attestation.rollupId] || attestation.l2BlockNumber > latestFinalizedBlock[attestation.rollupId]) {
            latestFinalizedBlock[attestation.rollupId] = attestation.l2BlockNumber;
            hasFinalized[attestation.rollupId] = true;
        }
        emit BlockFinalized(
            attestation.rollupId,
            attestation.l2BlockNumber,
            attestation.l2BlockHash,
            attestation.outputRoot,
            attestation.stakeEpoch,
            signedStake,
            totalStake
        );
        return true;
    }

    /// @notice Asks the aggregators for this block's certificate on L1 (they watch this event and
    ///         submit the certificate they hold for the block). Emits only; nothing is stored.
    function requestFinality(uint64 rollupId, uint64 l2BlockNumber) external {
        emit FinalityRequested(rollupId, l2BlockNumber, msg.sender);
    }

    function isFinalized(uint64 rollupId, uint64 l2BlockNumber) external view returns (bool) {
        return _finalized[rollupId][l2BlockNumber].l1BlockNumber != 0;
    }

    /// @notice For bridges: true iff the block with this hash and output root is final.
    function isFinalizedAs(uint64 rollupId, uint64 l2BlockNumber, bytes32 l2BlockHash, bytes32 outputRoot)
        external
        view
        returns (bool)
    {
        Finalized storage f = _finalized[rollupId][l2BlockNumber];
        return f.l1BlockNumber != 0 && f.l2BlockHash == l2BlockHash && f.outputRoot == outputRoot;
    }

    function getFinalized(uint64 rollupId, uint64 l2BlockNumber) external view returns (Finalized memory) {
        return _finalized[rollupId][l2BlockNumber];
    }
}
