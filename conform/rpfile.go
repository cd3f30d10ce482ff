package conform

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mozidsim/mozidsim/internal/yamlerr"
)

// RP describes the relying party under test: the decoded RP.yaml.
type RP struct {
	Name     string `yaml:"name"`
	Start    string `yaml:"start"`
	URL      string `yaml:"url"`
	Kind     string `yaml:"kind"`
	Login    string `yaml:"login"`
	Logout   string `yaml:"logout"`
	SignedIn string `yaml:"signedIn"`

	// File is the RP.yaml path and Dir its folder, where Start runs.
	File string `yaml:"-"`
	Dir  string `yaml:"-"`
}

// Kinds are the app kinds of scenarios and `mozidsim serve`.
var Kinds = []string{"certified", "privileged", "web", "browser"}

// FileError is an RP.yaml (or expected-failures file) that cannot be used: it
// names the file, the line when one is concerned, and what is wrong.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// LoadRP reads and checks an RP.yaml.
func LoadRP(path string) (*RP, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rp, err := ParseRP(path, data)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	rp.Dir = abs
	return rp, nil
}

// ParseRP decodes an RP.yaml strictly: unknown fields, wrong types, missing
// required fields and unknown kinds are errors naming file and line.
func ParseRP(file string, data []byte) (*RP, error) {
	var rp RP
	lines, err := decodeStrict(file, data, &rp)
	if err != nil {
		return nil, err
	}
	rp.File = file
	bad := func(field, format string, args ...any) error {
		return &FileError{File: file, Line: lines[field], Msg: fmt.Sprintf(format, args...)}
	}
	for _, f := range []struct{ name, v string }{{"name", rp.Name}, {"url", rp.URL}, {"login", rp.Login}, {"signedIn", rp.SignedIn}} {
		if strings.TrimSpace(f.v) == "" {
			return nil, bad(f.name, "%s is required", f.name)
		}
	}
	if rp.Kind == "" {
		rp.Kind = "privileged"
	} else if !contains(Kinds, rp.Kind) {
		return nil, bad("kind", "kind %q is not one of %s", rp.Kind, strings.Join(Kinds, ", "))
	}
	if strings.Contains(rp.URL, "${PORT}") && strings.TrimSpace(rp.Start) == "" {
		return nil, bad("url", "url uses ${PORT} but there is no start command to give a port to")
	}
	if m := otherVar.FindString(strings.ReplaceAll(rp.URL, "${PORT}", "")); m != "" {
		return nil, bad("url", "url: %s is not expanded (only ${PORT} is)", m)
	}
	u, err := url.Parse(strings.ReplaceAll(rp.URL, "${PORT}", "1"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, bad("url", "url %q is not an http:// or https:// URL", rp.URL)
	}
	return &rp, nil
}

var otherVar = regexp.MustCompile(`\$\{?[A-Za-z_][A-Za-z0-9_]*\}?`)

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeStrict decodes one YAML document with unknown fields refused and
// returns the line of each top-level key, for errors about values.
func decodeStrict(file string, data []byte, v any) (map[string]int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &FileError{File: file, Line: extra.Line, Msg: "a second YAML document: the file holds one"}
	}
	var doc yaml.Node
	lines := map[string]int{}
	if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			lines[m.Content[i].Value] = m.Content[i].Line
		}
	}
	return lines, nil
}

// yamlError rewrites yaml.v3's messages as file:line: what.
func yamlError(file string, err error) error {
	return yamlerr.Wrap(err, func(line int, msg string) error { return &FileError{File: file, Line: line, Msg: msg} })
}
