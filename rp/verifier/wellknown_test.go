package verifier

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
)

func TestHTTPKeyLookup(t *testing.T) {
	key, _ := testKeys(t)
	pub, err := (&browserid.PublicKey{RSA: &key.PublicKey}).MarshalJSON()
	require.NoError(t, err)
	var gotDomain string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case WellKnownPath:
			gotDomain = r.URL.Query().Get("domain")
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"public-key":` + string(pub) + `,"authentication":"/a","provisioning":"/p"}`))
		case "/moved" + WellKnownPath:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	issuer := strings.TrimPrefix(srv.URL, "http://")
	lookup := HTTPKeyLookup(srv.Client(), "http")

	got, err := lookup(issuer, "api.accounts.firefox.com")
	require.NoError(t, err)
	require.True(t, got.Equal(&browserid.PublicKey{RSA: &key.PublicKey}))
	require.Equal(t, "api.accounts.firefox.com", gotDomain)

	_, err = lookup(issuer+"/moved", "x")
	require.EqualError(t, err, issuer+"/moved is not a browserid primary - redirection not supported for support documents")
	_, err = lookup(issuer+"/nothing", "x")
	require.EqualError(t, err, issuer+"/nothing is not a browserid primary - non-200 response code to /.well-known/browserid")
}
