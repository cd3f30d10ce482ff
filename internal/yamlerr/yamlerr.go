// Package yamlerr turns go.yaml.in/yaml/v3's decoding errors ("yaml: line 7:
// field colour not found in type scenarios.ContactSpec") into what a user of a
// YAML file reads: the line and what is wrong there ("unknown field
// \"colour\""). It stands for no historic component: the scenario files and the
// conform RP files share it so that both report a bad file the same way.
package yamlerr

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	notFound = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// Wrap rewrites a decoding error as one error per problem the decoder found,
// each made by at(line, msg) (line 0: no line is known), joined in order. An
// empty document (the decoder's EOF) is "empty file".
func Wrap(err error, at func(line int, msg string) error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			errs = append(errs, at(Split(e)))
		}
		return errors.Join(errs...)
	}
	if err.Error() == "EOF" {
		return at(0, "empty file")
	}
	return at(Split(err.Error()))
}

// Split reads one decoder message: its line (0 when it names none) and what is
// wrong, with "field X not found in type T" said as `unknown field "X"`.
func Split(msg string) (line int, what string) {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return 0, strings.TrimPrefix(msg, "yaml: ")
	}
	line, _ = strconv.Atoi(m[1])
	what = m[2]
	if f := notFound.FindStringSubmatch(what); f != nil {
		what = fmt.Sprintf("unknown field %q", f[1])
	}
	return line, what
}
