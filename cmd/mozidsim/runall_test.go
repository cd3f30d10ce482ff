package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/scenarios"
)

// The whole shipped suite, mozId and contacts scenarios, as `run` sees it.
func shippedSuite(t *testing.T) []string {
	t.Helper()
	mozid, err := filepath.Glob("../../scenarios/*.yaml")
	require.NoError(t, err)
	contacts, err := filepath.Glob("../../scenarios/contacts/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, mozid)
	require.NotEmpty(t, contacts)
	return append(mozid, contacts...)
}

func TestShardsPartitionTheSuite(t *testing.T) {
	t.Parallel()
	all := shippedSuite(t)
	for _, n := range []int{1, 2, 3, 4, 7} {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			var s shard
			require.NoError(t, s.Set(fmt.Sprintf("%d/%d", i, n)))
			for _, p := range s.pick(all) {
				seen[p]++
			}
		}
		require.Len(t, seen, len(all), "shards of %d: the union is the whole suite", n)
		for p, k := range seen {
			require.Equal(t, 1, k, "shards of %d: %s in %d shards", n, p, k)
		}
	}
	// Stable by name: a scenario's shard does not depend on the rest of the list.
	var s shard
	require.NoError(t, s.Set("2/3"))
	for _, p := range all {
		require.Equal(t, s.has(p), len(s.pick([]string{p})) == 1)
		require.Equal(t, s.has(p), s.has("elsewhere/"+filepath.Base(p)))
	}
}

func TestShardFlagErrors(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"0/3", "4/3", "1", "a/b", "1/0", "-1/2"} {
		code, _, errOut := mainOut(t, "run", "--shard", bad, "watch-signed-out")
		require.Equal(t, exitInvalid, code, bad)
		require.Contains(t, errOut, fmt.Sprintf(`mozidsim run: invalid value %q for flag -shard: want I/N with 1 <= I <= N, such as 1/4, got %q`, bad, bad), bad)
	}
	code, _, errOut := mainOut(t, "run", "--parallel", "0", "watch-signed-out")
	require.Equal(t, exitInvalid, code)
	require.Contains(t, errOut, "mozidsim run: --parallel 0: want at least 1\n")
}

// Shards run through the command, their JUnit reports merged, give every
// scenario once; the parallel output is the one-at-a-time output.
func TestShardedRunsCoverTheSuiteOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"../../scenarios/", "../../scenarios/contacts/"}
	_, serial, _ := mainOut(t, append([]string{"run", "--parallel", "1"}, args...)...)
	code, parallel, _ := mainOut(t, append([]string{"run", "--parallel", "4"}, args...)...)
	require.Equal(t, exitOK, code, parallel)
	require.Equal(t, serial, parallel, "--parallel keeps file order")
	var names []string
	for i := 1; i <= 3; i++ {
		report := filepath.Join(dir, fmt.Sprintf("shard%d.xml", i))
		code, _, errOut := mainOut(t, append([]string{"run", "--shard", fmt.Sprintf("%d/3", i), "--junit", report}, args...)...)
		require.Equal(t, exitOK, code, errOut)
		data, err := os.ReadFile(report)
		require.NoError(t, err)
		var got junitSuites
		require.NoError(t, xml.Unmarshal(data, &got))
		require.Equal(t, fmt.Sprintf("mozidsim run (shard %d/3)", i), got.Suites[0].Name)
		for _, c := range got.Suites[0].Cases {
			names = append(names, c.Name)
		}
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(serial), "\n") {
		if n, ok := strings.CutPrefix(l, "PASS "); ok {
			n, _, _ = strings.Cut(n, " (era ") // run's line names a 2014 scenario's era
			want = append(want, n)
		}
	}
	require.Len(t, want, len(shippedSuite(t)))
	slices.Sort(names)
	slices.Sort(want)
	require.Equal(t, want, names)
}

func TestJUnitAndJSONReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := writeFile(t, dir, "a-pass.yaml", passingScenario)
	fail := writeFile(t, dir, "b-fail.yaml", failingScenario)
	invalid := writeFile(t, dir, "c-invalid.yaml", invalidScenario)
	junit, jsonFile := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
	code, out, _ := mainOut(t, "run", "--junit", junit, "--json", jsonFile, pass, fail, invalid, "../../scenarios/contacts/first-backup.yaml")
	require.Equal(t, exitInvalid, code, out)

	data, err := os.ReadFile(junit)
	require.NoError(t, err)
	validateJUnit(t, data)
	var got junitSuites
	require.NoError(t, xml.Unmarshal(data, &got))
	require.Equal(t, 4, got.Tests)
	require.Equal(t, 1, got.Failures)
	require.Equal(t, 1, got.Errors)
	cases := got.Suites[0].Cases
	require.Equal(t, []string{"tmp-signed-out", "tmp-wrong-expectation", "c-invalid", "first-backup"},
		[]string{cases[0].Name, cases[1].Name, cases[2].Name, cases[3].Name})
	require.Nil(t, cases[0].Failure)
	require.Equal(t, "mozidsim.scenarios.contacts", cases[3].Classname)
	// The failure text is the marked diff run prints, unindented.
	res, err := runFileForTest(fail)
	require.NoError(t, err)
	require.Equal(t, strings.Join(res.Problems, "\n"), cases[1].Failure.Text)
	require.Contains(t, out, indent(cases[1].Failure.Text, "    "))
	require.Equal(t, "FAIL", cases[1].Failure.Type)
	require.Equal(t, "INVALID", cases[2].Error.Type)
	require.Contains(t, cases[2].Error.Text, "c-invalid.yaml")

	data, err = os.ReadFile(jsonFile)
	require.NoError(t, err)
	var rep jsonReport
	require.NoError(t, json.Unmarshal(data, &rep))
	require.Equal(t, 4, rep.Tests)
	require.Equal(t, 2, rep.Passed)
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, 1, rep.Invalid)
	require.Equal(t, []string{"PASS", "FAIL", "INVALID", "PASS"}, []string{rep.Scenarios[0].Status, rep.Scenarios[1].Status, rep.Scenarios[2].Status, rep.Scenarios[3].Status})
	require.Equal(t, cases[1].Failure.Text, rep.Scenarios[1].Failure)
	require.Equal(t, "contacts", rep.Scenarios[3].Kind)
}

func runFileForTest(file string) (*scenarios.Result, error) {
	f, src, err := scenarios.Load(file)
	if err != nil {
		return nil, err
	}
	sc, err := scenarios.Parse(f, src)
	if err != nil {
		return nil, err
	}
	return scenarios.Run(sc, scenarios.Options{})
}

// A contacts scenario's failure text is its diff lines.
// xmlNode is a parsed element, for checking the report against the schema.
type xmlNode struct {
	name     string
	attrs    map[string]string
	children []*xmlNode
	text     string
}

func parseXML(t checker, data []byte) *xmlNode {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := dec.Token()
		if err != nil {
			require.Equal(t, "EOF", err.Error())
			break
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				require.Nil(t, root, "one root element")
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	require.NotNil(t, root)
	return root
}

// The rules of the common JUnit schema CI tools read (Jenkins' junit-10.xsd,
// which GitLab, GitHub test reporters and Azure follow), checked element by
// element: which elements may appear where and in what order, the required
// attributes, and the attribute types (counts are integers, times are the
// schema's decimal seconds, timestamps ISO 8601 without a zone).
var (
	junitTime      = regexp.MustCompile(`^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?$`)
	junitTimestamp = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$`)
	junitSchema    = map[string]struct {
		required, optional []string
		children           []string // in schema order
		repeat             map[string]bool
	}{
		"testsuites": {nil, []string{"name", "time", "tests", "failures", "disabled", "errors"}, []string{"testsuite"}, map[string]bool{"testsuite": true}},
		"testsuite": {[]string{"name", "tests"}, []string{"failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url", "version"},
			[]string{"properties", "testcase", "system-out", "system-err"}, map[string]bool{"testcase": true}},
		"testcase": {[]string{"name"}, []string{"assertions", "time", "classname", "status", "class", "file", "line"},
			[]string{"skipped", "error", "failure", "system-out", "system-err"}, map[string]bool{"error": true, "failure": true, "system-out": true, "system-err": true}},
		"failure":    {nil, []string{"message", "type"}, nil, nil},
		"error":      {nil, []string{"message", "type"}, nil, nil},
		"skipped":    {nil, []string{"message"}, nil, nil},
		"system-out": {nil, nil, nil, nil},
		"system-err": {nil, nil, nil, nil},
	}
	junitInts = []string{"tests", "failures", "errors", "skipped", "disabled", "assertions"}
)

func validateJUnit(t checker, data []byte) {
	t.Helper()
	require.True(t, strings.HasPrefix(string(data), `<?xml version="1.0" encoding="UTF-8"?>`))
	root := parseXML(t, data)
	require.Contains(t, []string{"testsuites", "testsuite"}, root.name, "the root element")
	var check func(n *xmlNode, where string)
	check = func(n *xmlNode, where string) {
		where += "/" + n.name
		rule, ok := junitSchema[n.name]
		require.True(t, ok, "%s: not an element of the schema", where)
		for _, a := range rule.required {
			require.Contains(t, n.attrs, a, "%s: required attribute %s", where, a)
		}
		for a, v := range n.attrs {
			require.True(t, slices.Contains(rule.required, a) || slices.Contains(rule.optional, a), "%s: attribute %s not in the schema", where, a)
			if slices.Contains(junitInts, a) {
				_, err := strconv.Atoi(v)
				require.NoError(t, err, "%s@%s", where, a)
			}
			if a == "time" {
				require.Regexp(t, junitTime, v, "%s@time", where)
			}
			if a == "timestamp" {
				require.Regexp(t, junitTimestamp, v, "%s@timestamp", where)
			}
		}
		if rule.children == nil {
			require.Empty(t, n.children, "%s: has no child elements", where)
		}
		pos := 0
		count := map[string]int{}
		for _, c := range n.children {
			i := slices.Index(rule.children, c.name)
			require.GreaterOrEqual(t, i, 0, "%s: %s may not appear here", where, c.name)
			if n.name != "testcase" { // testcase's children are a choice, in any order
				require.GreaterOrEqual(t, i, pos, "%s: %s out of the schema's order", where, c.name)
			}
			pos = i
			count[c.name]++
			require.True(t, count[c.name] == 1 || rule.repeat[c.name], "%s: %s more than once", where, c.name)
			check(c, where)
		}
		// The counts agree with the cases (CI tools show these numbers).
		if n.name == "testsuite" {
			var tests, failures, errors int
			for _, c := range n.children {
				if c.name != "testcase" {
					continue
				}
				tests++
				for _, p := range c.children {
					failures += b2i(p.name == "failure")
					errors += b2i(p.name == "error")
				}
			}
			require.Equal(t, strconv.Itoa(tests), n.attrs["tests"], where)
			require.Equal(t, strconv.Itoa(failures), n.attrs["failures"], where)
			require.Equal(t, strconv.Itoa(errors), n.attrs["errors"], where)
		}
	}
	check(root, "")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The validator itself rejects what the schema does.
func TestJUnitValidatorRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		`<testsuites><testsuite tests="1"><testcase name="a"/></testsuite></testsuites>`,          // no name
		`<testsuites><testsuite name="s" tests="x"><testcase name="a"/></testsuite></testsuites>`, // tests not an int
		`<testsuites><testsuite name="s" tests="1"><testcase/></testsuite></testsuites>`,          // testcase without name
		`<testsuites><testsuite name="s" tests="1"><testcase name="a" time="1e3"/></testsuite></testsuites>`,
		`<testsuites><testsuite name="s" tests="1"><system-out/><testcase name="a"/></testsuite></testsuites>`, // order
		`<testsuites><testsuite name="s" tests="2" failures="0" errors="0"><testcase name="a"/></testsuite></testsuites>`,
		`<testsuites><testsuite name="s" tests="1"><testcase name="a"><bogus/></testcase></testsuite></testsuites>`,
	} {
		ft := &fakeT{}
		func() {
			defer func() { _ = recover() }()
			validateJUnit(ft, []byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+bad))
		}()
		require.True(t, ft.failed, "accepted: %s", bad)
	}
}

// checker is what the validator needs of a *testing.T.
type checker interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// fakeT records a failure instead of failing the test.
type fakeT struct{ failed bool }

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) FailNow()              { panic("failed") }
