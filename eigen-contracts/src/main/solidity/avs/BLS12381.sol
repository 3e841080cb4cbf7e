// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title BLS12-381 on the EIP-2537 precompiles (Prague).
/// @notice Points use the EIP-2537 encoding: Fp = 64 bytes big-endian (top 16 bytes zero),
///         G1 = x || y (128 bytes), G2 = x.c0 || x.c1 || y.c0 || y.c1 (256 bytes), infinity = all zero.
///         Public keys are in G1, signatures in G2 (Ethereum's "minimal-pubkey-size" layout).
///         hashToG2 follows RFC 9380 (BLS12381G2_XMD:SHA-256_SSWU_RO_).
library BLS12381 {
    address internal constant G1ADD = address(0x0b);
    address internal constant G2ADD = address(0x0d);
    address internal constant PAIRING = address(0x0f);
    address internal constant MAP_FP2_TO_G2 = address(0x11);
    address internal constant SHA256 = address(0x02);
    address internal constant MODEXP = address(0x05);

    // p split into its high 128 bits and low 256 bits
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
    // (p - 1) / 2, the bound above which y is the "larger" root (compressed sign flag)
    uint256 internal constant HALF_P_HI = 0x0d0088f51cbff34d258dd3db21a5d66b;
    uint256 internal constant HALF_P_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;
    // the G1 generator's x and the negated generator's y (p - g.y)
    uint256 internal constant G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 internal constant G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 internal constant NEG_G1_Y_HI = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 internal constant NEG_G1_Y_LO = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;

    uint256 internal constant MASK128 = 0xffffffffffffffffffffffffffffffff;

    // spec gas of the precompiles, forwarded exactly so a failing call (which burns all forwarded
    // gas) costs no more than a succeeding one
    uint256 internal constant G1ADD_GAS = 375;
    uint256 internal constant G2ADD_GAS = 600;
    uint256 internal constant MAP_G2_GAS = 23800;
    uint256 internal constant PAIRING2_GAS = 2 * 32600 + 37700;

    error MalformedPoint();
    error PrecompileFailed(address precompile);
    error DstTooLong();

    /// @dev A G1 point packed into three words: x (48 bytes) || y (48 bytes), padding dropped.
    struct PackedG1 {
        bytes32 w0;
        bytes32 w1;
        bytes32 w2;
    }

    // ---------------------------------------------------------------------------------------
    // G1 helpers
    // ---------------------------------------------------------------------------------------

    /// @notice Packs a 128-byte EIP-2537 G1 encoding; reverts unless the padding bytes are zero.
    function pack(bytes memory p) internal pure returns (PackedG1 memory r) {
        if (p.length != 128) revert MalformedPoint();
        bool badPadding;
        bytes32 w0;
        bytes32 w1;
        bytes32 w2;
        assembly {
            let d := add(p, 0x20)
            badPadding := or(shr(128, mload(d)), shr(128, mload(add(d, 0x40))))
            w0 := mload(add(d, 0x10))
            w1 := or(and(mload(add(d, 0x30)), not(MASK128)), shr(128, mload(add(d, 0x50))))
            w2 := mload(add(d, 0x60))
        }
        if (badPadding) revert MalformedPoint();
        r = PackedG1(w0, w1, w2);
    }

    /// @notice Writes the 128-byte EIP-2537 encoding of a packed point at memory pointer `ptr`.
    function unpackTo(PackedG1 memory k, uint256 ptr) internal pure {
        bytes32 w0 = k.w0;
        bytes32 w1 = k.w1;
        bytes32 w2 = k.w2;
        assembly {
            mstore(ptr, 0)
            mstore(add(ptr, 0x10), w0)
            mstore(add(ptr, 0x30), w1)
            mstore(add(ptr, 0x40), and(w1, MASK128))
            mstore(add(ptr, 0x60), w2)
        }
    }

    /// @notice Writes the 128-byte EIP-2537 encoding at `dst` of the 96 packed bytes (x || y) at
    ///         memory pointer `src` (a key as operator tables store it).
    function expandPackedAt(uint256 src, uint256 dst) internal pure {
        assembly {
            let w0 := mload(src)
            let w1 := mload(add(src, 0x20))
            let w2 := mload(add(src, 0x40))
            mstore(dst, 0)
            mstore(add(dst, 0x10), w0)
            mstore(add(dst, 0x30), w1)
            mstore(add(dst, 0x40), and(w1, MASK128))
            mstore(add(dst, 0x60), w2)
        }
    }

    function unpack(PackedG1 memory k) internal pure returns (bytes memory out) {
        out = new bytes(128);
        uint256 ptr;
        assembly {
            ptr := add(out, 0x20)
        }
        unpackTo(k, ptr);
    }

    function isZero(PackedG1 memory k) internal pure returns (bool) {
        return k.w0 == 0 && k.w1 == 0 && k.w2 == 0;
    }

    /// @notice Negates, in place, the G1 point encoded at memory pointer `ptr` (y -> p - y).
    function negateAt(uint256 ptr) internal pure {
        assembly {
            let yhi := mload(add(ptr, 0x40))
            let ylo := mload(add(ptr, 0x60))
            if or(yhi, ylo) {
                let borrow := lt(P_LO, ylo)
                mstore(add(ptr, 0x60), sub(P_LO, ylo))
                mstore(add(ptr, 0x40), sub(sub(P_HI, yhi), borrow))
            }
        }
    }

    /// @notice a + b in G1 (EIP-2537 encoding at memory pointers); result written at `out`.
    /// @dev G1ADD checks that both points are on the curve, but NOT that they are in the subgroup.
    function g1AddAt(uint256 a, uint256 b, uint256 out) internal view {
        bool ok;
        assembly {
            // build a || b contiguously in scratch space after `out`'s free memory
            let buf := mload(0x40)
            mcopy(buf, a, 128)
            mcopy(add(buf, 128), b, 128)
            ok := staticcall(G1ADD_GAS, 0x0b, buf, 256, out, 128)
        }
        if (!ok) revert PrecompileFailed(G1ADD);
    }

    /// @notice The 48-byte compressed (ZCash) encoding of a G1 point given in EIP-2537 form.
    function compressG1(bytes memory p) internal pure returns (bytes memory out) {
        if (p.length != 128) revert MalformedPoint();
        out = new bytes(48);
        assembly {
            let d := add(p, 0x20)
            let o := add(out, 0x20)
            mcopy(o, add(d, 0x10), 48)
            let yhi := mload(add(d, 0x40))
            let ylo := mload(add(d, 0x60))
            let flags := 0x80
            if or(gt(yhi, HALF_P_HI), and(eq(yhi, HALF_P_HI), gt(ylo, HALF_P_LO))) {
                flags := 0xa0
            }
            let infinity := iszero(or(or(mload(add(d, 0x10)), mload(add(d, 0x30))), or(yhi, ylo)))
            if infinity {
                flags := 0xc0
            }
            mstore8(o, or(byte(0, mload(o)), flags))
        }
    }

    // ---------------------------------------------------------------------------------------
    // hash to G2 (RFC 9380, expand_message_xmd with SHA-256, 2 field elements of Fp2)
    // ---------------------------------------------------------------------------------------

    /// @notice expand_message_xmd(msg, dst, 256) with SHA-256 (RFC 9380 §5.3.1).
    /// @dev Written against the SHA-256 precompile directly: one buffer holds
    ///      Z_pad || msg || I2OSP(256, 2) || 0x00 || DST_prime for b_0, a second one
    ///      (b_0 XOR b_(i-1)) || i || DST_prime for b_1..b_8, so the eight chained hashes only rewrite
    ///      33 bytes each (this saves about 6k gas per hash-to-G2 over building each input with
    ///      abi.encodePacked).
    function expandMessageXmd256(bytes memory message, bytes memory dst)
        internal
        view
        returns (bytes memory uniform)
    {
        if (dst.length > 255) {
            dst = abi.encodePacked(sha256(abi.encodePacked("H2C-OVERSIZE-DST-", dst)));
        }
        uniform = new bytes(256);
        bool ok = true;
        assembly {
            let mlen := mload(message)
            let dlen := mload(dst)
            // b_0's input at buf0, the chained input at buf1; both end with DST_prime
            let buf0 := mload(0x40)
            let len0 := add(add(67, mlen), add(dlen, 1))
            let buf1 := add(buf0, and(add(len0, 31), not(31)))
            let len1 := add(34, dlen)
            mstore(0x40, add(buf1, add(len1, 32)))
            mstore(buf0, 0)
            mstore(add(buf0, 0x20), 0)
            mcopy(add(buf0, 64), add(message, 0x20), mlen)
            let q := add(add(buf0, 64), mlen)
            // I2OSP(256, 2) || I2OSP(0, 1)
            mstore8(q, 1)
            mstore8(add(q, 1), 0)
            mstore8(add(q, 2), 0)
            mcopy(add(q, 3), add(dst, 0x20), dlen)
            mstore8(add(add(q, 3), dlen), dlen)
            ok := staticcall(gas(), 0x02, buf0, len0, 0, 0x20)
            let b0 := mload(0)
            mcopy(add(buf1, 33), add(dst, 0x20), dlen)
            mstore8(add(add(buf1, 33), dlen), dlen)
            let prev := 0
            let out := add(uniform, 0x20)
            for { let i := 1 } lt(i, 9) { i := add(i, 1) } {
                mstore(buf1, xor(b0, prev))
                mstore8(add(buf1, 32), i)
                ok := and(ok, staticcall(gas(), 0x02, buf1, len1, out, 0x20))
                prev := mload(out)
                out := add(out, 0x20)
            }
        }
        if (!ok) revert PrecompileFailed(SHA256);
    }

    /// @notice hash_to_field for Fp2, count 2: returns u0 || u1, each c0 || c1 in 64-byte Fp
    ///         encoding (128 bytes each), ready for MAP_FP2_TO_G2.
    function hashToFieldFp2(bytes memory message, bytes memory dst) internal view returns (bytes memory u) {
        bytes memory uniform = expandMessageXmd256(message, dst);
        u = new bytes(256);
        bool ok = true;
        assembly {
            // MODEXP input: base_len=64, exp_len=1, mod_len=48, base, exp=1, p
            let buf := mload(0x40)
            mstore(buf, 64)
            mstore(add(buf, 0x20), 1)
            mstore(add(buf, 0x40), 48)
            // base at buf+0x60 (64 bytes), exponent at buf+0xa0 (1 byte), modulus at buf+0xa1 (48)
            mstore8(add(buf, 0xa0), 1)
            mstore(add(buf, 0xa1), shl(128, P_HI))
            mstore(add(buf, 0xb1), P_LO)
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let src := add(add(uniform, 0x20), mul(i, 64))
                mstore(add(buf, 0x60), mload(src))
                mstore(add(buf, 0x80), mload(add(src, 0x20)))
                let dstPtr := add(add(u, 0x20), mul(i, 64))
                mstore(dstPtr, 0)
                ok := and(ok, staticcall(gas(), 0x05, buf, 0xd1, add(dstPtr, 16), 48))
            }
        }
        if (!ok) revert PrecompileFailed(MODEXP);
    }

    /// @notice hash_to_curve for G2 (RFC 9380 BLS12381G2_XMD:SHA-256_SSWU_RO_) with the given DST;
    ///         returns the 256-byte EIP-2537 encoding.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory h) {
        bytes memory u = hashToFieldFp2(message, dst);
        h = new bytes(256);
        bool ok;
        assembly {
            let buf := mload(0x40)
            // MAP(u0) -> buf[0..256), MAP(u1) -> buf[256..512), G2ADD -> h
            ok := staticcall(MAP_G2_GAS, 0x11, add(u, 0x20), 128, buf, 256)
            ok := and(ok, staticcall(MAP_G2_GAS, 0x11, add(u, 0xa0), 128, add(buf, 256), 256))
            ok := and(ok, staticcall(G2ADD_GAS, 0x0d, buf, 512, add(h, 0x20), 256))
        }
        if (!ok) revert PrecompileFailed(MAP_FP2_TO_G2);
    }

    // ---------------------------------------------------------------------------------------
    // pairing
    // ---------------------------------------------------------------------------------------

    /// @notice e(pk, hm) * e(-g1, sig) == 1, i.e. sig is a valid signature by pk over the
    ///         message that hashes to hm. PAIRING_CHECK verifies that every input is a canonical
    ///         encoding, on its curve and in its prime-order subgroup; any failure returns false.
    /// @param pkPtr memory pointer to a 128-byte G1 point
    /// @param hm 256-byte G2 point (the hashed message)
    /// @param sig 256-byte G2 point
    function pairingCheckAt(uint256 pkPtr, bytes memory hm, bytes memory sig) internal view returns (bool valid) {
        if (hm.length != 256 || sig.length != 256) return false;
        assembly {
            let buf := mload(0x40)
            mcopy(buf, pkPtr, 128)
            mcopy(add(buf, 128), add(hm, 0x20), 256)
            // -g1: each 64-byte Fp is [16 zero bytes][48-byte value]; the word at the field's
            // start holds the value's top 16 bytes in its low half (the constants are < 2^128)
            mstore(add(buf, 384), G1_X_HI)
            mstore(add(buf, 416), G1_X_LO)
            mstore(add(buf, 448), NEG_G1_Y_HI)
            mstore(add(buf, 480), NEG_G1_Y_LO)
            mcopy(add(buf, 512), add(sig, 0x20), 256)
            let ok := staticcall(PAIRING2_GAS, 0x0f, buf, 768, buf, 32)
            valid := and(ok, eq(mload(buf), 1))
        }
    }

    function pairingCheck(bytes memory pk, bytes memory hm, bytes memory sig) internal view returns (bool) {
        if (pk.length != 128) return false;
        uint256 ptr;
        assembly {
            ptr := add(pk, 0x20)
        }
        return pairingCheckAt(ptr, hm, sig);
    }
}
