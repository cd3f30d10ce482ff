// Package hawk is the Hawk HTTP authentication scheme (hawk.1, HMAC-SHA256) as the
// Firefox Accounts stack used it in 2015: the client half stands for
// services/crypto/utils.js CryptoUtils.computeHAWK and
// services/common/hawkrequest.js (deriveHawkCredentials), the server half for the
// hapi-auth-hawk / hueniverse hawk server that fxa-auth-server ran.
//
// It is written here rather than imported: go.mozilla.org/hawk keeps its clock and
// skew window in package-level variables and draws nonces from crypto/rand, which
// a simulator running many servers on virtual clocks in one process cannot use.
package hawk

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxSkew is the clock difference the server tolerates either way.
const MaxSkew = 60 * time.Second

// Credentials are a Hawk id and its MAC key (always SHA-256 here).
type Credentials struct {
	ID  string
	Key []byte
}

// credentialContextPrefix is onepw's HKDF info prefix for token-derived keys.
const credentialContextPrefix = "identity.mozilla.com/picl/v1/"

// DeriveCredentials turns an FxA token (hex) into Hawk credentials: HKDF-SHA256
// with no salt and info "identity.mozilla.com/picl/v1/"+context, 96 bytes; the
// id is the hex of bytes 0–31 and the key bytes 32–63 (64–95 are the "extra"
// that only keyFetchToken uses).
func DeriveCredentials(tokenHex, context string) (Credentials, error) {
	token, err := hex.DecodeString(tokenHex)
	if err != nil {
		return Credentials{}, fmt.Errorf("hawk: token is not hex: %w", err)
	}
	out, err := hkdf.Key(sha256.New, token, nil, credentialContextPrefix+context, 3*32)
	if err != nil {
		return Credentials{}, fmt.Errorf("hawk: deriving credentials: %w", err)
	}
	return Credentials{ID: hex.EncodeToString(out[:32]), Key: out[32:64]}, nil
}

// Artifacts are the request facts the MAC covers.
type Artifacts struct {
	TS       int64 // seconds
	Nonce    string
	Method   string // upper case
	Resource string // path and query, as sent
	Host     string
	Port     string
	Hash     string // base64 payload hash, "" when the payload is not covered
	Ext      string
}

// NormalizedString is the text the header MAC is computed over.
func NormalizedString(a Artifacts) string {
	var b strings.Builder
	b.WriteString("hawk.1.header\n")
	b.WriteString(strconv.FormatInt(a.TS, 10))
	b.WriteByte('\n')
	for _, s := range []string{a.Nonce, strings.ToUpper(a.Method), a.Resource, strings.ToLower(a.Host), a.Port, a.Hash, escapeExt(a.Ext)} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// escapeExt is how hawk puts ext into the normalized string.
func escapeExt(ext string) string { return extEscaper.Replace(ext) }

// extEscaper is built once (a Replacer is safe for concurrent use); one per
// call cost more than the rest of the header.
var extEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

// MAC is base64(HMAC-SHA256(key, NormalizedString(a))).
func MAC(key []byte, a Artifacts) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, NormalizedString(a))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// PayloadHash is base64(SHA-256("hawk.1.payload\n<content type>\n<payload>\n")), the
// content type lower-cased and stripped of parameters.
func PayloadHash(contentType string, payload []byte) string {
	h := sha256.New()
	io.WriteString(h, "hawk.1.payload\n")
	io.WriteString(h, bareContentType(contentType))
	io.WriteString(h, "\n")
	h.Write(payload)
	io.WriteString(h, "\n")
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func bareContentType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// NewNonce draws a 6-character nonce from r (the caller's random source, so
// simulated runs repeat).
func NewNonce(r io.Reader) (string, error) {
	var b [6]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("hawk: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])[:6], nil
}

// Header renders the Authorization header value for a with creds: id, ts, nonce,
// then hash and ext when present, then mac.
func Header(creds Credentials, a Artifacts) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Hawk id="%s", ts="%d", nonce="%s"`, creds.ID, a.TS, a.Nonce)
	if a.Hash != "" {
		fmt.Fprintf(&b, `, hash="%s"`, a.Hash)
	}
	if a.Ext != "" {
		fmt.Fprintf(&b, `, ext="%s"`, a.Ext)
	}
	fmt.Fprintf(&b, `, mac="%s"`, MAC(creds.Key, a))
	return b.String()
}

// ClientRequest describes one outgoing request for ClientHeader.
type ClientRequest struct {
	Method      string
	URL         string // absolute
	Now         time.Time
	Nonce       string
	ContentType string // used only with Payload
	Payload     []byte // nil: not covered by the MAC
	Ext         string
}

// ClientHeader builds the Authorization header for r.
func ClientHeader(creds Credentials, r ClientRequest) (string, error) {
	a, err := ClientArtifacts(r)
	if err != nil {
		return "", err
	}
	return Header(creds, a), nil
}

// ClientArtifacts are the artifacts a client signs for r.
func ClientArtifacts(r ClientRequest) (Artifacts, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return Artifacts{}, fmt.Errorf("hawk: bad URL %q: %w", r.URL, err)
	}
	if u.Host == "" {
		return Artifacts{}, fmt.Errorf("hawk: URL %q has no host", r.URL)
	}
	if err := checkAttribute("nonce", r.Nonce); err != nil {
		return Artifacts{}, err
	}
	if err := checkAttribute("ext", r.Ext); err != nil {
		return Artifacts{}, err
	}
	host, port := HostPort(u.Host, u.Scheme == "https")
	a := Artifacts{TS: r.Now.Unix(), Nonce: r.Nonce, Method: strings.ToUpper(r.Method), Resource: u.RequestURI(), Host: host, Port: port, Ext: r.Ext}
	if r.Payload != nil {
		a.Hash = PayloadHash(r.ContentType, r.Payload)
	}
	return a, nil
}

// HostPort splits a Host header or URL host, supplying the scheme's default port.
func HostPort(hostport string, tls bool) (host, port string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	if tls {
		return strings.Trim(hostport, "[]"), "443"
	}
	return strings.Trim(hostport, "[]"), "80"
}

// attributeChar reports whether c may appear in a header attribute value (hawk's
// escapeHeaderAttribute set: printable ASCII without '"' and '\\').
func attributeChar(c byte) bool { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' }

func checkAttribute(name, v string) error {
	for i := 0; i < len(v); i++ {
		if !attributeChar(v[i]) {
			return fmt.Errorf("hawk: %s contains %q, which a header attribute cannot carry", name, v[i])
		}
	}
	return nil
}
