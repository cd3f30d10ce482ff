package verifier

import (
	"regexp"
	"strings"
)

// nodeURL holds the parts of Node's legacy url.parse that audience comparison reads.
type nodeURL struct {
	protocol string // lowercased, with the trailing ':' ("https:"), or ""
	hostname string // lowercased
	port     string // digits, "" when absent
	path     string // pathname + search
}

var (
	protocolPattern = regexp.MustCompile(`^[a-zA-Z0-9.+-]+:`)
	portPattern     = regexp.MustCompile(`:[0-9]*$`)
)

// Protocols for which url.parse always expects "//host" and gives an empty path "/".
var slashedProtocol = map[string]bool{"http:": true, "https:": true, "ftp:": true, "gopher:": true, "file:": true}

// parseNodeURL approximates Node's url.parse closely enough for origins: scheme,
// optional "//", authority up to the first '/', '?', '#' or '\', userinfo dropped,
// a trailing ":digits" taken as the port, hostname lowercased.
func parseNodeURL(s string) nodeURL {
	var u nodeURL
	rest := strings.TrimSpace(s)
	if m := protocolPattern.FindString(rest); m != "" {
		u.protocol = strings.ToLower(m)
		rest = rest[len(m):]
	}
	hostless := u.protocol == "javascript:"
	slashes := strings.HasPrefix(rest, "//")
	if slashes && !hostless {
		rest = rest[2:]
	}
	if !hostless && (slashes || (u.protocol != "" && !slashedProtocol[u.protocol])) {
		end := strings.IndexAny(rest, "/?#\\")
		if end < 0 {
			end = len(rest)
		}
		host := rest[:end]
		rest = rest[end:]
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			host = host[at+1:]
		}
		if m := portPattern.FindString(host); m != "" {
			if m != ":" {
				u.port = m[1:]
			}
			host = host[:len(host)-len(m)]
		}
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
		u.hostname = strings.ToLower(host)
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	pathname, search := rest, ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		pathname, search = rest[:i], rest[i:]
	}
	if pathname == "" && slashedProtocol[u.protocol] && u.hostname != "" {
		pathname = "/"
	}
	u.path = pathname + search
	return u
}

// withDefaultPort is compare-audiences.js normalizeParsedURL: 443 for https, else 80.
func (u nodeURL) withDefaultPort() nodeURL {
	if u.port == "" {
		if u.protocol == "https:" {
			u.port = "443"
		} else {
			u.port = "80"
		}
	}
	return u
}

// compareAudiences is browserid-local-verify's compare-audiences.js. want is the
// assertion's aud (trusted, Gecko wrote it), got what the RP says it is: a full
// origin (http, https or app scheme, port optional), "host:port" or a bare host
// (both taken as http://). It returns "" when they match, else the reason.
func compareAudiences(want, got string) string {
	g := parseNodeURL(got)
	if g.protocol != "https:" && g.protocol != "http:" && g.protocol != "app:" {
		g = parseNodeURL("http://" + got)
	}
	g = g.withDefaultPort()
	w := parseNodeURL(want).withDefaultPort()
	switch {
	case g.protocol != w.protocol:
		return "scheme mismatch"
	case g.port != w.port:
		return "port mismatch"
	case g.hostname != w.hostname:
		return "domain mismatch"
	case g.path != "" && g.path != "/":
		return "has non-empty path"
	}
	return ""
}
