package hawk

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var at = time.Unix(1353832234, 0)

func readmeRequest(auth string) ServerRequest {
	return ServerRequest{Method: "GET", Resource: "/resource/1?b=1&a=2", Host: "example.com", Port: "8000", Authorization: auth}
}

func lookupReadme(id string) (Credentials, bool) {
	if id == readme.ID {
		return readme, true
	}
	return Credentials{}, false
}

const readmeHeader = `Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="`

func TestVerifyAcceptsTheReadmeRequest(t *testing.T) {
	t.Parallel()
	c, a, err := Verify(readmeRequest(readmeHeader), lookupReadme, VerifyOptions{Now: at.Add(59 * time.Second)})
	require.NoError(t, err)
	require.Equal(t, readme, c)
	require.Equal(t, "some-app-ext-data", a.Ext)
}

func TestVerifyFailures(t *testing.T) {
	t.Parallel()
	tampered := `Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="7R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="`
	for _, c := range []struct {
		name, header string
		req          func(*ServerRequest)
		opt          VerifyOptions
		want         Error
	}{
		{"no header", "", nil, VerifyOptions{Now: at}, Error{Reason: ReasonMissing, Unauthorized: true}},
		{"other scheme", "Bearer x", nil, VerifyOptions{Now: at}, Error{Reason: ReasonMissing, Unauthorized: true}},
		{"tampered mac", tampered, nil, VerifyOptions{Now: at}, Error{Reason: ReasonBadMAC, Unauthorized: true}},
		{"other resource", readmeHeader, func(r *ServerRequest) { r.Resource = "/resource/1?a=2&b=1" }, VerifyOptions{Now: at}, Error{Reason: ReasonBadMAC, Unauthorized: true}},
		{"other port", readmeHeader, func(r *ServerRequest) { r.Port = "80" }, VerifyOptions{Now: at}, Error{Reason: ReasonBadMAC, Unauthorized: true}},
		{"unknown id", `Hawk id="nobody", ts="1", nonce="n", mac="m"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonUnknownID, Unauthorized: true}},
		{"stale ahead", readmeHeader, nil, VerifyOptions{Now: at.Add(61 * time.Second)}, Error{Reason: ReasonStale, Unauthorized: true, ServerTime: at.Add(61 * time.Second)}},
		{"stale behind", readmeHeader, nil, VerifyOptions{Now: at.Add(-61 * time.Second)}, Error{Reason: ReasonStale, Unauthorized: true, ServerTime: at.Add(-61 * time.Second)}},
		{"hash required", readmeHeader, nil, VerifyOptions{Now: at, RequirePayloadHash: true}, Error{Reason: ReasonMissingHash, Unauthorized: true}},
		{"missing mac", `Hawk id="a", ts="1", nonce="n"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonMissingAttrs}},
		{"unknown attribute", `Hawk id="a", ts="1", nonce="n", mac="m", foo="x"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonUnknownAttribute}},
		{"duplicate", `Hawk id="a", id="b", ts="1", nonce="n", mac="m"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonDuplicate}},
		{"unterminated", `Hawk id="a`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonBadFormat}},
		{"no comma", `Hawk id="a" ts="1"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonBadFormat}},
		{"bad ts", `Hawk id="dh37fgj492je", ts="soon", nonce="n", mac="m"`, nil, VerifyOptions{Now: at}, Error{Reason: ReasonBadValue}},
		{"control char", "Hawk id=\"a\x01\", ts=\"1\", nonce=\"n\", mac=\"m\"", nil, VerifyOptions{Now: at}, Error{Reason: ReasonBadValue}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := readmeRequest(c.header)
			if c.req != nil {
				c.req(&r)
			}
			_, _, err := Verify(r, lookupReadme, c.opt)
			require.Equal(t, &c.want, err)
		})
	}
}

func TestVerifyPayloadHash(t *testing.T) {
	t.Parallel()
	post := func(body string) ServerRequest {
		r := readmeRequest(`Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", hash="Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=", ext="some-app-ext-data", mac="aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw="`)
		r.Method, r.ContentType, r.Payload = "POST", "text/plain", []byte(body)
		return r
	}
	_, _, err := Verify(post("Thank you for flying Hawk"), lookupReadme, VerifyOptions{Now: at, RequirePayloadHash: true})
	require.NoError(t, err)
	_, _, err = Verify(post("Thank you for flying Hawk!"), lookupReadme, VerifyOptions{Now: at})
	require.Equal(t, &Error{Reason: ReasonBadHash, Unauthorized: true}, err, "a hash that is present is always checked")
}

func TestNonceReplay(t *testing.T) {
	t.Parallel()
	var nc NonceCache
	opt := VerifyOptions{Now: at, Nonces: &nc}
	_, _, err := Verify(readmeRequest(readmeHeader), lookupReadme, opt)
	require.NoError(t, err)
	_, _, err = Verify(readmeRequest(readmeHeader), lookupReadme, opt)
	require.Equal(t, &Error{Reason: ReasonReplay, Unauthorized: true}, err)

	// Entries older than the window are forgotten: the timestamp check guards them.
	require.True(t, nc.Fresh("x", "n", at.Unix(), at))
	require.False(t, nc.Fresh("x", "n", at.Unix(), at))
	require.True(t, nc.Fresh("x", "n2", at.Add(3*time.Minute).Unix(), at.Add(3*time.Minute)))
	nc.mu.Lock()
	_, kept := nc.seen["x\x00n\x00"+"1353832234"]
	nc.mu.Unlock()
	require.False(t, kept)
}

func FuzzParseHeader(f *testing.F) {
	f.Add(readmeHeader)
	f.Add(`Hawk id="a", ts="1", nonce="n", hash="h", mac="m"`)
	f.Add(`hawk   id="",,`)
	f.Fuzz(func(t *testing.T, h string) {
		attrs, err := ParseHeader(h)
		if err == nil {
			for _, k := range []string{"id", "ts", "nonce", "mac"} {
				require.NotEmpty(t, attrs[k])
			}
		}
		_, _, verr := Verify(readmeRequest(h), lookupReadme, VerifyOptions{Now: at})
		if verr != nil {
			require.IsType(t, &Error{}, verr)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	r := readmeRequest(readmeHeader)
	for b.Loop() {
		if _, _, err := Verify(r, lookupReadme, VerifyOptions{Now: at}); err != nil {
			b.Fatal(err)
		}
	}
}
