package gaia

import (
	"strings"
	"unicode/utf16"
)

// sanitizeEmail is the value sanitization of <input type=email>: strip CR/LF,
// then leading and trailing ASCII whitespace.
func sanitizeEmail(v string) string {
	v = stripNewlines(v)
	return strings.Trim(v, "\t\n\f\r ")
}

// validEmail is <input type=email>'s validity: the HTML "valid e-mail address"
// (local@domain). The local part is one or more of letters, digits and
// .!#$%&'*+/=?^_`{|}~- ; the domain is one or more dot-separated labels of
// letters, digits and '-', 1..63 long, not starting or ending with '-'. A dot in
// the domain is NOT required (a@b is valid in browsers). Not modelled: Gecko
// converted non-ASCII domains to punycode before checking, so IDN addresses that
// Gecko accepted are refused here.
func validEmail(v string) bool {
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || domain == "" {
		return false
	}
	for i := 0; i < len(local); i++ {
		if !isAlnum(local[i]) && !strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", rune(local[i])) {
			return false
		}
	}
	for _, label := range strings.Split(domain, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// sanitizePassword is <input type=password>'s value sanitization: strip CR/LF.
func sanitizePassword(v string) string { return stripNewlines(v) }

// validPassword is pattern=".{8,}" required: the pattern must match the whole
// value, JavaScript '.' (2015, no u flag) matches any UTF-16 code unit except line
// terminators, so an astral character counts as two.
func validPassword(v string) bool {
	if strings.ContainsAny(v, "\u2028\u2029\r\n") {
		return false
	}
	return len(utf16.Encode([]rune(v))) >= 8
}

// newlines is built once: a Replacer builds its tables on first use, and
// building them per call was a tenth of what a whole scenario allocated.
var newlines = strings.NewReplacer("\r", "", "\n", "")

func stripNewlines(v string) string { return newlines.Replace(v) }
