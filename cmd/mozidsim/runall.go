package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// shard is --shard I/N: scenario k runs in shard I when hash(name) mod N is
// I-1. A hash of the name, not a position in the list, keeps every scenario in
// its shard when others are added or removed, and needs no agreement between
// CI jobs beyond the flag.
type shard struct{ i, n int }

func (s *shard) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.i, s.n)
}

func (s *shard) Set(v string) error {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return fmt.Errorf("want I/N with 1 <= I <= N, such as 1/4, got %q", v)
	}
	s.i, s.n = i, n
	return nil
}

// shardName is the name a scenario is sharded by: its file name without
// .yaml (a shipped scenario's name is the same).
func shardName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".yaml")
}

func (s *shard) has(path string) bool {
	h := fnv.New64a()
	_, _ = h.Write([]byte(shardName(path)))
	return int(h.Sum64()%uint64(s.n)) == s.i-1
}

func (s *shard) pick(paths []string) []string {
	var out []string
	for _, p := range paths {
		if s.has(p) {
			out = append(out, p)
		}
	}
	return out
}

// caseReport is one scenario's line in the --junit and --json reports.
type caseReport struct {
	arg      string // as given on the command line
	name     string // the scenario's name, once parsed
	file     string
	contacts bool
	code     int
	seconds  float64
	failure  string // the problems (the marked diff), or why the file is invalid
}

func (c *caseReport) displayName() string {
	if c.name != "" {
		return c.name
	}
	return shardName(c.arg)
}

// lockedWriter serialises writes from scenarios running at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runAll runs the scenarios f.parallel at a time. Each scenario's output is
// held until every scenario before it has printed, so the output is the same
// as one at a time.
func runAll(paths []string, f runFlags, stdout, stderr io.Writer) int {
	errw := &lockedWriter{w: stderr}
	reports := make([]caseReport, len(paths))
	outs := make([]bytes.Buffer, len(paths))
	done := make([]chan struct{}, len(paths))
	for i := range done {
		done[i] = make(chan struct{})
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(f.parallel, max(len(paths), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rep := &reports[i]
				rep.arg = paths[i]
				start := time.Now()
				rep.code = runOne(paths[i], f, &outs[i], errw, rep)
				rep.seconds = time.Since(start).Seconds()
				close(done[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range paths {
			jobs <- i
		}
	}()
	worst := exitOK
	for i := range paths {
		<-done[i]
		_, _ = stdout.Write(outs[i].Bytes())
		worst = max(worst, reports[i].code)
	}
	wg.Wait()
	suite := "mozidsim run"
	if f.shard.n > 0 {
		suite += " (shard " + f.shard.String() + ")"
	}
	if f.junit != "" {
		if err := writeReport(f.junit, func(w io.Writer) error { return writeJUnit(w, suite, reports) }); err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --junit: %v\n", err)
			worst = max(worst, exitInvalid)
		}
	}
	if f.json != "" {
		if err := writeReport(f.json, func(w io.Writer) error { return writeJSONReport(w, suite, f.shard, reports) }); err != nil {
			fmt.Fprintf(stderr, "mozidsim run: --json: %v\n", err)
			worst = max(worst, exitInvalid)
		}
	}
	return worst
}

// writeReport writes a report through a temporary file, so that a reader
// never sees half of one.
func writeReport(path string, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// The JUnit XML that Jenkins, GitLab, GitHub test reporters and others read
// (the common junit-10.xsd): testsuites > testsuite > testcase, a failure for
// a failed expectation, an error for an invalid scenario file.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Hostname  string      `xml:"hostname,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

func writeJUnit(w io.Writer, name string, reports []caseReport) error {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	suite := junitSuite{Name: name, Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05"), Hostname: host}
	var total float64
	for i := range reports {
		r := &reports[i]
		class := "mozidsim.scenarios"
		if r.contacts {
			class = "mozidsim.scenarios.contacts"
		}
		tc := junitCase{Name: r.displayName(), Classname: class, File: r.file, Time: seconds(r.seconds)}
		first, _, _ := strings.Cut(r.failure, "\n")
		switch r.code {
		case exitOK:
		case exitFail:
			tc.Failure = &junitProblem{Message: first, Type: "FAIL", Text: r.failure}
			suite.Failures++
		default:
			tc.Error = &junitProblem{Message: first, Type: "INVALID", Text: r.failure}
			suite.Errors++
		}
		total += r.seconds
		suite.Tests++
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Time = seconds(total)
	out := junitSuites{Name: name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// jsonReport is --json: the same facts as the JUnit report, for scripts.
type jsonReport struct {
	Suite     string     `json:"suite"`
	Shard     string     `json:"shard,omitempty"`
	Tests     int        `json:"tests"`
	Passed    int        `json:"passed"`
	Failed    int        `json:"failed"`
	Invalid   int        `json:"invalid"`
	Scenarios []jsonCase `json:"scenarios"`
}

type jsonCase struct {
	Name     string  `json:"name"`
	File     string  `json:"file"`
	Kind     string  `json:"kind"` // "mozid" or "contacts"
	Status   string  `json:"status"`
	Seconds  float64 `json:"seconds"`
	Failure  string  `json:"failure,omitempty"`
	ExitCode int     `json:"exitCode"`
}

func writeJSONReport(w io.Writer, name string, sh shard, reports []caseReport) error {
	out := jsonReport{Suite: name, Shard: sh.String(), Scenarios: []jsonCase{}}
	for i := range reports {
		r := &reports[i]
		c := jsonCase{Name: r.displayName(), File: r.file, Kind: "mozid", Seconds: r.seconds, Failure: r.failure, ExitCode: r.code}
		if r.contacts {
			c.Kind = "contacts"
		}
		switch r.code {
		case exitOK:
			c.Status = "PASS"
			out.Passed++
		case exitFail:
			c.Status = "FAIL"
			out.Failed++
		default:
			c.Status = "INVALID"
			out.Invalid++
		}
		out.Tests++
		out.Scenarios = append(out.Scenarios, c)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
