// Package cliflag parses mozidsim's command lines. It stands for no historic
// component.
package cliflag

import "flag"

// Parse parses flags wherever they appear among the positional arguments and
// returns the positional ones: the standard flag package stops at the first
// non-flag, so "mozidsim run a.yaml -v" would not see -v. After "--" everything
// is positional. The error is flag's (flag.ErrHelp for -h).
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil // flag consumed the "--"
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
