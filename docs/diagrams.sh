#!/bin/sh
# docs/diagrams.sh regenerates the teaching documents in docs/ from the golden
# traces (scenarios/testdata/golden) and the state machines. For request-sign-in
# (seed part II) and watch-signed-out (seed part I):
#   docs/NAME.md   mozidsim explain --markdown: the run in chapters (a diagram and
#                  its steps each), then the whole run's diagram
#   docs/NAME.mmd  mozidsim diagram: the whole sequence diagram's source
# and docs/states.md, mozidsim diagram --states.
# Only text is generated, so regenerating gives the same bytes on any machine:
# GitHub and any Mermaid viewer draw the ```mermaid blocks, and CI draws them
# with the real Mermaid CLI (.ci/mermaid) to prove they parse. trace/explain's
# TestDocsAreCurrent fails when a file here (or the README's chapter) no longer
# matches.
set -eu
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/mozidsim" ./cmd/mozidsim
for name in request-sign-in watch-signed-out; do
	golden=scenarios/testdata/golden/$name.trace.jsonl
	"$bin/mozidsim" explain --markdown "docs/$name.md" "$golden"
	"$bin/mozidsim" diagram -o "docs/$name.mmd" "$golden"
done
"$bin/mozidsim" diagram --states >docs/states.md
echo "docs/: request-sign-in and watch-signed-out (.md, .mmd) and states.md regenerated"
