// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {BLS12381} from "../avs/BLS12381.sol";
import {AvsEip712} from "../avs/AvsEip712.sol";

/// @title Exposes the BLS12-381 library and the EIP-712 digests for cross-checks (tests, tools).
contract BlsHarness {
    function hashToG2(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return BLS12381.hashToG2(message, dst);
    }

    function expandMessageXmd256(bytes calldata message, bytes calldata dst) external view returns (bytes memory) {
        return BLS12381.expandMessageXmd256(message, dst);
    }

    function compressG1(bytes calldata p) external pure returns (bytes memory) {
        return BLS12381.compressG1(p);
    }

    function verify(bytes calldata pk, bytes calldata message, bytes calldata dst, bytes calldata sig)
        external
        view
        returns (bool)
    {
        return BLS12381.pairingCheck(pk, BLS12381.hashToG2(message, dst), sig);
    }

    function finalityAttestationDigest(address verifyingContract, AvsEip712.FinalityAttestation calldata a)
        external
        view
        returns (bytes32)
    {
        return AvsEip712.digest(verifyingContract, AvsEip712.hashFinalityAttestation(a));
    }
}
