pragma circom 2.0.0;

// A devnet stand-in for a rollup's validity circuit. Its public inputs are the four 32-byte values
// that identify one batch, each split into a high and a low 128-bit limb (a BN254 field element
// holds 253 bits, not 256):
//   prevStateRoot, newStateRoot, lastBlockHash, txCommitment
// Each limb is range-checked to 128 bits, so a bytes32 has exactly one encoding and a proof binds
// exactly one batch. The statement proves nothing about execution: on the devnet, soundness is
// modelled by the prover, which proves only batches that match its own L2 node (docs/vital.md).
include "../../toolchain/node_modules/circomlib/circuits/bitify.circom";

template Limbs128(n) {
    signal input limbs[n];
    component bits[n];
    for (var i = 0; i < n; i++) {
        bits[i] = Num2Bits(128);
        bits[i].in <== limbs[i];
    }
}

template BatchTransition() {
    signal input prevStateRoot[2];
    signal input newStateRoot[2];
    signal input lastBlockHash[2];
    signal input txCommitment[2];

    component range = Limbs128(8);
    for (var i = 0; i < 2; i++) {
        range.limbs[i] <== prevStateRoot[i];
        range.limbs[2 + i] <== newStateRoot[i];
        range.limbs[4 + i] <== lastBlockHash[i];
        range.limbs[6 + i] <== txCommitment[i];
    }
}

component main {public [prevStateRoot, newStateRoot, lastBlockHash, txCommitment]} = BatchTransition();
