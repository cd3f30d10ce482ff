package hawk

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The hueniverse/hawk README protocol example (also its test "should generate a
// header protocol example"), with sha256.
var readme = Credentials{ID: "dh37fgj492je", Key: []byte("werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn")}

func TestReadmeVectorGET(t *testing.T) {
	t.Parallel()
	a, err := ClientArtifacts(ClientRequest{Method: "GET", URL: "http://example.com:8000/resource/1?b=1&a=2", Now: time.Unix(1353832234, 0), Nonce: "j4h3g2", Ext: "some-app-ext-data"})
	require.NoError(t, err)
	require.Equal(t, "hawk.1.header\n1353832234\nj4h3g2\nGET\n/resource/1?b=1&a=2\nexample.com\n8000\n\nsome-app-ext-data\n", NormalizedString(a))
	require.Equal(t, "6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE=", MAC(readme.Key, a))
	require.Equal(t, `Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="`, Header(readme, a))
}

func TestReadmeVectorPOSTWithPayload(t *testing.T) {
	t.Parallel()
	h, err := ClientHeader(readme, ClientRequest{Method: "POST", URL: "http://example.com:8000/resource/1?b=1&a=2", Now: time.Unix(1353832234, 0), Nonce: "j4h3g2", Ext: "some-app-ext-data", ContentType: "text/plain", Payload: []byte("Thank you for flying Hawk")})
	require.NoError(t, err)
	require.Equal(t, `Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", hash="Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=", ext="some-app-ext-data", mac="aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw="`, h)
	require.Equal(t, PayloadHash("text/plain", []byte("Thank you for flying Hawk")), PayloadHash(" Text/Plain; charset=utf-8", []byte("Thank you for flying Hawk")), "content type parameters and case do not count")
}

// fxa-auth-server's "sessionToken key derivations are test-vector compliant"
// (the onepw protocol vectors): token a0a1…bf → tokenID and reqHMACkey.
func TestDeriveCredentialsOnepwVector(t *testing.T) {
	t.Parallel()
	c, err := DeriveCredentials("a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf", "sessionToken")
	require.NoError(t, err)
	require.Equal(t, "c0a29dcf46174973da1378696e4c82ae10f723cf4f4d9f75e39f4ae3851595ab", c.ID)
	require.Equal(t, "9d8f22998ee7f5798b887042466b72d53e56ab0c094388bf65831f702d2febc0", hex.EncodeToString(c.Key))
}

func TestDeriveCredentials(t *testing.T) {
	t.Parallel()
	token := strings.Repeat("a0", 32)
	c, err := DeriveCredentials(token, "sessionToken")
	require.NoError(t, err)
	require.Len(t, c.ID, 64)
	require.Len(t, c.Key, 32)
	again, _ := DeriveCredentials(token, "sessionToken")
	require.Equal(t, c, again)
	other, _ := DeriveCredentials(token, "keyFetchToken")
	require.NotEqual(t, c.ID, other.ID, "the context separates token kinds")
	require.NotEqual(t, hex.EncodeToString(c.Key), c.ID)

	_, err = DeriveCredentials("zz", "sessionToken")
	require.ErrorContains(t, err, "hawk: token is not hex")
	empty, err := DeriveCredentials("", "sessionToken")
	require.NoError(t, err, "like deriveHawkCredentials, an empty token still yields (useless) credentials")
	require.Len(t, empty.ID, 64)
}

func TestClientRefusesUnsendableAttributes(t *testing.T) {
	t.Parallel()
	_, err := ClientHeader(readme, ClientRequest{Method: "GET", URL: "http://h/", Nonce: `a"b`})
	require.EqualError(t, err, `hawk: nonce contains '"', which a header attribute cannot carry`)
	_, err = ClientHeader(readme, ClientRequest{Method: "GET", URL: "/relative", Nonce: "n"})
	require.EqualError(t, err, `hawk: URL "/relative" has no host`)
}

func TestNonce(t *testing.T) {
	t.Parallel()
	n, err := NewNonce(bytes.NewReader([]byte{0, 1, 2, 3, 4, 5}))
	require.NoError(t, err)
	require.Equal(t, "AAECAw", n)
	_, err = NewNonce(bytes.NewReader(nil))
	require.EqualError(t, err, "hawk: nonce: EOF")
}

func TestHostPort(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in         string
		tls        bool
		host, port string
	}{{"example.com:8000", false, "example.com", "8000"}, {"example.com", false, "example.com", "80"}, {"example.com", true, "example.com", "443"}, {"[::1]:9", false, "::1", "9"}, {"[::1]", true, "::1", "443"}} {
		h, p := HostPort(c.in, c.tls)
		require.Equal(t, [2]string{c.host, c.port}, [2]string{h, p}, c.in)
	}
}
