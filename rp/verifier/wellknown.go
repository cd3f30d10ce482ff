package verifier

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

// WellKnownPath is where an identity provider publishes its BrowserID support document.
const WellKnownPath = "/.well-known/browserid"

// maxSupportDoc bounds a support document; real ones are a few hundred bytes.
const maxSupportDoc = 64 << 10

// HTTPKeyLookup fetches issuers' keys from their support documents, as
// browserid-local-verify's lookup.js did: GET <scheme>://<issuer>/.well-known/browserid?domain=<principal domain>,
// which must answer 200 with an application/json body holding a "public-key".
// Redirects are refused. scheme is "https" for real issuers; "http" serves a
// simulated FxA server on loopback (mozidsim serve-fxa).
func HTTPKeyLookup(client *http.Client, scheme string) KeyLookup {
	if client == nil {
		client = http.DefaultClient
	}
	noRedirects := *client
	noRedirects.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(issuer, principalDomain string) (*browserid.PublicKey, error) {
		u := scheme + "://" + issuer + WellKnownPath + "?domain=" + url.QueryEscape(principalDomain)
		resp, err := noRedirects.Get(u)
		if err != nil {
			return nil, fmt.Errorf("%s is not a browserid primary - %v", issuer, err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
			return nil, fmt.Errorf("%s is not a browserid primary - redirection not supported for support documents", issuer)
		default:
			return nil, fmt.Errorf("%s is not a browserid primary - non-200 response code to %s", issuer, WellKnownPath)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			return nil, fmt.Errorf("%s is not a browserid primary - non \"application/json\" response to %s", issuer, WellKnownPath)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxSupportDoc))
		if err != nil {
			return nil, fmt.Errorf("%s is not a browserid primary - %v", issuer, err)
		}
		var doc struct {
			PublicKey json.RawMessage `json:"public-key"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.PublicKey) == 0 {
			return nil, fmt.Errorf("%s is not a browserid primary - support document has no public-key", issuer)
		}
		return browserid.ParsePublicKey(doc.PublicKey)
	}
}
