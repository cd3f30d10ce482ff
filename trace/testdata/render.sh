#!/bin/sh
# render.sh OUTDIR FILE.mmd... renders Mermaid files to PNG with the real Mermaid
# CLI (@mermaid-js/mermaid-cli) driving Debian's chromium, so a diagram mozidsim
# writes is known to parse and draw, not just to look plausible.
#
# Needs node/npm and /usr/bin/chromium (apt-get install -y chromium). The CLI is
# installed once into $MMDC_PREFIX (default ~/.cache/mozidsim-mmdc); puppeteer's
# own browser download is skipped. 11.17.0 is the last release that runs on
# Node 20 (12.x wants Node >= 22.13).
set -eu
if [ "$#" -lt 2 ]; then
	echo "usage: $0 OUTDIR FILE.mmd..." >&2
	exit 2
fi
out=$1
shift
prefix=${MMDC_PREFIX:-${HOME}/.cache/mozidsim-mmdc}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	echo "render.sh: no chromium at $chromium (apt-get install -y chromium)" >&2
	exit 2
fi
if [ ! -x "$prefix/node_modules/.bin/mmdc" ]; then
	mkdir -p "$prefix"
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$prefix" --no-audit --no-fund @mermaid-js/mermaid-cli@11.17.0 >&2
fi
mkdir -p "$out"
config=$(mktemp)
profile=$(mktemp -d)
trap 'rm -rf "$config" "$profile"' EXIT
# The flags keep headless chromium off the network (this machine has none) and
# let it run as root.
cat >"$config" <<JSON
{"executablePath": "$chromium",
 "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=$profile"]}
JSON
for f in "$@"; do
	png="$out/$(basename "$f" .mmd).png"
	"$prefix/node_modules/.bin/mmdc" --quiet -p "$config" -i "$f" -o "$png" -b white -w 1800
	echo "$png"
done
