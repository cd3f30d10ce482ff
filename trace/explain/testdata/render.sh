#!/bin/sh
# render.sh OUTDIR FILE.mmd... renders Mermaid files to OUTDIR/FILE.png with the real Mermaid
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
# MMDC_WIDTH is the page width mmdc lays out in; MMDC_SCALE multiplies the
# pixels (2 for pictures people read, as in docs/).
width=${MMDC_WIDTH:-1800}
scale=${MMDC_SCALE:-1}
# Diagrams render in parallel pages of one browser: 86 s instead of 135 s for 37
# diagrams on 2 cores.
jobs=${MMDC_JOBS:-$(nproc 2>/dev/null || echo 1)}
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
work=$(mktemp -d)
# A killed mmdc leaves its chromium behind; this browser is the one started with
# our own profile directory.
reap() { pkill -9 -f -- "--user-data-dir=$profile" 2>/dev/null || true; }
trap 'reap; rm -rf "$config" "$profile" "$work"' EXIT
# The flags keep headless chromium off the network (this machine has none) and
# let it run as root. The timeouts are generous because a busy 2-core machine
# (CI runs the race tests too) once took over 180 s, puppeteer's default, to
# screenshot a large diagram.
cat >"$config" <<JSON
{"executablePath": "$chromium",
 "timeout": 120000,
 "protocolTimeout": 900000,
 "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=$profile"]}
JSON
# One mmdc call for every file: a Markdown input with one ```mermaid block per
# file renders them all in a single browser (about 3 s a diagram here instead of
# 10 s with a chromium start each), as DIR/all-N.png in input order.
md="$work/all.md"
for f in "$@"; do
	printf '```mermaid\n' >>"$md"
	cat "$f" >>"$md"
	printf '\n```\n\n' >>"$md"
done
art="$work/png"
mkdir -p "$art"
# Headless chromium has been seen to hang (a page that never answers, well
# inside puppeteer's timeouts), so each attempt gets a wall-clock limit and a
# hung one is killed and tried again once, one page at a time. A diagram Mermaid
# cannot parse fails at once and is not retried.
limit=${MMDC_TIMEOUT:-300}
attempt() {
	timeout -k 10 "$limit" "$prefix/node_modules/.bin/mmdc" --quiet -p "$config" -i "$md" -o "$art/all.md" \
		-e png -b white -w "$width" -s "$scale" -j "$1" >&2
}
status=0
attempt "$jobs" || status=$?
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	echo "render.sh: mmdc did not finish within ${limit}s; trying once more, one page at a time" >&2
	reap
	rm -rf "$profile" && mkdir -p "$profile"
	status=0
	attempt 1 || status=$?
fi
if [ "$status" != 0 ]; then
	echo "render.sh: mmdc refused one of: $* (exit $status)" >&2
	echo "render.sh: render them one at a time to see which: for f in ...; do sh $0 DIR \$f; done" >&2
	exit 1
fi
n=0
for f in "$@"; do
	n=$((n + 1))
	png="$out/$(basename "$f" .mmd).png"
	mv "$art/all-$n.png" "$png"
	echo "$png"
done
