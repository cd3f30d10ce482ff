package contactsprovider

import (
	"errors"
	"fmt"
	"strings"
)

// etagList is an If-Match or If-None-Match value (RFC 9110 §13.1.1-2): "*" or
// a comma-separated list of entity tags, each possibly weak (W/"...").
type etagList struct {
	any  bool
	tags []etagValue
}

type etagValue struct {
	opaque string
	weak   bool
}

// parseETagList parses a conditional header; a list that does not parse is an
// error the caller answers 400 with.
func parseETagList(v string) (etagList, error) {
	v = strings.TrimSpace(v)
	if v == "*" {
		return etagList{any: true}, nil
	}
	var l etagList
	for v != "" {
		weak := false
		if strings.HasPrefix(v, "W/") {
			weak, v = true, v[2:]
		}
		if !strings.HasPrefix(v, `"`) {
			return etagList{}, fmt.Errorf("%q is not an entity tag (expected \"...\" or W/\"...\")", v)
		}
		end := strings.IndexByte(v[1:], '"')
		if end < 0 {
			return etagList{}, errors.New("an entity tag is missing its closing quote")
		}
		l.tags = append(l.tags, etagValue{opaque: v[1 : end+1], weak: weak})
		v = strings.TrimLeft(v[end+2:], " \t")
		if v == "" {
			break
		}
		if v[0] != ',' {
			return etagList{}, fmt.Errorf("entity tags must be separated by commas, found %q", v)
		}
		v = strings.TrimLeft(v[1:], " \t,")
	}
	if len(l.tags) == 0 {
		return etagList{}, errors.New("an empty entity tag list")
	}
	return l, nil
}

// matchStrong is If-Match's comparison: a weak tag never matches (our ETags
// are strong); "*" matches any current representation.
func (l etagList) matchStrong(current string) bool {
	if l.any {
		return true
	}
	for _, t := range l.tags {
		if !t.weak && t.opaque == current {
			return true
		}
	}
	return false
}

// matchWeak is If-None-Match's comparison: W/"x" and "x" are the same tag.
// Nothing matches a resource that does not exist.
func (l etagList) matchWeak(current string, exists bool) bool {
	if !exists {
		return false
	}
	if l.any {
		return true
	}
	for _, t := range l.tags {
		if t.opaque == current {
			return true
		}
	}
	return false
}
