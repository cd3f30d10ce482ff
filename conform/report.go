package conform

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Reporter receives a plan run as it happens.
type Reporter interface {
	Module(mr *ModuleResult) error
	Summary(s *Summary) error
}

// Console writes what a person reads: one line per module, then the summary.
type Console struct{ W io.Writer }

// ConsoleLine is a module's console line: RESULT MODULE-ID, then
// " (expected)" for a known failure, then ": why" when there is one.
func ConsoleLine(mr *ModuleResult) string {
	s := string(mr.Result) + " " + mr.Module
	if mr.Expected {
		s += " (expected)"
	}
	if mr.Why != "" && mr.Result != Passed {
		s += ": " + mr.Why
	}
	return s
}

func (c Console) Module(mr *ModuleResult) error {
	_, err := fmt.Fprintln(c.W, ConsoleLine(mr))
	return err
}

// SummaryLine is the last console line of a run.
func SummaryLine(s *Summary) string {
	var parts []string
	for _, r := range []Result{Passed, Failed, Warning, Review, Skipped} {
		if n := s.Counts[r]; n > 0 || r == Passed || r == Failed {
			parts = append(parts, fmt.Sprintf("%d %s", n, r))
		}
	}
	total := 0
	for _, n := range s.Counts {
		total += n
	}
	line := fmt.Sprintf("%s: %d modules: %s", s.RP, total, strings.Join(parts, ", "))
	if exp := s.Counts[Failed] - s.Unexpected; exp > 0 {
		line += fmt.Sprintf(" (%d expected)", exp)
	}
	line += fmt.Sprintf(" in %.1f s", s.Seconds)
	if s.Unexpected > 0 {
		line += fmt.Sprintf("; %d unexpected failure(s)", s.Unexpected)
	}
	return line
}

func (c Console) Summary(s *Summary) error {
	for _, u := range s.Unused {
		if _, err := fmt.Fprintf(c.W, "note: expected failure %s did not happen; remove it from the expected-failures file\n", u); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(c.W, SummaryLine(s))
	return err
}

// JSONLines writes one JSON object per line: each condition of a module, then
// the module, and at the end the summary. "type" tells them apart.
type JSONLines struct{ W io.Writer }

type jsonCondition struct {
	Type string `json:"type"`
	ConditionLog
}

type jsonModule struct {
	Type string `json:"type"`
	ModuleResult
	Conditions int `json:"conditions"`
}

type jsonSummary struct {
	Type string `json:"type"`
	Summary
}

func (j JSONLines) Module(mr *ModuleResult) error {
	enc := json.NewEncoder(j.W)
	for _, c := range mr.Conditions {
		if err := enc.Encode(jsonCondition{"condition", c}); err != nil {
			return err
		}
	}
	return enc.Encode(jsonModule{"module", *mr, len(mr.Conditions)})
}

func (j JSONLines) Summary(s *Summary) error {
	return json.NewEncoder(j.W).Encode(jsonSummary{"summary", *s})
}

// JUnit collects the run and writes JUnit XML at the summary: one testcase per
// module; FAILED becomes a failure listing the conditions, SKIPPED a skipped
// element; an expected failure, a WARNING and a REVIEW pass with the
// conditions in system-out, so that CI tools agree with the exit status.
type JUnit struct {
	W       io.Writer
	modules []ModuleResult
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fail    int          `xml:"failures,attr"`
	Skip    int          `xml:"skipped,attr"`
	Time    string       `xml:"time,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name  string      `xml:"name,attr"`
	Tests int         `xml:"tests,attr"`
	Fail  int         `xml:"failures,attr"`
	Errs  int         `xml:"errors,attr"`
	Skip  int         `xml:"skipped,attr"`
	Time  string      `xml:"time,attr"`
	Cases []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

func (j *JUnit) Module(mr *ModuleResult) error {
	j.modules = append(j.modules, *mr)
	return nil
}

func conditionText(mr *ModuleResult) string {
	var b strings.Builder
	for _, c := range mr.Conditions {
		fmt.Fprintf(&b, "%-8s %s [%s; %s]", c.Outcome, c.Condition, c.Rule, c.Cite)
		if c.Message != "" {
			fmt.Fprintf(&b, ": %s", c.Message)
		}
		if c.Expected {
			fmt.Fprintf(&b, " (expected: %s)", c.Comment)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func (j *JUnit) Summary(s *Summary) error {
	suite := junitSuite{Name: "mozidsim conform " + s.Plan + ": " + s.RP, Time: fmt.Sprintf("%.3f", s.Seconds)}
	for i := range j.modules {
		mr := &j.modules[i]
		tc := junitCase{Name: mr.Module, Classname: "conform." + s.RP, Time: fmt.Sprintf("%.3f", mr.Seconds)}
		switch {
		case mr.Result == Failed && !mr.Expected:
			tc.Failure = &junitMessage{Message: mr.Why, Type: string(Failed), Text: conditionText(mr)}
			suite.Fail++
		case mr.Result == Skipped:
			tc.Skipped = &junitMessage{Message: mr.Why}
			suite.Skip++
		default:
			tc.SystemOut = &junitText{ConsoleLine(mr) + "\n" + conditionText(mr)}
		}
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	out := junitSuites{Name: "mozidsim conform", Tests: suite.Tests, Fail: suite.Fail, Skip: suite.Skip, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(j.W, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(j.W)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(j.W, "\n")
	return err
}
