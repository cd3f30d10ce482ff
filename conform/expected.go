package conform

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ExpectedFailure is one entry of an --expected-failures file: a condition of
// a module that is known to give this result against this RP, and why.
type ExpectedFailure struct {
	Module    string `yaml:"module"`
	Condition string `yaml:"condition"`
	Result    Result `yaml:"result"`
	Comment   string `yaml:"comment"`
	Line      int    `yaml:"-"`
}

// ExpectedFailures are the entries of one file, in order.
type ExpectedFailures struct {
	File    string
	Entries []ExpectedFailure
}

// LoadExpectedFailures reads an expected-failures file: a YAML list of
// {module, condition, result: FAILED|WARNING, comment}, decoded strictly;
// module ids and condition names must exist in plan.
func LoadExpectedFailures(path string, plan *Plan) (*ExpectedFailures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseExpectedFailures(path, data, plan)
}

// ParseExpectedFailures is LoadExpectedFailures on bytes.
func ParseExpectedFailures(file string, data []byte, plan *Plan) (*ExpectedFailures, error) {
	var entries []ExpectedFailure
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&entries); err != nil {
		if err.Error() == "EOF" {
			return &ExpectedFailures{File: file}, nil // an empty file expects nothing
		}
		return nil, yamlError(file, err)
	}
	var nodes []yaml.Node // the same entries again, for their lines
	if err := yaml.Unmarshal(data, &nodes); err != nil || len(nodes) != len(entries) {
		return nil, &FileError{File: file, Msg: "want a list of {module, condition, result, comment}"}
	}
	ef := &ExpectedFailures{File: file}
	seen := map[string]int{}
	for i, e := range entries {
		e.Line = nodes[i].Line
		bad := func(format string, args ...any) error {
			return &FileError{File: file, Line: e.Line, Msg: fmt.Sprintf("entry %d: ", i+1) + fmt.Sprintf(format, args...)}
		}
		m := plan.Module(e.Module)
		switch {
		case e.Module == "":
			return nil, bad("module is required")
		case m == nil:
			return nil, bad("no module %q in plan %s (modules: %s)", e.Module, plan.Name, strings.Join(plan.IDs(), ", "))
		case e.Condition == "":
			return nil, bad("condition is required")
		case !contains(m.Conditions, e.Condition):
			return nil, bad("module %s checks no condition %q (it checks: %s)", e.Module, e.Condition, strings.Join(m.Conditions, ", "))
		case e.Result != Failed && e.Result != Warning:
			return nil, bad("result %q: want FAILED or WARNING", e.Result)
		case strings.TrimSpace(e.Comment) == "":
			return nil, bad("comment is required: say why this is expected (a ticket, a decision)")
		}
		key := e.Module + "/" + e.Condition
		if l, dup := seen[key]; dup {
			return nil, bad("%s is already listed on line %d", key, l)
		}
		seen[key] = e.Line
		ef.Entries = append(ef.Entries, e)
	}
	return ef, nil
}

// apply marks the conditions of mr that an entry expects and settles mr again.
// It returns the keys of the entries it used.
func (ef *ExpectedFailures) apply(mr *ModuleResult) []string {
	if ef == nil {
		return nil
	}
	var used []string
	for i := range mr.Conditions {
		c := &mr.Conditions[i]
		for _, e := range ef.Entries {
			if e.Module != mr.Module || e.Condition != c.Condition {
				continue
			}
			if (e.Result == Failed && c.Outcome == Failure) || (e.Result == Warning && c.Outcome == WarningOut) {
				c.Expected, c.Comment = true, e.Comment
				used = append(used, e.Module+"/"+e.Condition)
			}
		}
	}
	settle(mr)
	return used
}

// unused lists the entries of modules that ran whose condition did not give
// the expected result.
func (ef *ExpectedFailures) unused(ran map[string]bool, used map[string]bool) []string {
	if ef == nil {
		return nil
	}
	var out []string
	for _, e := range ef.Entries {
		k := e.Module + "/" + e.Condition
		if ran[e.Module] && !used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
