package explain

import (
	"bytes"
	"testing"

	"github.com/mozidsim/mozidsim/trace"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

// FuzzExplainAnyTrace: whatever trace file reads, explaining and drawing it
// never panics.
func FuzzExplainAnyTrace(f *testing.F) {
	var b bytes.Buffer
	if err := trace.WriteJSONL(&b, trace.Header{Scenario: "seed", Seed: 1, Source: "name: seed\n"}, tracetest.SignedOutWatch()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"format":"mozidsim-trace/1","mozidsim":"x","scenario":"s","file":"","seed":0,"start":"2015-06-01T12:00:00Z","source":""}` + "\n" +
		`{"seq":1,"at":"1h","kind":"note","from":"a","to":"a","name":"n","payload":{"$raw":"x","k":[1,2.5e3,true,null,{"":""}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := trace.ReadJSONL(bytes.NewReader(data))
		if err != nil {
			return
		}
		_ = ExplainLines(tr.Lines)
		_ = MermaidLines(tr.Lines)
	})
}
