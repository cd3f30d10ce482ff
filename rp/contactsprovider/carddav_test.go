package contactsprovider

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const propfindDiscovery = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">` +
	`<D:prop><D:resourcetype/><D:current-user-principal/><C:addressbook-home-set/><D:displayname/></D:prop></D:propfind>`

func depth(d string) map[string]string {
	return map[string]string{"Content-Type": "application/xml; charset=utf-8", "Depth": d}
}

// The journal-era server answered an empty 207 to PROPFIND on the very
// home-set URL the login hands out (go-webdav matched "/contacts" exactly).
func TestDiscoveryWithAndWithoutTrailingSlash(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	u := lr.BasicAuth.UserName
	principal, home, book := "/dav/"+u+"/", "/dav/"+u+"/contacts/", "/dav/"+u+"/contacts/default/"
	require.Equal(t, home, lr.Links.AddressBookHomeSet)

	for _, root := range []string{"/", "/dav", "/dav/"} {
		status, _, body := f.request("PROPFIND", f.srv.URL()+root, lr, propfindDiscovery, depth("0"))
		require.Equal(t, http.StatusMultiStatus, status, root)
		require.Contains(t, body, `<D:current-user-principal><D:href>`+principal+`</D:href></D:current-user-principal>`, root)
	}
	for _, p := range []string{principal, strings.TrimSuffix(principal, "/")} {
		status, _, body := f.request("PROPFIND", f.srv.URL()+p, lr, propfindDiscovery, depth("0"))
		require.Equal(t, http.StatusMultiStatus, status, p)
		require.Contains(t, body, `<D:response><D:href>`+principal+`</D:href>`, p)
		require.Contains(t, body, `<C:addressbook-home-set><D:href>`+home+`</D:href></C:addressbook-home-set>`, p)
		require.Contains(t, body, `<D:resourcetype><D:collection/><D:principal/></D:resourcetype>`, p)
	}
	for _, h := range []string{home, strings.TrimSuffix(home, "/")} {
		status, _, body := f.request("PROPFIND", f.srv.URL()+h, lr, propfindDiscovery, depth("1"))
		require.Equal(t, http.StatusMultiStatus, status, h)
		require.Contains(t, body, `<D:response><D:href>`+home+`</D:href>`, h)
		require.Contains(t, body, `<D:response><D:href>`+book+`</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:addressbook/></D:resourcetype>`, h)
	}
	for _, b := range []string{book, strings.TrimSuffix(book, "/")} {
		status, _, body := f.request("PROPFIND", f.srv.URL()+b, lr, propfindDiscovery, depth("0"))
		require.Equal(t, http.StatusMultiStatus, status, b)
		require.Contains(t, body, `<D:response><D:href>`+book+`</D:href>`, b)
	}

	// RFC 6764: the well-known URL redirects to the context path.
	noRedirect := *f.client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, _ := http.NewRequest("PROPFIND", f.srv.URL()+"/.well-known/carddav", nil)
	resp, err := noRedirect.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMovedPermanently, resp.StatusCode)
	require.Equal(t, "/dav/", resp.Header.Get("Location"))
}

func TestTheAddressBookAdvertisesSync(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	book := lr.Links.AddressBookHomeSet + "default/"
	status, _, _ := f.request("PUT", f.srv.URL()+book+"a.vcf", lr, cardText("A", "a"), nil)
	require.Equal(t, http.StatusCreated, status)
	q := `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/"><D:prop>` +
		`<D:sync-token/><CS:getctag/><D:supported-report-set/><C:supported-address-data/><C:max-resource-size/><D:quota-used-bytes/></D:prop></D:propfind>`
	status, _, body := f.request("PROPFIND", f.srv.URL()+book, lr, q, depth("0"))
	require.Equal(t, http.StatusMultiStatus, status)
	token := "http://mozidsim.invalid/ns/sync/" + lr.BasicAuth.UserName + "/1"
	require.Contains(t, body, `<D:sync-token>`+token+`</D:sync-token><CS:getctag>`+token+`</CS:getctag>`)
	require.Contains(t, body, `<D:supported-report-set><D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>`+
		`<D:supported-report><D:report><C:addressbook-multiget/></D:report></D:supported-report>`+
		`<D:supported-report><D:report><C:addressbook-query/></D:report></D:supported-report></D:supported-report-set>`)
	require.Contains(t, body, `<C:supported-address-data><C:address-data-type content-type="text/vcard" version="3.0"/><C:address-data-type content-type="text/vcard" version="4.0"/></C:supported-address-data>`)
	require.Contains(t, body, `<C:max-resource-size>1048576</C:max-resource-size>`)
	require.Contains(t, body, `<D:propstat><D:prop><D:quota-used-bytes/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>`)
}

// RFC 4918 §9.1: a PROPFIND without a body is allprop (go-webdav answered 400
// when a Content-Type came with it).
func TestAnEmptyPropfindIsAllprop(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	book := lr.Links.AddressBookHomeSet + "default/"
	f.request("PUT", f.srv.URL()+book+"a.vcf", lr, cardText("A", "a"), nil)
	status, _, body := f.request("PROPFIND", f.srv.URL()+book, lr, "", depth("1"))
	require.Equal(t, http.StatusMultiStatus, status, body)
	require.Contains(t, body, `<D:href>`+book+`a.vcf</D:href><D:propstat><D:prop><D:resourcetype/><D:getetag>`)
	require.Contains(t, body, `<D:getcontenttype>text/vcard; charset=utf-8</D:getcontenttype>`)
	status, _, body = f.request("PROPFIND", f.srv.URL()+book, lr, "<D:propfind xmlns:D=\"DAV:\"><D:prop>", depth("0"))
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, "malformed PROPFIND body: XML syntax error")
}

func put(f *fixture, lr LoginResponse, name, body string, hdr map[string]string) (int, http.Header, string) {
	return f.request("PUT", f.srv.URL()+lr.Links.AddressBookHomeSet+"default/"+name, lr, body, hdr)
}

func TestPutChecksTheCard(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	book := lr.Links.AddressBookHomeSet + "default/"
	status, _, _ := put(f, lr, "a.vcf", cardText("A", "same-uid"), nil)
	require.Equal(t, http.StatusCreated, status)

	for _, tc := range []struct {
		name, card string
		status     int
		body       string
	}{
		{"dup.vcf", cardText("B", "same-uid"), 403, `<C:no-uid-conflict><D:href>` + book + `a.vcf</D:href></C:no-uid-conflict><M:reason>UID &#34;same-uid&#34; is already the UID of ` + book + `a.vcf</M:reason>`},
		{"a.vcf", cardText("A", "other-uid"), 403, `<C:no-uid-conflict><D:href>` + book + `a.vcf</D:href></C:no-uid-conflict><M:reason>a resource&#39;s UID cannot change; delete it and create a new one</M:reason>`},
		{"nouid.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No UID\r\nEND:VCARD\r\n", 403, `<X:valid-address-data/><M:reason>the card has no UID</M:reason>`},
		{"nofn.vcf", "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:nofn\r\nEND:VCARD\r\n", 403, `<X:valid-address-data/><M:reason>the card has no FN</M:reason>`},
		{"latin1.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:l1\r\nFN:Jos\xe9\r\nEND:VCARD\r\n", 400, `<X:valid-address-data/><M:reason>the card is not valid UTF-8 (byte 40)</M:reason>`},
		{"old.vcf", "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:old\r\nFN:Old\r\nEND:VCARD\r\n", 403, `<X:supported-address-data/><M:reason>vCard version 2.1 is not stored (3.0 and 4.0 are)</M:reason>`},
		{"two.vcf", cardText("T", "t1") + cardText("U", "t2"), 400, `<M:reason>a resource holds exactly one vCard</M:reason>`},
		{"junk.vcf", "<html>", 400, `<M:reason>not a vCard: `},
	} {
		status, _, body := put(f, lr, tc.name, tc.card, map[string]string{"Content-Type": "text/vcard"})
		require.Equal(t, tc.status, status, tc.name)
		require.Contains(t, body, tc.body, tc.name)
	}
	status, _, body := put(f, lr, "x.vcf", cardText("X", "x"), map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusUnsupportedMediaType, status)
	require.Contains(t, body, "<X:supported-address-data/><M:reason>Content-Type application/json: only text/vcard")

	// 413, not 400, for a card over the limit; with and without a Content-Length.
	big := "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:big\r\nFN:Big\r\nNOTE:" + strings.Repeat("x", MaxCardBody) + "\r\nEND:VCARD\r\n"
	status, _, body = put(f, lr, "big.vcf", big, nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	require.Contains(t, body, "<X:max-resource-size/><M:reason>the card is 1048637 bytes; the limit is 1048576</M:reason>")
	req, _ := http.NewRequest("PUT", f.srv.URL()+book+"big.vcf", struct{ *strings.Reader }{strings.NewReader(big)})
	req.SetBasicAuth(lr.BasicAuth.UserName, lr.BasicAuth.Password)
	resp, err := f.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)

	cards, err := f.srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	require.Len(t, cards, 1, "nothing refused was stored")
	// Once a.vcf is gone its UID is free again.
	status, _, _ = f.request("DELETE", f.srv.URL()+book+"a.vcf", lr, "", nil)
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = put(f, lr, "dup.vcf", cardText("B", "same-uid"), nil)
	require.Equal(t, http.StatusCreated, status)
}

// The body is stored as sent, so the ETag a PUT answers is the one of the bytes
// a GET returns (go-webdav re-encoded the card and still named the ETag).
func TestCardsAreStoredVerbatim(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	sent := "BEGIN:VCARD\nversion:3.0\nuid:v1\nfn:Zoë\nitem1.EMAIL;type=INTERNET:z@example.com\nitem1.X-ABLabel:work\nX-CUSTOM;X-PARAM=1:kept\nEND:VCARD\n"
	status, hdr, _ := put(f, lr, "v.vcf", sent, nil)
	require.Equal(t, http.StatusCreated, status)
	status, got, body := f.request("GET", f.srv.URL()+lr.Links.AddressBookHomeSet+"default/v.vcf", lr, "", nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, sent, body)
	require.Equal(t, hdr.Get("ETag"), got.Get("ETag"))
	require.Equal(t, fmt.Sprintf("%q", etagOf([]byte(sent))), got.Get("ETag"))
	status, _, _ = f.request("GET", f.srv.URL()+lr.Links.AddressBookHomeSet+"default/v.vcf", lr, "", map[string]string{"If-None-Match": "W/" + got.Get("ETag")})
	require.Equal(t, http.StatusNotModified, status)
}

// RFC 9110 §13.1.1: If-Match takes a list and compares strongly; the old
// server answered 400 to a list and to W/.
func TestIfMatchListsAndWeakTags(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	url := f.srv.URL() + lr.Links.AddressBookHomeSet + "default/x.vcf"
	status, hdr, _ := put(f, lr, "x.vcf", cardText("X", "x"), nil)
	require.Equal(t, http.StatusCreated, status)
	etag := hdr.Get("ETag")

	status, _, _ = f.request("PUT", url, lr, cardText("X1", "x"), map[string]string{"If-Match": "W/" + etag})
	require.Equal(t, http.StatusPreconditionFailed, status, "a weak tag never matches strongly")
	status, _, _ = f.request("PUT", url, lr, cardText("X1", "x"), map[string]string{"If-None-Match": `"nope", W/` + etag})
	require.Equal(t, http.StatusPreconditionFailed, status, "If-None-Match compares weakly")
	status, hdr, _ = f.request("PUT", url, lr, cardText("X2", "x"), map[string]string{"If-Match": `"0000", ` + etag})
	require.Equal(t, http.StatusNoContent, status)
	etag = hdr.Get("ETag")
	status, _, body := f.request("PUT", url, lr, cardText("X3", "x"), map[string]string{"If-Match": `abc`})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, body, `If-Match: "abc" is not an entity tag (expected "..." or W/"...")`)
	status, _, _ = f.request("DELETE", url, lr, "", map[string]string{"If-Match": `"0000",` + etag})
	require.Equal(t, http.StatusNoContent, status)
}

// Issue 15: a path whose decoded form climbs into another account passed the
// own-path check (storage then answered 404).
func TestEncodedDotSegmentsAreRefused(t *testing.T) {
	f := newFixture(t)
	alice := f.login("alice@example.com")
	bob := f.login("bob@example.com")
	for _, p := range []string{
		"/dav/" + alice.BasicAuth.UserName + "/..%2f" + bob.BasicAuth.UserName + "/contacts/default/",
		"/dav/" + alice.BasicAuth.UserName + "/%2e%2e/" + bob.BasicAuth.UserName + "/contacts/default/",
		"/dav/" + alice.BasicAuth.UserName + "/contacts/default/..%2F..%2F..%2F" + bob.BasicAuth.UserName + "%2Fcontacts%2Fdefault%2Fa.vcf",
	} {
		status, _, body := f.request("PROPFIND", f.srv.URL()+p, alice, "", depth("1"))
		require.Contains(t, []int{http.StatusForbidden, http.StatusMovedPermanently}, status, p)
		require.NotContains(t, body, "multistatus", p)
		if status == http.StatusForbidden {
			require.Contains(t, body, "forbidden: ", p)
		}
	}
}

// Issue 15: every request used to add its method name to the statistics,
// before authentication: 800 requests with new 500 KB names cost 527 MB.
func TestUnknownMethodsDoNotGrowTheStatistics(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	f.srv.Provider().ResetStats()
	for i := range 50 {
		m := fmt.Sprintf("X%dY%s", i, strings.Repeat("Z", 1000))
		status, _, _ := f.request(m, f.srv.URL()+"/dav/", lr, "", nil)
		require.Equal(t, http.StatusMethodNotAllowed, status)
		status, _, _ = f.request("REPORT", f.srv.URL()+lr.Links.AddressBookHomeSet+"default/", lr, fmt.Sprintf("<r%d-%s/>", i, strings.Repeat("q", 100)), nil)
		require.Equal(t, http.StatusForbidden, status)
	}
	require.Equal(t, map[string]int{"other": 50, "REPORT other": 50}, f.srv.Provider().Stats().Requests)
}

// Issue 15: one assertion minted 2,000 device passwords. Now an assertion
// mints one, and an account holds at most MaxDevicePasswords.
func TestDevicePasswordsAreCapped(t *testing.T) {
	f := newFixture(t)
	body, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", f.srv.URL())})
	status, msg := f.post(LoginPath, string(body))
	require.Equal(t, http.StatusOK, status, msg)
	status, msg = f.post(LoginPath, string(body))
	require.Equal(t, http.StatusUnauthorized, status)
	require.JSONEq(t, `{"error":"invalid assertion","reason":"this assertion was already traded for a device password: sign a new one"}`, msg)
	for range MaxDevicePasswords - 1 {
		f.login("alice@example.com")
	}
	fresh, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", f.srv.URL())})
	status, msg = f.post(LoginPath, string(fresh))
	require.Equal(t, http.StatusTooManyRequests, status)
	require.JSONEq(t, `{"error":"the account already has 32 device passwords: revoke one first"}`, msg)
	acct, _ := f.srv.Provider().Account("alice@example.com")
	require.Equal(t, MaxDevicePasswords, acct.Passwords)
}

// Issue 15: connections had no timeouts; a client that stops sending holds
// its connection only until the header or body timeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	saved := serverTimeouts
	serverTimeouts.header, serverTimeouts.body, serverTimeouts.idle = 300*time.Millisecond, 600*time.Millisecond, 300*time.Millisecond
	defer func() { serverTimeouts = saved }()
	f := newFixture(t)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(f.srv.CertificatePEM()))
	dial := func() *tls.Conn {
		c, err := tls.Dial("tcp", f.srv.Addr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	for _, partial := range []string{
		"PUT /dav/x/contacts/default/a.vcf HTTP/1.1\r\nHost: x\r\n",                                   // header never ends
		"PUT /dav/x/contacts/default/a.vcf HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nBEGIN:", // body never ends
		"", // idle
	} {
		c := dial()
		start := time.Now()
		_, err := c.Write([]byte(partial))
		require.NoError(t, err)
		require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = io.ReadAll(c)
		require.NoError(t, err, "the server closed the connection (EOF), not our 5s deadline")
		require.Less(t, time.Since(start), 4*time.Second, "%q", partial)
	}
}
