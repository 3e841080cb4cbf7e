#!/usr/bin/env bash
# Builds the devnet ZK rollup's proving artifacts from circuits/batch.circom with the pinned npm
# toolchain (circom2, snarkjs; GPL-3.0 build tools, whose output stays out of the Java artifacts):
#   target/zk/batch_js/batch.wasm       witness generator
#   target/zk/batch.zkey                Groth16 proving key
#   target/zk/verification_key.json     its verification key
#   target/zk/Groth16Verifier.sol       the generated Solidity verifier
#   target/zk/solc/Groth16Verifier.{abi,bin}  compiled with solc-js (the same settings as the contracts)
# The powers-of-tau ceremony (power 11; its `prepare phase2` is the slow step, about 30-45 s) runs
# once per machine and is kept in $AVS_ZK_CACHE (default ~/.cache/avs-node/zk); the circuit-specific
# setup runs when the circuit or the toolchain changes. Skipped when its inputs are unchanged.
# Usage: zk/build.sh   (called by the Maven build, zk module, generate-resources phase)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/target/zk"
snarkjs="$root/toolchain/node_modules/snarkjs/build/cli.cjs"
circom="$root/toolchain/node_modules/circom2/cli.js"
[ -f "$snarkjs" ] && [ -f "$circom" ] || { echo "zk: toolchain not installed (run toolchain/install.sh)" >&2; exit 1; }
power=11
want=$(cat "$here/circuits/batch.circom" "$here/build.sh" "$here/scripts/prove.js" \
  "$root/toolchain/package-lock.json" "$root/eigen-contracts/scripts/compile.js" | sha256sum | cut -d' ' -f1)
stamp="$out/.inputs.sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/solc/Groth16Verifier.bin" ]; then
  echo "zk: proving artifacts up to date"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
log="$out/build.log"
quiet() { "$@" >>"$log" 2>&1 || { cat "$log" >&2; echo "zk: failed: $*" >&2; exit 1; }; }

# circom2 (WASI) reaches files only through paths relative to its working directory
echo "zk: compiling circuits/batch.circom"
(cd "$root" && quiet node "$circom" zk/circuits/batch.circom --r1cs --wasm -o "zk/target/zk")

cache="${AVS_ZK_CACHE:-${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/avs-node/zk}"
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  # no writable cache directory (a read-only home): the ceremony runs for this build tree only
  cache="$here/target/ptau-cache"
  mkdir -p "$cache"
fi
ptau="$cache/pot${power}_final.ptau"
if [ -f "$ptau" ] && node "$snarkjs" powersoftau verify "$ptau" >>"$log" 2>&1; then
  echo "zk: powers of tau (power $power) from $ptau"
else
  echo "zk: powers-of-tau ceremony, power $power (once per machine; about 30-45 s)"
  tmp="$(mktemp -d "$cache/ceremony.XXXXXX")"
  quiet node "$snarkjs" powersoftau new bn128 "$power" "$tmp/pot_0.ptau"
  quiet node "$snarkjs" powersoftau contribute "$tmp/pot_0.ptau" "$tmp/pot_1.ptau" \
    --name="avs-node devnet" -e="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  quiet node "$snarkjs" powersoftau prepare phase2 "$tmp/pot_1.ptau" "$tmp/pot_final.ptau"
  mv "$tmp/pot_final.ptau" "$ptau"
  rm -rf "$tmp"
fi

echo "zk: Groth16 setup"
quiet node "$snarkjs" groth16 setup "$out/batch.r1cs" "$ptau" "$out/batch_0.zkey"
quiet node "$snarkjs" zkey contribute "$out/batch_0.zkey" "$out/batch.zkey" \
  --name="avs-node devnet" -e="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
rm -f "$out/batch_0.zkey"
quiet node "$snarkjs" zkey export verificationkey "$out/batch.zkey" "$out/verification_key.json"
mkdir -p "$out/sol"
quiet node "$snarkjs" zkey export solidityverifier "$out/batch.zkey" "$out/sol/Groth16Verifier.sol"
cp "$out/sol/Groth16Verifier.sol" "$out/Groth16Verifier.sol"
quiet node "$root/eigen-contracts/scripts/compile.js" "$root/toolchain/node_modules/solc" "$out/sol" "$out/solc"

# a self-check: prove one batch and verify it with snarkjs
echo '{"prevStateRoot":"0x01","newStateRoot":"0x02","lastBlockHash":"0x03","txCommitment":"0x04"}' \
  | node "$here/scripts/prove.js" "$out" > "$out/selfcheck.json"
grep -q '"verified":true' "$out/selfcheck.json" || { cat "$out/selfcheck.json" >&2; echo "zk: self-check failed" >&2; exit 1; }
echo "$want" > "$stamp"
echo "zk: built $out"
