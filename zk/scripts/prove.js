#!/usr/bin/env node
// The devnet prover's proving engine: reads one JSON request per line on stdin and writes one
// JSON answer per line on stdout, in order, until stdin closes.
//   request: {"prevStateRoot":"0x..","newStateRoot":"0x..","lastBlockHash":"0x..","txCommitment":"0x.."}
//            (each a hex value of at most 32 bytes)
//   answer:  {"a":[x,y],"b":[[x1,x0],[y1,y0]],"c":[x,y],"publicInputs":[8 decimals],"verified":true,
//             "proveMillis":n}  with b already in the order the Solidity verifier takes
//            or {"error":"..."} for a request it cannot prove (the process keeps serving)
// Usage: node prove.js <artifactsDir>   (the directory zk/build.sh writes: batch_js/batch.wasm,
//        batch.zkey, verification_key.json)
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');

if (process.argv.length !== 3) {
  process.stderr.write('usage: node prove.js <artifactsDir>\n');
  process.exit(2);
}
const dir = path.resolve(process.argv[2]);
const root = path.resolve(__dirname, '..', '..');
const snarkjs = require(path.join(root, 'toolchain', 'node_modules', 'snarkjs', 'build', 'main.cjs'));
const wasm = path.join(dir, 'batch_js', 'batch.wasm');
const zkey = path.join(dir, 'batch.zkey');
const vkey = JSON.parse(fs.readFileSync(path.join(dir, 'verification_key.json'), 'utf8'));
const FIELDS = ['prevStateRoot', 'newStateRoot', 'lastBlockHash', 'txCommitment'];
const LOW = (1n << 128n) - 1n;

function limbs(name, value) {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw new Error(name + ' must be a 0x-prefixed hex value of at most 32 bytes');
  }
  const v = BigInt(value);
  return [(v >> 128n).toString(), (v & LOW).toString()];
}

async function prove(line) {
  const req = JSON.parse(line);
  if (req === null || typeof req !== 'object') throw new Error('request must be a JSON object');
  const input = {};
  for (const f of FIELDS) input[f] = limbs(f, req[f]);
  const started = Date.now();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, wasm, zkey);
  const proveMillis = Date.now() - started;
  const verified = await snarkjs.groth16.verify(vkey, publicSignals, proof);
  return {
    a: [proof.pi_a[0], proof.pi_a[1]],
    b: [
      [proof.pi_b[0][1], proof.pi_b[0][0]],
      [proof.pi_b[1][1], proof.pi_b[1][0]],
    ],
    c: [proof.pi_c[0], proof.pi_c[1]],
    publicInputs: publicSignals,
    verified,
    proveMillis,
  };
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
let chain = Promise.resolve();
rl.on('line', (line) => {
  if (line.trim() === '') return;
  chain = chain.then(async () => {
    let answer;
    try {
      answer = await prove(line);
    } catch (e) {
      answer = { error: String(e && e.message ? e.message : e) };
    }
    process.stdout.write(JSON.stringify(answer) + '\n');
  });
});
rl.on('close', () => {
  chain.then(() => process.exit(0));
});
