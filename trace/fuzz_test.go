package trace

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/trace/internal/tracetest"
)

// FuzzReadJSONL: any input either fails with an error or reads into a trace that
// writes back and reads again to the same lines; nothing panics.
func FuzzReadJSONL(f *testing.F) {
	var b bytes.Buffer
	if err := WriteJSONL(&b, Header{Scenario: "seed", Seed: 1, Source: "name: seed\n"}, tracetest.SignedOutWatch()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"format":"mozidsim-trace/1","mozidsim":"x","scenario":"s","file":"","seed":0,"start":"2015-06-01T12:00:00Z","source":""}` + "\n" +
		`{"seq":1,"at":"1h","kind":"note","from":"a","to":"a","name":"n","payload":{"$raw":"x","k":[1,2.5e3,true,null,{"":""}]}}`))
	f.Add([]byte("{}\n{}"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadJSONL(bytes.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		require.NoError(t, WriteLines(&out, tr.Header, tr.Lines))
		again, err := ReadJSONL(&out)
		require.NoError(t, err)
		require.Nil(t, Compare(tr.Lines, again.Lines))
	})
}

// FuzzEncodeStrings: whatever string a payload carries (a token-looking one, a
// UUID inside text), encoding never panics and the line is valid JSON.
func FuzzEncodeStrings(f *testing.F) {
	f.Add("eyJhbGciOiJEUzEyOCJ9.eyJleHAiOjEsImF1ZCI6ImEifQ.AAAA")
	f.Add("a.b.c~d.e.f")
	f.Add("0f8fad5b-d9cb-469f-a165-70867728950e and more")
	f.Add("~~~")
	f.Fuzz(func(t *testing.T, s string) {
		enc := NewEncoder(sim.Epoch)
		l := enc.Line(sim.Event{Seq: 1, Kind: sim.KindHop, From: "a", To: "b", Name: s, Payload: map[string]any{"value": s, "password": s}})
		line, err := MarshalLine(l)
		require.NoError(t, err)
		v, err := parseValue([]byte(line))
		require.NoError(t, err)
		_, isObj := v.(Object)
		require.True(t, isObj)
	})
}
