#!/bin/sh
# docs/diagrams.sh regenerates the teaching documents in docs/ from the golden
# traces (scenarios/testdata/golden) and the state machines. For request-sign-in
# (seed part II) and watch-signed-out (seed part I):
#   docs/NAME.md   mozidsim explain --markdown: the diagram and every step
#   docs/NAME.mmd  mozidsim diagram: the sequence diagram's source
#   docs/NAME.png  that diagram drawn by the real Mermaid CLI (scale 2)
# and docs/states.md, mozidsim diagram --states.
# trace/explain's TestDocsAreCurrent fails when the text files no longer match; the PNGs
# are drawn only where chromium and npm are (.ci/mermaid installs both),
# otherwise the script says so and leaves the old pictures.
set -eu
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/mozidsim" ./cmd/mozidsim
mmd=""
for name in request-sign-in watch-signed-out; do
	golden=scenarios/testdata/golden/$name.trace.jsonl
	"$bin/mozidsim" explain --markdown "docs/$name.md" "$golden"
	"$bin/mozidsim" diagram -o "docs/$name.mmd" "$golden"
	mmd="$mmd docs/$name.mmd"
done
"$bin/mozidsim" diagram --states >docs/states.md
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && command -v npm >/dev/null; then
	# shellcheck disable=SC2086 # one word per file
	MMDC_SCALE=2 MMDC_WIDTH=2400 sh trace/explain/testdata/render.sh docs $mmd
else
	echo "docs/diagrams.sh: no chromium or npm here: the PNGs in docs/ were left as they were" >&2
fi
