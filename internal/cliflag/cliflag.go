// Package cliflag parses mozidsim's command lines. It stands for no historic
// component.
package cliflag

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"
)

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

// Nearest returns the candidate closest to what the user typed (by edit
// distance, ignoring case), or "" when none is close enough to be a likely typo:
// a suggestion that is not one is worse than none.
func Nearest(typed string, candidates []string) string {
	best, bestD := "", -1
	t := strings.ToLower(typed)
	for _, c := range candidates {
		d := distance(t, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(2, len([]rune(typed))/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DidYouMean is "; did you mean X?" for the nearest candidate, or "".
func DidYouMean(typed string, candidates []string) string {
	if n := Nearest(typed, candidates); n != "" {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	return ""
}

// URLValue is a flag holding an http(s) URL, checked when set so that a
// missing scheme is reported with an example instead of failing later.
type URLValue struct {
	URL     string
	Example string // shown in the error, e.g. http://127.0.0.1:8081
}

func (u *URLValue) String() string { return u.URL }

// Set accepts only absolute http or https URLs with a host.
func (u *URLValue) Set(s string) error {
	p, err := url.Parse(s)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL with a host; write it like %s", s, u.Example)
	}
	u.URL = strings.TrimSuffix(s, "/")
	return nil
}

// DurationValue is a flag holding a positive duration; its error shows the
// accepted form.
type DurationValue struct {
	D       time.Duration
	Example string // e.g. 700ms
}

func (d *DurationValue) String() string { return d.D.String() }

// Set accepts Go durations greater than zero.
func (d *DurationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return fmt.Errorf("%q is not a positive duration; write it like %s (units ns, us, ms, s, m, h)", s, d.Example)
	}
	d.D = v
	return nil
}
