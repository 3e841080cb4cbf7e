// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BLS12381} from "../avs/BLS12381.sol";

/// @title Prototypes of the certificate check with other storage layouts, for measuring gas only
///        (issue 13). Not used by the AVS: nothing here checks who loads a table. Each verifies
///        the same thing as AvsRegistry.checkSignatures: apk(epoch) minus the non-signers' keys,
///        their stake subtracted, one pairing check against hash-to-G2(digest).
/// @dev v1: per (epoch, operator) one storage word, stake (96 bits) << 160 | the low 160 bits of
///          keccak256(key); the non-signers' keys come in calldata and are checked against it.
///      v2: per epoch the whole table as contract code (SSTORE2-style): the header is the packed
///          apk (96 bytes) and the total stake (32 bytes), then per operator its packed key (96
///          bytes) and stake (12 bytes); read with EXTCODECOPY.
contract VerifierVariants {
    using BLS12381 for BLS12381.PackedG1;

    bytes internal constant DST_SIG = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    uint256 internal constant ENTRY = 108;
    uint256 internal constant HEADER = 128;

    error BadLength();
    error KeyMismatch(uint256 index);
    error NotSorted();
    error InvalidSignature();
    error UnknownEpoch();

    mapping(uint256 => uint256) public v1Word; // epoch << 32 | index
    mapping(uint32 => BLS12381.PackedG1) internal v1Apk;
    mapping(uint32 => uint256) public v1Total;
    mapping(uint32 => address) public v2Table;

    /// @notice Loads one epoch's operators (EIP-2537 G1 keys, 128 bytes each) for both variants.
    function load(uint32 epoch, bytes[] calldata keys, uint96[] calldata stakes) external {
        if (keys.length != stakes.length || keys.length == 0) revert BadLength();
        bytes memory work = new bytes(256);
        uint256 apkPtr;
        assembly {
            apkPtr := add(work, 0x20)
        }
        bytes memory table = new bytes(HEADER + ENTRY * keys.length);
        assembly {
            // slack after the table: each entry's stake is written as a whole word
            mstore(0x40, add(mload(0x40), 0x20))
        }
        uint256 total;
        for (uint256 i = 0; i < keys.length; i++) {
            bytes memory k = keys[i];
            BLS12381.PackedG1 memory p = BLS12381.pack(k);
            v1Word[(uint256(epoch) << 32) | i] =
                (uint256(stakes[i]) << 160) | uint256(uint160(uint256(keccak256(k))));
            total += stakes[i];
            uint256 kPtr;
            assembly {
                kPtr := add(k, 0x20)
            }
            if (i == 0) {
                p.unpackTo(apkPtr);
            } else {
                BLS12381.g1AddAt(apkPtr, kPtr, apkPtr);
            }
            bytes32 w0 = p.w0;
            bytes32 w1 = p.w1;
            bytes32 w2 = p.w2;
            uint96 s = stakes[i];
            uint256 off = HEADER + ENTRY * i;
            assembly {
                let d := add(add(table, 0x20), off)
                mstore(d, w0)
                mstore(add(d, 0x20), w1)
                mstore(add(d, 0x40), w2)
                // 12 bytes of stake right after the key; the next entry overwrites what follows
                mstore(add(d, 0x60), shl(160, s))
            }
        }
        BLS12381.PackedG1 memory apk = BLS12381.pack(_slice(work, 0, 128));
        v1Apk[epoch] = apk;
        v1Total[epoch] = total;
        bytes32 a0 = apk.w0;
        bytes32 a1 = apk.w1;
        bytes32 a2 = apk.w2;
        assembly {
            let d := add(table, 0x20)
            mstore(d, a0)
            mstore(add(d, 0x20), a1)
            mstore(add(d, 0x40), a2)
            mstore(add(d, 0x60), total)
        }
        // init code that returns the table as the new contract's code (a leading STOP byte, so
        // the table can never run)
        bytes memory init = abi.encodePacked(
            hex"61", uint16(table.length + 1), hex"80600c6000396000f3", hex"00", table
        );
        address t;
        assembly {
            t := create(0, add(init, 0x20), mload(init))
        }
        if (t == address(0)) revert BadLength();
        v2Table[epoch] = t;
    }

    /// @notice v1: the non-signers' keys in calldata (128 bytes each, in index order).
    function verifyV1(
        bytes32 digest,
        uint32 epoch,
        uint32[] calldata nonSigners,
        bytes calldata nonSignerKeys,
        bytes calldata sig
    ) external view returns (uint256 signedStake, uint256 totalStake) {
        if (nonSignerKeys.length != 128 * nonSigners.length || sig.length != 256) revert BadLength();
        totalStake = v1Total[epoch];
        if (totalStake == 0) revert UnknownEpoch();
        bytes memory work = new bytes(384);
        uint256 apkPtr;
        assembly {
            apkPtr := add(work, 0x20)
        }
        v1Apk[epoch].unpackTo(apkPtr);
        uint256 nsPtr = apkPtr + 128;
        uint256 tmpPtr = apkPtr + 256;
        uint256 nonSignerStake;
        for (uint256 i = 0; i < nonSigners.length; i++) {
            uint32 idx = nonSigners[i];
            if (i > 0 && idx <= nonSigners[i - 1]) revert NotSorted();
            uint256 w = v1Word[(uint256(epoch) << 32) | idx];
            uint256 h;
            assembly {
                calldatacopy(tmpPtr, add(nonSignerKeys.offset, mul(i, 128)), 128)
                h := keccak256(tmpPtr, 128)
            }
            if (uint160(h) != uint160(w) || w == 0) revert KeyMismatch(idx);
            nonSignerStake += w >> 160;
            if (i == 0) {
                assembly {
                    mcopy(nsPtr, tmpPtr, 128)
                }
            } else {
                BLS12381.g1AddAt(nsPtr, tmpPtr, nsPtr);
            }
        }
        if (nonSigners.length > 0) {
            BLS12381.negateAt(nsPtr);
            BLS12381.g1AddAt(apkPtr, nsPtr, apkPtr);
        }
        signedStake = totalStake - nonSignerStake;
        bytes memory hm = BLS12381.hashToG2(abi.encodePacked(digest), DST_SIG);
        if (!BLS12381.pairingCheckAt(apkPtr, hm, sig)) revert InvalidSignature();
    }

    /// @notice v2: everything from the epoch's table contract.
    function verifyV2(bytes32 digest, uint32 epoch, uint32[] calldata nonSigners, bytes calldata sig)
        external
        view
        returns (uint256 signedStake, uint256 totalStake)
    {
        if (sig.length != 256) revert BadLength();
        address t = v2Table[epoch];
        if (t == address(0)) revert UnknownEpoch();
        bytes memory work = new bytes(512);
        uint256 apkPtr;
        assembly {
            apkPtr := add(work, 0x20)
        }
        uint256 nsPtr = apkPtr + 128;
        uint256 tmpPtr = apkPtr + 256;
        uint256 rawPtr = apkPtr + 384;
        assembly {
            extcodecopy(t, rawPtr, 1, HEADER)
            totalStake := mload(add(rawPtr, 0x60))
        }
        BLS12381.expandPackedAt(rawPtr, apkPtr);
        uint256 nonSignerStake;
        for (uint256 i = 0; i < nonSigners.length; i++) {
            uint32 idx = nonSigners[i];
            if (i > 0 && idx <= nonSigners[i - 1]) revert NotSorted();
            uint256 s;
            assembly {
                extcodecopy(t, rawPtr, add(1, add(HEADER, mul(idx, ENTRY))), ENTRY)
                s := shr(160, mload(add(rawPtr, 0x60)))
            }
            if (s == 0) revert KeyMismatch(idx);
            nonSignerStake += s;
            if (i == 0) {
                BLS12381.expandPackedAt(rawPtr, nsPtr);
            } else {
                BLS12381.expandPackedAt(rawPtr, tmpPtr);
                BLS12381.g1AddAt(nsPtr, tmpPtr, nsPtr);
            }
        }
        if (nonSigners.length > 0) {
            BLS12381.negateAt(nsPtr);
            BLS12381.g1AddAt(apkPtr, nsPtr, apkPtr);
        }
        signedStake = totalStake - nonSignerStake;
        bytes memory hm = BLS12381.hashToG2(abi.encodePacked(digest), DST_SIG);
        if (!BLS12381.pairingCheckAt(apkPtr, hm, sig)) revert InvalidSignature();
    }

    function _slice(bytes memory b, uint256 from, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        assembly {
            mcopy(add(out, 0x20), add(add(b, 0x20), from), len)
        }
    }
}
