package conform

import (
	"time"
)

// Result is a module's result, as the OpenID conformance suite's.
type Result string

// Module results.
const (
	Passed  Result = "PASSED"
	Failed  Result = "FAILED"
	Warning Result = "WARNING"
	Review  Result = "REVIEW"  // a person must look (the suite cannot decide)
	Skipped Result = "SKIPPED" // the module could not run against this RP (e.g. no logout selector)
)

// Outcome is one condition's outcome.
type Outcome string

// Condition outcomes (the OpenID suite's ConditionResult).
const (
	Success    Outcome = "SUCCESS"
	Failure    Outcome = "FAILURE"
	WarningOut Outcome = "WARNING"
	Info       Outcome = "INFO"
	ReviewOut  Outcome = "REVIEW"
	SkippedOut Outcome = "SKIPPED"
)

// ConditionLog is one logged condition of a module run.
type ConditionLog struct {
	Module    string  `json:"module"`
	Condition string  `json:"condition"`
	Outcome   Outcome `json:"result"`
	Rule      string  `json:"rule"`
	Cite      string  `json:"cite"`
	Message   string  `json:"message"`
	// Expected is set when an --expected-failures entry lists this condition
	// with this outcome.
	Expected bool    `json:"expected,omitempty"`
	Comment  string  `json:"comment,omitempty"`
	Elapsed  float64 `json:"t"` // seconds since the module started
}

// ModuleResult is a finished module.
type ModuleResult struct {
	Module     string         `json:"module"`
	Result     Result         `json:"result"`
	Why        string         `json:"why,omitempty"`
	Seconds    float64        `json:"seconds"`
	Conditions []ConditionLog `json:"-"`
	// Expected is set when the module is FAILED or WARNING only through
	// conditions the expected-failures file lists.
	Expected bool `json:"expected,omitempty"`
}

// Summary counts a plan run.
type Summary struct {
	RP         string         `json:"rp"`
	Plan       string         `json:"plan"`
	Era        string         `json:"era"`
	Counts     map[Result]int `json:"counts"`
	Unexpected int            `json:"unexpectedFailures"`
	// Unused lists expected-failure entries that did not happen, as
	// "module/condition": they can leave the file.
	Unused  []string       `json:"unusedExpectedFailures,omitempty"`
	Seconds float64        `json:"seconds"`
	Started time.Time      `json:"started"`
	Modules []ModuleResult `json:"-"`
}

// settle computes a module's result from its conditions: any FAILURE makes it
// FAILED, else any WARNING makes it WARNING, else any REVIEW makes it REVIEW.
// Why is the first condition message of the deciding outcome.
func settle(mr *ModuleResult) {
	order := []struct {
		o Outcome
		r Result
	}{{Failure, Failed}, {WarningOut, Warning}, {ReviewOut, Review}, {SkippedOut, Skipped}}
	mr.Result, mr.Why, mr.Expected = Passed, "", false
	for _, x := range order {
		expected := true
		found := false
		for _, c := range mr.Conditions {
			if c.Outcome != x.o {
				continue
			}
			if !found {
				mr.Why = c.Message
			}
			found = true
			expected = expected && c.Expected
		}
		if found {
			mr.Result = x.r
			mr.Expected = expected && (x.r == Failed || x.r == Warning)
			return
		}
	}
}
