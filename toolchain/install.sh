#!/usr/bin/env bash
# Installs the pinned devnet toolchain (anvil, forge, cast, solc-js; circom2, snarkjs, circomlib) with `npm ci` from the
# npm registry into toolchain/node_modules. Skipped when the installed tree already matches
# package-lock.json. Called by the Maven build (toolchain module, generate-resources phase).
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.avs-toolchain.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
arch=$(uname -m)
case "$arch" in
  x86_64|amd64) plat=linux-amd64 ;;

  *) echo "toolchain: unsupported architecture $arch (Foundry 1.7.1 is published on npm for linux-amd64 only)" >&2; exit 1 ;;
esac
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && [ -x "node_modules/@foundry-rs/anvil-$plat/bin/anvil" ]; then
  echo "toolchain: up to date (package-lock.json $want)"
  exit 0
fi
command -v npm >/dev/null || { echo "toolchain: npm not found; install Node 20+ with npm" >&2; exit 1; }
echo "toolchain: npm ci (anvil, forge, cast 1.7.1; solc-js; circom2, snarkjs, circomlib) ..."
# --ignore-scripts: the Foundry postinstall hooks would download binaries from elsewhere;
# the binaries we use ship inside the platform packages.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
for t in anvil forge cast; do
  bin="node_modules/@foundry-rs/$t-$plat/bin/$t"
  [ -x "$bin" ] || chmod +x "$bin"
  "$bin" --version | head -1
done
echo "$want" > "$stamp"
