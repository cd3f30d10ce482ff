package scenarios

import (
	"errors"
	"io/fs"
	"testing"
)

// FuzzParse: whatever a scenario file holds, Parse answers with a scenario or an
// *Error naming the file (never a panic, never another kind of error).
func FuzzParse(f *testing.F) {
	entries, err := fs.ReadDir(Files, ".")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		data, err := Files.ReadFile(e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: x\nsteps:\n  - {app: a, watch: {audience: [1, {a: null}], callbacks: [onlogin]}}\n"))
	f.Add([]byte("name: x\nsteps: [{advance: 1h}, {server: fail, status: 503}, {dialog: closed}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("f.yaml", data)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Parse error is %T, not *Error: %v", err, err)
			}
			return
		}
		if sc.Name == "" {
			t.Fatal("a scenario without a name parsed")
		}
	})
}
