package verifier

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// WellKnownPath is where an identity provider publishes its BrowserID support document.
const WellKnownPath = "/.well-known/browserid"

// maxSupportDoc bounds a support document; real ones are a few hundred bytes.
const maxSupportDoc = 64 << 10

// Key cache bounds: a document says how long its key may be kept
// (Cache-Control max-age); no issuer is trusted for longer than a day, and at
// most maxCachedKeys issuers are remembered.
const (
	maxKeyAge     = 24 * time.Hour
	maxCachedKeys = 1024
)

// Fixed failure reasons: what went wrong on the network stays in the server,
// or a caller could tell closed ports from open ones by the reason.
const (
	reasonFetchFailed = "could not fetch its support document"
	reasonNotHostName = "issuer is not a host name"
	reasonNotAllowed  = "issuer is not on this verifier's allow-list"
)

// HTTPKeys fetches issuers' keys from their support documents, as
// browserid-local-verify's lookup.js did: GET <scheme>://<issuer>/.well-known/browserid?domain=<principal domain>,
// which must answer 200 with an application/json body holding a "public-key".
// Redirects are refused. Keys are cached per issuer for as long as the
// document's Cache-Control max-age allows, and concurrent lookups of one
// issuer share one fetch.
//
// An issuer from an assertion is attacker's input that becomes a URL, so it
// must be a plain DNS host name (no port, path, user or IP address) unless it
// is in AllowedIssuers; when AllowedIssuers is set, nothing else is fetched.
type HTTPKeys struct {
	Client *http.Client // nil: http.DefaultClient (with redirects refused)
	Scheme string       // "https" for real issuers; "http" serves a simulated FxA server on loopback
	// AllowedIssuers, when not empty, are the only issuers whose keys are
	// fetched; they may be anything that fits in a URL's host (an IP, a port).
	AllowedIssuers []string
	// Endpoints maps an issuer to the base URL its document is fetched from
	// instead of <Scheme>://<issuer> (verify-server --fxa-url); such issuers
	// are allowed.
	Endpoints map[string]string
	Now       func() time.Time // the cache's clock; nil is the wall clock

	once   sync.Once
	client http.Client
	flight singleflight.Group
	mu     sync.Mutex
	cache  map[string]cachedKey
}

type cachedKey struct {
	key     *browserid.PublicKey
	expires time.Time
}

// HTTPKeyLookup is a KeyLookup over a new HTTPKeys with client and scheme.
func HTTPKeyLookup(client *http.Client, scheme string) KeyLookup {
	return (&HTTPKeys{Client: client, Scheme: scheme}).Lookup
}

func (k *HTTPKeys) init() {
	k.once.Do(func() {
		if k.Client != nil {
			k.client = *k.Client
		}
		k.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		k.cache = map[string]cachedKey{}
		if k.Now == nil {
			k.Now = time.Now
		}
	})
}

// Lookup is a KeyLookup: the issuer's key, from the cache or its document.
func (k *HTTPKeys) Lookup(issuer, principalDomain string) (*browserid.PublicKey, error) {
	k.init()
	base, ok := k.Endpoints[issuer]
	if !ok {
		if len(k.AllowedIssuers) > 0 && !slices.Contains(k.AllowedIssuers, issuer) {
			return nil, notPrimary(issuer, reasonNotAllowed)
		}
		if len(k.AllowedIssuers) == 0 && !isHostName(issuer) {
			return nil, notPrimary(issuer, reasonNotHostName)
		}
		base = k.Scheme + "://" + issuer
	}
	k.mu.Lock()
	c, hit := k.cache[issuer]
	k.mu.Unlock()
	if hit && k.Now().Before(c.expires) {
		return c.key, nil
	}
	v, err, _ := k.flight.Do(issuer, func() (any, error) {
		key, maxAge, err := k.fetch(issuer, base, principalDomain)
		if err == nil && maxAge > 0 {
			k.remember(issuer, cachedKey{key: key, expires: k.Now().Add(maxAge)})
		}
		return key, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*browserid.PublicKey), nil
}

func (k *HTTPKeys) remember(issuer string, c cachedKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.cache) >= maxCachedKeys {
		now := k.Now()
		for iss, old := range k.cache {
			if !now.Before(old.expires) {
				delete(k.cache, iss)
			}
		}
		for iss := range k.cache { // still full: any one makes room
			if len(k.cache) < maxCachedKeys {
				break
			}
			delete(k.cache, iss)
		}
	}
	k.cache[issuer] = c
}

func notPrimary(issuer, why string) error {
	return fmt.Errorf("%s is not a browserid primary - %s", issuer, why)
}

func (k *HTTPKeys) fetch(issuer, base, principalDomain string) (*browserid.PublicKey, time.Duration, error) {
	resp, err := k.client.Get(base + WellKnownPath + "?domain=" + url.QueryEscape(principalDomain))
	if err != nil {
		return nil, 0, &Failure{Reason: notPrimary(issuer, reasonFetchFailed).Error(), Err: err}
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
		return nil, 0, notPrimary(issuer, "redirection not supported for support documents")
	default:
		return nil, 0, notPrimary(issuer, "non-200 response code to "+WellKnownPath)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		return nil, 0, notPrimary(issuer, `non "application/json" response to `+WellKnownPath)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSupportDoc))
	if err != nil {
		return nil, 0, &Failure{Reason: notPrimary(issuer, reasonFetchFailed).Error(), Err: err}
	}
	var doc struct {
		PublicKey json.RawMessage `json:"public-key"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || len(doc.PublicKey) == 0 {
		return nil, 0, notPrimary(issuer, "support document has no public-key")
	}
	key, err := browserid.ParsePublicKey(doc.PublicKey)
	if err != nil {
		return nil, 0, err
	}
	return key, maxAge(resp.Header), nil
}

// maxAge is how long Cache-Control lets the document be kept: max-age, unless
// no-store or no-cache; none without it; at most maxKeyAge.
func maxAge(h http.Header) time.Duration {
	var age time.Duration
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
				if err != nil || n <= 0 {
					return 0
				}
				age = time.Duration(min(n, int64(maxKeyAge/time.Second))) * time.Second
			}
		}
	}
	return age
}

// isHostName: lower-case DNS labels of letters, digits and inner hyphens;
// never an IP address, a port, or anything else a URL would read as more than
// a host.
func isHostName(s string) bool {
	if s == "" || len(s) > 253 || net.ParseIP(s) != nil {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	// All-numeric last label: an IPv4 address in another spelling (0x7f.1, 2130706433).
	last := s[strings.LastIndexByte(s, '.')+1:]
	return strings.Trim(last, "0123456789") != ""
}
