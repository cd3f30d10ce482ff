package contactsprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable clock, safe to read from the server's goroutines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type fixture struct {
	t      *testing.T
	srv    *Server
	fxa    *fxastub.Server
	clock  *clock
	client *http.Client
	dir    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fxa, err := fxastub.NewServer(1)
	require.NoError(t, err)
	for _, email := range []string{"alice@example.com", "bob@example.com"} {
		_, err := fxa.AddAccount(email, true)
		require.NoError(t, err)
	}
	clk := &clock{now: sim.Epoch}
	dir := t.TempDir()
	// Runs on, as serve-contacts has them: every CardDAV, vdirsyncer and
	// provisioning test here is a plain client (no run header) reaching the
	// default namespace.
	srv, err := Listen(Config{Dir: dir, Verifier: fxa.Verifier(clk.Now), Issuer: fxastub.Issuer, Clock: clk.Now,
		Runs: &RunOptions{AdminToken: "fixture-token"}}, "127.0.0.1:0")
	require.NoError(t, err)
	f := &fixture{t: t, srv: srv, fxa: fxa, clock: clk, client: srv.Client(), dir: dir}
	t.Cleanup(func() {
		f.client.CloseIdleConnections()
		require.NoError(t, srv.Close())
	})
	return f
}

func (f *fixture) assertion(email, audience string) string {
	a, err := f.fxa.Assertion(email, audience, f.clock.Now())
	require.NoError(f.t, err)
	return a
}

func (f *fixture) post(path string, body string) (int, string) {
	resp, err := f.client.Post(f.srv.URL()+path, "application/json; charset=UTF-8", strings.NewReader(body))
	require.NoError(f.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, string(data)
}

func (f *fixture) login(email string) LoginResponse {
	body, _ := json.Marshal(map[string]string{"assertion": f.assertion(email, f.srv.URL())})
	status, resp := f.post(LoginPath, string(body))
	require.Equal(f.t, http.StatusOK, status, resp)
	var lr LoginResponse
	require.NoError(f.t, json.Unmarshal([]byte(resp), &lr))
	return lr
}

func (f *fixture) dav(lr LoginResponse) *carddav.Client {
	c, err := carddav.NewClient(webdav.HTTPClientWithBasicAuth(f.client, lr.BasicAuth.UserName, lr.BasicAuth.Password), f.srv.URL())
	require.NoError(f.t, err)
	return c
}

func (f *fixture) request(method, url string, lr LoginResponse, body string, header map[string]string) (int, http.Header, string) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(f.t, err)
	req.SetBasicAuth(lr.BasicAuth.UserName, lr.BasicAuth.Password)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := f.client.Do(req)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(f.t, err)
	return resp.StatusCode, resp.Header, string(data)
}

func card(name, uid string) vcard.Card {
	c := make(vcard.Card)
	c.SetValue(vcard.FieldVersion, "4.0")
	c.SetValue(vcard.FieldFormattedName, name)
	c.SetValue(vcard.FieldUID, uid)
	return c
}

func cardText(name, uid string) string {
	var b bytes.Buffer
	_ = vcard.NewEncoder(&b).Encode(card(name, uid))
	return b.String()
}

var (
	userNameRE = regexp.MustCompile(`^fxa-[0-9a-f]{12}$`)
	passwordRE = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func TestLoginProvisionsAnAccountAndOnePasswordPerDevice(t *testing.T) {
	f := newFixture(t)
	body, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", f.srv.URL())})
	status, raw := f.post(LoginPath, string(body))
	require.Equal(t, http.StatusOK, status)
	// The exact shape the prototype parsed: basicAuth {userName, password}, links.
	var shape map[string]map[string]string
	require.NoError(t, json.Unmarshal([]byte(raw), &shape))
	require.Len(t, shape, 2)
	require.Len(t, shape["basicAuth"], 2)
	require.Len(t, shape["links"], 1)
	user, pass := shape["basicAuth"]["userName"], shape["basicAuth"]["password"]
	require.Regexp(t, userNameRE, user)
	require.Regexp(t, passwordRE, pass)
	require.Equal(t, "/dav/"+user+"/contacts/", shape["links"]["addressbook-home-set"])

	second := f.login("alice@example.com")
	require.Equal(t, user, second.BasicAuth.UserName, "the same FxA uid is the same account")
	require.NotEqual(t, pass, second.BasicAuth.Password, "each device gets its own password")

	acct, ok := f.srv.Provider().Account("alice@example.com")
	require.True(t, ok)
	fxaAcct, _ := f.fxa.Lookup("alice@example.com")
	require.Equal(t, AccountInfo{UID: fxaAcct.UID, Email: "alice@example.com", UserName: user, Passwords: 2,
		Created: sim.Epoch, BookPath: "/dav/" + user + "/contacts/default/"}, acct)

	bob := f.login("bob@example.com")
	require.NotEqual(t, user, bob.BasicAuth.UserName)
	require.Len(t, f.srv.Provider().Accounts(), 2)

	// Passwords are not stored in clear.
	data, err := os.ReadFile(filepath.Join(f.dir, "contacts.db"))
	require.NoError(t, err)
	require.NotContains(t, string(data), pass)
}

func TestLoginRejectsBadRequests(t *testing.T) {
	f := newFixture(t)
	wrongAudience, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", "https://evil.example")})
	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"wrong audience", string(wrongAudience), 401,
			`{"error":"invalid assertion","reason":"audience mismatch: port mismatch"}`},
		{"garbage", "not json", 400, `{"error":"request body is not a JSON object: invalid character 'o' in literal null (expecting 'u')"}`},
		{"no assertion", `{"assertion":""}`, 400, `{"error":"missing assertion"}`},
		{"not an assertion", `{"assertion":"abc"}`, 401, `{"error":"invalid assertion","reason":"no certificates provided"}`},
	} {
		status, body := f.post(LoginPath, tc.body)
		require.Equal(t, tc.status, status, tc.name)
		require.JSONEq(t, tc.want, body, tc.name)
	}
	resp, err := f.client.Get(f.srv.URL() + LoginPath)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	// An expired certificate (the clock moved past its 6 hours) is refused.
	stale := f.assertion("alice@example.com", f.srv.URL())
	f.clock.Advance(7 * time.Hour)
	body, _ := json.Marshal(map[string]string{"assertion": stale})
	status, msg := f.post(LoginPath, string(body))
	require.Equal(t, 401, status)
	require.JSONEq(t, `{"error":"invalid assertion","reason":"expired"}`, msg)
	require.Empty(t, f.srv.Provider().Accounts())
}

func TestCardDAVThroughGoWebdavsClient(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	c := f.dav(lr)
	ctx := context.Background()

	principal, err := c.FindCurrentUserPrincipal(ctx)
	require.NoError(t, err)
	require.Equal(t, "/dav/"+lr.BasicAuth.UserName+"/", principal)
	home, err := c.FindAddressBookHomeSet(ctx, principal)
	require.NoError(t, err)
	require.Equal(t, "/dav/"+lr.BasicAuth.UserName+"/contacts/", home)
	books, err := c.FindAddressBooks(ctx, home)
	require.NoError(t, err)
	require.Len(t, books, 1)
	bookURL := lr.Links.AddressBookHomeSet + BookName + "/"
	require.Equal(t, bookURL, books[0].Path)

	put, err := c.PutAddressObject(ctx, bookURL+"p1.vcf", card("Prunella", "p1"))
	require.NoError(t, err)
	require.Regexp(t, `^[0-9a-f]{32}$`, put.ETag)

	got, err := c.GetAddressObject(ctx, bookURL+"p1.vcf")
	require.NoError(t, err)
	require.Equal(t, "Prunella", got.Card.PreferredValue(vcard.FieldFormattedName))
	require.Equal(t, put.ETag, got.ETag)

	all, err := c.QueryAddressBook(ctx, bookURL, &carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	require.NoError(t, err)
	require.Len(t, all, 1)

	cards, err := f.srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	require.Len(t, cards, 1)
	require.Equal(t, "p1.vcf", cards[0].Name)
	require.Contains(t, string(cards[0].Data), "FN:Prunella\r\n")

	// Wrong password, and someone else's collection.
	bad := lr
	bad.BasicAuth.Password = "nope"
	status, hdr, _ := f.request("GET", f.srv.URL()+bookURL+"p1.vcf", bad, "", nil)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, `Basic realm="mozidsim contacts"`, hdr.Get("WWW-Authenticate"))
	bob := f.login("bob@example.com")
	status, _, _ = f.request("GET", f.srv.URL()+bookURL+"p1.vcf", bob, "", nil)
	require.Equal(t, http.StatusForbidden, status)

	st := f.srv.Provider().Stats()
	require.Equal(t, 1, st.CardsUploaded)
	require.Equal(t, 2, st.CardsDownloaded, "one GET, one query")
}

func TestConditionalRequests(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	url := f.srv.URL() + lr.Links.AddressBookHomeSet + "default/x.vcf"
	vcf := map[string]string{"Content-Type": "text/vcard; charset=utf-8"}
	with := func(k, v string) map[string]string { return map[string]string{"Content-Type": "text/vcard", k: v} }

	status, hdr, _ := f.request("PUT", url, lr, cardText("X", "x"), with("If-None-Match", "*"))
	require.Equal(t, http.StatusCreated, status)
	etag := hdr.Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{32}"$`, etag)

	status, _, _ = f.request("PUT", url, lr, cardText("X2", "x"), with("If-None-Match", "*"))
	require.Equal(t, http.StatusPreconditionFailed, status, "creating over an existing resource")
	status, _, _ = f.request("PUT", url, lr, cardText("X2", "x"), with("If-Match", `"0000"`))
	require.Equal(t, http.StatusPreconditionFailed, status, "updating a version we never saw")
	status, hdr, _ = f.request("PUT", url, lr, cardText("X2", "x"), with("If-Match", etag))
	require.Equal(t, http.StatusNoContent, status, "an update is not a creation")
	newTag := hdr.Get("ETag")
	require.NotEqual(t, etag, newTag)

	status, _, _ = f.request("DELETE", url, lr, "", map[string]string{"If-Match": etag})
	require.Equal(t, http.StatusPreconditionFailed, status, "deleting a version that was edited since")
	status, _, _ = f.request("DELETE", url, lr, "", map[string]string{"If-Match": newTag})
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = f.request("DELETE", url, lr, "", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, _, _ = f.request("PUT", url, lr, cardText("Y", "y"), with("If-Match", "*"))
	require.Equal(t, http.StatusPreconditionFailed, status, "If-Match * needs the resource to exist")

	status, _, body := f.request("PUT", f.srv.URL()+lr.Links.AddressBookHomeSet+"default/bad%20name.vcf", lr, cardText("Z", "z"), vcf)
	require.Equal(t, http.StatusBadRequest, status, body)
	status, _, _ = f.request("PUT", url, lr, "BEGIN:VCARD\r\nFN:broken", vcf)
	require.Equal(t, http.StatusBadRequest, status)
}

const syncBody = `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav">` +
	`<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/>%s</D:prop></D:sync-collection>`

func syncReq(token string, data bool) string {
	extra := ""
	if data {
		extra = "<C:address-data/>"
	}
	return strings.Replace(strings.Replace(syncBody, "%s", token, 1), "%s", extra, 1)
}

func TestSyncCollection(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	c := f.dav(lr)
	ctx := context.Background()
	book := lr.Links.AddressBookHomeSet + "default/"
	for _, id := range []string{"a", "b", "c"} {
		_, err := c.PutAddressObject(ctx, book+id+".vcf", card(id, id))
		require.NoError(t, err)
	}

	// go-webdav's own sync client understands the answers.
	first, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{})
	require.NoError(t, err)
	require.Len(t, first.Updated, 3)
	require.Empty(t, first.Deleted)
	user := lr.BasicAuth.UserName
	require.Equal(t, "http://mozidsim.invalid/ns/sync/"+user+"/3", first.SyncToken)

	f.srv.Provider().ResetStats()
	again, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{SyncToken: first.SyncToken})
	require.NoError(t, err)
	require.Empty(t, again.Updated)
	require.Empty(t, again.Deleted)
	require.Equal(t, first.SyncToken, again.SyncToken)
	st := f.srv.Provider().Stats()
	require.Equal(t, map[string]int{"REPORT sync-collection": 1}, st.Requests)
	require.Zero(t, st.CardsDownloaded)

	_, err = c.PutAddressObject(ctx, book+"b.vcf", card("b2", "b"))
	require.NoError(t, err)
	status, _, _ := f.request("DELETE", f.srv.URL()+book+"a.vcf", lr, "", nil)
	require.Equal(t, http.StatusNoContent, status)

	status, hdr, body := f.request("REPORT", f.srv.URL()+book, lr, syncReq(first.SyncToken, true), map[string]string{"Content-Type": "application/xml"})
	require.Equal(t, http.StatusMultiStatus, status)
	require.Equal(t, "application/xml; charset=utf-8", hdr.Get("Content-Type"))
	require.Contains(t, body, `<D:response><D:href>`+book+`b.vcf</D:href><D:propstat><D:prop><D:getetag>&#34;`)
	require.Contains(t, body, `<C:address-data>BEGIN:VCARD&#xD;&#xA;VERSION:4.0&#xD;&#xA;FN:b2&#xD;&#xA;UID:b&#xD;&#xA;END:VCARD&#xD;&#xA;</C:address-data>`)
	require.Contains(t, body, `<D:response><D:href>`+book+`a.vcf</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>`)
	require.True(t, strings.HasSuffix(body, `<D:sync-token>http://mozidsim.invalid/ns/sync/`+user+`/5</D:sync-token></D:multistatus>`), body)

	changes, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{SyncToken: first.SyncToken})
	require.NoError(t, err)
	require.Len(t, changes.Updated, 1)
	require.Equal(t, book+"b.vcf", changes.Updated[0].Path)
	require.Equal(t, []string{book + "a.vcf"}, changes.Deleted)

	for _, bad := range []string{"http://mozidsim.invalid/ns/sync/" + user + "/99", "garbage", "http://mozidsim.invalid/ns/sync/someone/1"} {
		status, _, body = f.request("REPORT", f.srv.URL()+book, lr, syncReq(bad, false), nil)
		require.Equal(t, http.StatusForbidden, status, bad)
		require.Contains(t, body, `<X:valid-sync-token/>`)
	}
	status, _, _ = f.request("REPORT", f.srv.URL()+book, lr, "<D:sync-collection xmlns:D=\"DAV:\"><unclosed>", nil)
	require.Equal(t, http.StatusBadRequest, status)
}

func TestRevokeAndDelete(t *testing.T) {
	f := newFixture(t)
	phone1 := f.login("alice@example.com")
	phone2 := f.login("alice@example.com")
	book := f.srv.URL() + phone1.Links.AddressBookHomeSet + "default/"
	get := func(lr LoginResponse) int {
		status, _, _ := f.request("PROPFIND", book, lr, "", map[string]string{"Depth": "0"})
		return status
	}
	require.Equal(t, http.StatusMultiStatus, get(phone1))

	require.NoError(t, f.srv.Provider().RevokePassword(phone1.BasicAuth.UserName, phone1.BasicAuth.Password))
	require.Equal(t, http.StatusUnauthorized, get(phone1))
	require.Equal(t, http.StatusMultiStatus, get(phone2), "only that device's password is revoked")

	// The device can revoke its own password.
	status, _, _ := f.request("POST", f.srv.URL()+RevokePath, phone2, "", nil)
	require.Equal(t, http.StatusNoContent, status)
	require.Equal(t, http.StatusUnauthorized, get(phone2))

	phone3 := f.login("alice@example.com")
	n, err := f.srv.Provider().RevokeAllPasswords("alice@example.com")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, http.StatusUnauthorized, get(phone3))

	// Deleting the account with an assertion; the next login starts afresh.
	phone4 := f.login("alice@example.com")
	_, err = f.dav(phone4).PutAddressObject(context.Background(), phone4.Links.AddressBookHomeSet+"default/a.vcf", card("A", "a"))
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", f.srv.URL())})
	status, msg := f.post(DeletePath, string(body))
	require.Equal(t, http.StatusNoContent, status, msg)
	require.Equal(t, http.StatusUnauthorized, get(phone4))
	_, ok := f.srv.Provider().Account("alice@example.com")
	require.False(t, ok)
	status, msg = f.post(DeletePath, string(body))
	require.Equal(t, http.StatusNotFound, status)
	require.JSONEq(t, `{"error":"no account for this Firefox Account"}`, msg)

	fresh := f.login("alice@example.com")
	require.NotEqual(t, phone1.BasicAuth.UserName, fresh.BasicAuth.UserName, "a new account gets a new user name")
	cards, err := f.srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	require.Empty(t, cards)
	require.ErrorIs(t, f.srv.Provider().DeleteAccount("nobody@example.com"), ErrNoAccount)
}

func TestFaults(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	url := f.srv.URL() + lr.Links.AddressBookHomeSet + "default/"
	p := f.srv.Provider()
	require.NoError(t, p.InjectFault(FaultUnauthorized, 2))
	for range 2 {
		status, _, _ := f.request("PROPFIND", url, lr, "", map[string]string{"Depth": "0"})
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, _, _ := f.request("PROPFIND", url, lr, "", map[string]string{"Depth": "0"})
	require.Equal(t, http.StatusMultiStatus, status)

	require.NoError(t, p.InjectFault(FaultServerError, -1))
	for range 3 {
		status, _, _ := f.request("PROPFIND", url, lr, "", map[string]string{"Depth": "0"})
		require.Equal(t, http.StatusInternalServerError, status)
	}
	p.ClearFaults()

	require.NoError(t, p.InjectFault(FaultGarbageLogin, 1))
	body, _ := json.Marshal(map[string]string{"assertion": f.assertion("alice@example.com", f.srv.URL())})
	status, msg := f.post(LoginPath, string(body))
	require.Equal(t, http.StatusOK, status)
	require.Error(t, json.Unmarshal([]byte(msg), new(LoginResponse)))
	require.NoError(t, p.InjectFault(FaultLoginError, 1))
	status, _ = f.post(LoginPath, string(body))
	require.Equal(t, http.StatusServiceUnavailable, status)

	require.EqualError(t, p.InjectFault("meteor", 1), `contactsprovider: unknown fault "meteor" (known: [unauthorized server-error garbage-login login-error])`)
}

func TestRunServesUntilCancelled(t *testing.T) {
	fxa, err := fxastub.NewServer(2)
	require.NoError(t, err)
	_, err = fxa.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "issuer.json")
	pub, err := json.Marshal(map[string]any{"public-key": fxa.PublicKey()})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pub, 0o600))
	certFile := filepath.Join(dir, "cert.pem")

	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *Server, 1)
	var out bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- Serve(ctx, ServeOptions{Addr: "127.0.0.1:0", Dir: filepath.Join(dir, "data"), IssuerKey: keyFile, CertOut: certFile}, &out, ready)
	}()
	srv := <-ready
	pemData, err := os.ReadFile(certFile)
	require.NoError(t, err)
	require.Equal(t, srv.CertificatePEM(), pemData)

	// The CLI provider runs on the real clock: a fresh assertion is accepted.
	a, err := fxa.Assertion("alice@example.com", srv.URL(), time.Now())
	require.NoError(t, err)
	client := srv.Client()
	body, _ := json.Marshal(map[string]string{"assertion": a})
	resp, err := client.Post(srv.URL()+LoginPath, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	client.CloseIdleConnections()

	cancel()
	require.Equal(t, 0, <-code)
	require.Equal(t, "contacts provider: serving https://"+srv.Addr()+" (audience https://"+srv.Addr()+
		", issuer api.accounts.firefox.com), data in "+filepath.Join(dir, "data")+"\ncontacts provider: clients trust "+
		filepath.Join(dir, "data", "tls-cert.pem")+" (made once, kept there)\ncontacts provider: stopped\n", out.String())

	out.Reset()
	require.Equal(t, 1, Serve(context.Background(), ServeOptions{Addr: "127.0.0.1:0", IssuerKey: filepath.Join(dir, "missing.json")}, &out, nil))
	require.Contains(t, out.String(), "missing.json: no such file or directory")
}

func TestANamedOriginIsReachedThroughClient(t *testing.T) {
	fxa, err := fxastub.NewServer(4)
	require.NoError(t, err)
	_, err = fxa.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	now := func() time.Time { return sim.Epoch }
	srv, err := Listen(Config{Dir: t.TempDir(), Origin: "https://moz.fruux.net", Verifier: fxa.Verifier(now), Clock: now}, "127.0.0.1:0")
	require.NoError(t, err)
	defer srv.Close()
	client := srv.Client()
	defer client.CloseIdleConnections()
	require.Equal(t, "https://moz.fruux.net", srv.URL())
	a, err := fxa.Assertion("alice@example.com", "https://moz.fruux.net", sim.Epoch)
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]string{"assertion": a})
	resp, err := client.Post("https://moz.fruux.net"+LoginPath, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "the audience is the named origin")
}
