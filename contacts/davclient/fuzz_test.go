package davclient

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// canned answers every request with the same status and body, without a network.
type canned struct {
	status int
	body   string
}

func (c canned) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: c.status, Body: io.NopCloser(strings.NewReader(c.body)),
		Header: http.Header{"Etag": {`"x"`}}, Request: r}, nil
}

// FuzzAnswers feeds arbitrary answers to every call: each must return, with an
// error or a result, and never panic.
func FuzzAnswers(f *testing.F) {
	f.Add(207, `<D:multistatus xmlns:D="DAV:"><D:response><D:href>/book/a.vcf</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response><D:sync-token>t</D:sync-token></D:multistatus>`)
	f.Add(207, `<D:multistatus xmlns:D="DAV:"><D:response><D:href>%zz</D:href><D:status>HTTP/1.1</D:status></D:response></D:multistatus>`)
	f.Add(200, `{"basicAuth":{"userName":"u","password":"p"},"links":{"addressbook-home-set":"/h/"}}`)
	f.Add(403, `<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			return
		}
		hc := &http.Client{Transport: canned{status, body}}
		ctx := context.Background()
		b := &Book{URL: "https://dav.example/book/", UserName: "u", Password: "p", HTTP: hc}
		_, _ = b.Sync(ctx, "t")
		_, _, _ = b.MultiGet(ctx, []string{"a.vcf", "b.vcf"})
		_, _, _ = b.List(ctx)
		_, _ = b.Get(ctx, "a.vcf")
		_, _ = b.Put(ctx, "a.vcf", []byte("x"), Condition{IfMatch: "1"})
		_, _ = b.Delete(ctx, "a.vcf", Condition{})
		_, _ = Provision(ctx, hc, nil, "https://dav.example", "assertion")
		_, _ = Discover(ctx, hc, nil, "https://dav.example/", "u", "p")
	})
}
