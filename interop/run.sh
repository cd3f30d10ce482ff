#!/usr/bin/env bash
# Interop, both directions, against mozilla's historic JS BrowserID libraries:
#  (a) mozidsim's backed assertions verified by browserid-local-verify,
#  (b) browserid-crypto's certificates and assertions verified by mozidsim,
# plus a deliberately broken assertion that must make (a) fail, and the verify
# throughput of both, for the ratio.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
work="${INTEROP_WORK:-$here/.work}"
mkdir -p "$work"
if [ ! -f node_modules/browserid-crypto/libs/minimal.js ]; then
  # The package's postinstall (a browser bundle) crashes on Node 20: skip scripts,
  # then build the Node-side libs it needs.
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error browserid-crypto@0.9.1 browserid-local-verify@0.5.2
  node -e "require('./node_modules/browserid-crypto/scripts/package')" >/dev/null
fi
gotool="$work/gotool"
(cd .. && go build -o "$gotool" ./interop/gotool)

echo "== (a) mozidsim mints, browserid-local-verify verifies"
"$gotool" mint > "$work/go-fixtures.json"
node verify.js "$work/go-fixtures.json"

echo "== (a') a deliberately broken assertion must fail the harness"
if node verify.js "$work/go-fixtures.json" --break > "$work/broken.out"; then
  cat "$work/broken.out"; echo "interop: the broken assertion was NOT caught"; exit 1
fi
grep FAIL "$work/broken.out"

echo "== (b) browserid-crypto mints, mozidsim verifies"
node mint.js > "$work/js-fixtures.json"
"$gotool" verify "$work/js-fixtures.json"

echo "== verify throughput (same machine, same run)"
js=$(node verify.js "$work/go-fixtures.json" --bench | awk '{print $3}')
go=$("$gotool" bench "$work/go-fixtures.json" | awk '{print $3}')
echo "js verify: $js ops/s; go verify: $go ops/s; ratio $(awk -v g="$go" -v j="$js" 'BEGIN{printf "%.1f", g/j}')x"
echo "interop: 2 passed, 0 failed"
