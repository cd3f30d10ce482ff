#!/usr/bin/env bash
# ci-mermaid.sh: proves that the Mermaid mozidsim writes really renders. It
# installs Debian's chromium and @mermaid-js/mermaid-cli (into a local prefix,
# without puppeteer's own browser download, which this network refuses), then
# runs trace's TestMermaidRendersWithTheRealCLI with MOZIDSIM_MERMAID=1: the
# sequence diagram of every golden trace (scenarios/testdata/golden, at least
# three) and every state machine's state diagram go through mmdc into PNGs.
#
# Called from .ci/run; safe to run by hand on a fresh Debian machine (root, or
# a user with sudo). Environment:
#   MMDC_PREFIX          where mermaid-cli is installed (default ~/.cache/mozidsim-mmdc,
#                        kept between runs on the same machine)
#   MOZIDSIM_MERMAID_OUT where the PNGs go (default: a temporary directory)
#   CHROMIUM             the browser (default /usr/bin/chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

# mermaid-cli 12.x needs Node >= 22.13; Debian 12's and this machine's Node is
# 20, and 11.17.0 is the last release that accepts it.
mmdc_version=11.17.0
export MMDC_PREFIX="${MMDC_PREFIX:-${HOME}/.cache/mozidsim-mmdc}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

sudo=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then
	sudo="sudo"
fi
stamp() { date +%s; }
t0=$(stamp)

apt_updated=""
apt_install() {
	if [ -z "$apt_updated" ]; then
		$sudo apt-get update -qq
		apt_updated=1
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

echo "== mermaid: chromium"
if [ ! -x "$CHROMIUM" ]; then
	apt_install chromium
fi
# mmdc measures text with the page's fonts; without any font every label
# collapses. Debian's chromium pulls no font in by itself.
if ! find /usr/share/fonts \( -name '*.ttf' -o -name '*.otf' \) 2>/dev/null | grep -q .; then
	apt_install fonts-dejavu-core
fi
"$CHROMIUM" --version
t1=$(stamp)

echo "== mermaid: node, npm and @mermaid-js/mermaid-cli@$mmdc_version"
if ! command -v npm >/dev/null; then
	apt_install nodejs npm
fi
node --version
mmdc="$MMDC_PREFIX/node_modules/.bin/mmdc"
if [ ! -x "$mmdc" ] || [ "$("$mmdc" --version 2>/dev/null)" != "$mmdc_version" ]; then
	mkdir -p "$MMDC_PREFIX"
	# puppeteer (mermaid-cli's peer dependency) would fetch a Chrome build of
	# its own; trace/testdata/render.sh points it at Debian's chromium instead.
	PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$MMDC_PREFIX" --no-audit --no-fund --loglevel=error \
		"@mermaid-js/mermaid-cli@$mmdc_version"
fi
echo "mmdc $("$mmdc" --version)"
t2=$(stamp)

echo "== mermaid: render the golden scenarios' sequence diagrams and the state diagrams"
MOZIDSIM_MERMAID=1 go test -count=1 -v -run '^TestMermaidRendersWithTheRealCLI$' ./trace
t3=$(stamp)

echo "mermaid timings: chromium $((t1 - t0))s, mermaid-cli $((t2 - t1))s, render test $((t3 - t2))s, total $((t3 - t0))s"
