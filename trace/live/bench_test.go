package live_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/live"
)

// BenchmarkNewRun prepares the longest shipped run (server-invalid-token, 95
// steps) for the page and reports the size of what the page embeds.
func BenchmarkNewRun(b *testing.B) {
	tr, err := trace.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "golden", "server-invalid-token.trace.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var size int
	for b.Loop() {
		data, err := json.Marshal(live.NewRun(tr, nil))
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "page-json-bytes")
}
