package hawk

import (
	"crypto/hmac"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The hawk server's failure messages; the FxA auth server turned them into errnos.
const (
	ReasonMissing          = "Missing authentication"
	ReasonBadFormat        = "Bad header format"
	ReasonUnknownAttribute = "Unknown attribute"
	ReasonBadValue         = "Bad attribute value"
	ReasonDuplicate        = "Duplicate attribute"
	ReasonMissingAttrs     = "Missing attributes"
	ReasonUnknownID        = "Unknown credentials"
	ReasonBadMAC           = "Bad mac"
	ReasonMissingHash      = "Missing required payload hash"
	ReasonBadHash          = "Bad payload hash"
	ReasonReplay           = "Invalid nonce"
	ReasonStale            = "Stale timestamp"
)

// Error is a failed verification. Unauthorized distinguishes hawk's 401s from
// its 400s (a header it cannot parse); ServerTime is set for ReasonStale so the
// server can tell the client its clock.
type Error struct {
	Reason       string
	Unauthorized bool
	ServerTime   time.Time
}

func (e *Error) Error() string { return "hawk: " + e.Reason }

func unauthorized(reason string) *Error { return &Error{Reason: reason, Unauthorized: true} }
func badRequest(reason string) *Error   { return &Error{Reason: reason} }

// ServerRequest is what the server knows of an incoming request.
type ServerRequest struct {
	Method        string
	Resource      string // request URI: path and query as received
	Host          string
	Port          string
	Authorization string
	ContentType   string
	Payload       []byte // the body as received
}

// Lookup finds the credentials for a Hawk id.
type Lookup func(id string) (Credentials, bool)

// VerifyOptions tune Verify.
type VerifyOptions struct {
	Now                time.Time
	RequirePayloadHash bool        // e.g. certificate/sign
	Nonces             *NonceCache // nil: no replay check
}

// Verify checks r's Authorization header in hawk's order: syntax, credentials,
// MAC, payload hash, nonce, timestamp. The MAC is checked before the timestamp,
// so only a correctly signed request learns the server's time.
func Verify(r ServerRequest, lookup Lookup, opt VerifyOptions) (Credentials, Artifacts, error) {
	attrs, herr := ParseHeader(r.Authorization)
	if herr != nil {
		return Credentials{}, Artifacts{}, herr
	}
	ts, err := strconv.ParseInt(attrs["ts"], 10, 64)
	if err != nil {
		return Credentials{}, Artifacts{}, badRequest(ReasonBadValue)
	}
	a := Artifacts{TS: ts, Nonce: attrs["nonce"], Method: r.Method, Resource: r.Resource, Host: r.Host, Port: r.Port, Hash: attrs["hash"], Ext: attrs["ext"]}
	creds, ok := lookup(attrs["id"])
	if !ok {
		return Credentials{}, a, unauthorized(ReasonUnknownID)
	}
	if !hmac.Equal([]byte(MAC(creds.Key, a)), []byte(attrs["mac"])) {
		return Credentials{}, a, unauthorized(ReasonBadMAC)
	}
	switch {
	case a.Hash == "" && opt.RequirePayloadHash:
		return Credentials{}, a, unauthorized(ReasonMissingHash)
	case a.Hash != "" && !hmac.Equal([]byte(PayloadHash(r.ContentType, r.Payload)), []byte(a.Hash)):
		return Credentials{}, a, unauthorized(ReasonBadHash)
	}
	if opt.Nonces != nil && !opt.Nonces.Fresh(creds.ID, a.Nonce, a.TS, opt.Now) {
		return Credentials{}, a, unauthorized(ReasonReplay)
	}
	if skew := opt.Now.Sub(time.Unix(ts, 0)); skew > MaxSkew || skew < -MaxSkew {
		e := unauthorized(ReasonStale)
		e.ServerTime = opt.Now
		return Credentials{}, a, e
	}
	return creds, a, nil
}

var knownAttributes = map[string]bool{"id": true, "ts": true, "nonce": true, "hash": true, "ext": true, "mac": true, "app": true, "dlg": true}

// maxHeaderLength bounds the work a hostile header can cause.
const maxHeaderLength = 4096

// ParseHeader reads `Hawk id="…", ts="…", …` into its attributes; id, ts, nonce
// and mac are required.
func ParseHeader(h string) (map[string]string, *Error) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if !strings.EqualFold(scheme, "Hawk") {
		return nil, unauthorized(ReasonMissing)
	}
	if len(h) > maxHeaderLength {
		return nil, badRequest(ReasonBadFormat)
	}
	attrs := map[string]string{}
	s := strings.TrimSpace(rest)
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, badRequest(ReasonBadFormat)
		}
		key := s[:eq]
		for i := 0; i < len(key); i++ {
			if c := key[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return nil, badRequest(ReasonBadFormat)
			}
		}
		end := strings.IndexByte(s[eq+2:], '"')
		if end < 0 {
			return nil, badRequest(ReasonBadFormat)
		}
		val := s[eq+2 : eq+2+end]
		if !knownAttributes[key] {
			return nil, badRequest(ReasonUnknownAttribute)
		}
		if _, dup := attrs[key]; dup {
			return nil, badRequest(ReasonDuplicate)
		}
		for i := 0; i < len(val); i++ {
			if !attributeChar(val[i]) {
				return nil, badRequest(ReasonBadValue)
			}
		}
		attrs[key] = val
		s = strings.TrimLeft(s[eq+2+end+1:], " \t")
		if s != "" {
			if s[0] != ',' {
				return nil, badRequest(ReasonBadFormat)
			}
			s = strings.TrimLeft(s[1:], " \t")
		}
	}
	for _, k := range []string{"id", "ts", "nonce", "mac"} {
		if attrs[k] == "" {
			return nil, badRequest(ReasonMissingAttrs)
		}
	}
	return attrs, nil
}

// NonceCache remembers (id, nonce, ts) triples inside the skew window, the
// optional replay protection hawk servers may add.
type NonceCache struct {
	mu       sync.Mutex
	seen     map[string]int64 // id + nonce + ts → ts
	prunedAt int64            // seconds; pruning once a second keeps Fresh O(1) amortised
}

// Fresh records the triple and reports whether it was new.
func (c *NonceCache) Fresh(id, nonce string, ts int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]int64{}
	}
	if sec := now.Unix(); sec != c.prunedAt {
		c.prunedAt = sec
		oldest := now.Add(-MaxSkew).Unix()
		for k, t := range c.seen {
			if t < oldest-1 { // nothing this old can pass the timestamp check again
				delete(c.seen, k)
			}
		}
	}
	key := id + "\x00" + nonce + "\x00" + strconv.FormatInt(ts, 10)
	if _, ok := c.seen[key]; ok {
		return false
	}
	c.seen[key] = ts
	return true
}
