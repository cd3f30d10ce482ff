package trace

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// ReadFile reads a trace file; errors name the file.
func ReadFile(path string) (Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return Trace{}, err
	}
	defer f.Close()
	t, err := ReadJSONL(f)
	if err != nil {
		return Trace{}, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// WriteFile writes a trace file, making its directory if need be.
func WriteFile(path string, t Trace) error {
	var buf bytes.Buffer
	if err := WriteLines(&buf, t.Header, t.Lines); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
