package scenario

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// IsContactsScenario reports whether a file is a contacts scenario (its top-level
// kind is "contacts"), so `mozidsim run` can route it here.
func IsContactsScenario(data []byte) bool {
	var head struct {
		Kind string `yaml:"kind"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return false
	}
	return head.Kind == Kind
}

// Exit codes of RunFile.
const (
	ExitPass     = 0
	ExitFail     = 1
	ExitBadInput = 2
)

// RunFile parses and runs one file and reports on w: "PASS <name>", or "FAIL
// <name>" with one indented line per difference. verbose adds the steps and each
// phone's log. It returns 0 on pass, 1 on a failed expectation or a world that
// could not be built, 2 when the file is not a valid contacts scenario.
func RunFile(name string, data []byte, verbose bool, w io.Writer) (exitCode int) {
	return RunFileWith(name, data, Options{Verbose: verbose}, w)
}

// RunFileWith is RunFile with options: opts.NewPhone chooses how phones are
// built (`mozidsim run` passes contacts/devicephone's, the real FxA chain);
// opts.Out is always w.
func RunFileWith(name string, data []byte, opts Options, w io.Writer) (exitCode int) {
	sc, err := Parse(name, data)
	if err != nil {
		fmt.Fprintf(w, "FAIL %s\n    %v\n", name, err)
		return ExitBadInput
	}
	opts.Out = w
	res, err := Run(sc, opts)
	if err != nil {
		fmt.Fprintf(w, "FAIL %s\n    %v\n", sc.Name, err)
		return ExitFail
	}
	if res.Pass {
		fmt.Fprintf(w, "PASS %s\n", sc.Name)
		return ExitPass
	}
	fmt.Fprintf(w, "FAIL %s\n", sc.Name)
	for _, d := range res.Diff {
		fmt.Fprintf(w, "    %s\n", d)
	}
	return ExitFail
}
