package davclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type world struct {
	srv    *contactsprovider.Server
	fxa    *fxastub.Server
	client *http.Client
	log    []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fxa, err := fxastub.NewServer(3)
	require.NoError(t, err)
	_, err = fxa.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	now := func() time.Time { return sim.Epoch }
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: t.TempDir(), Verifier: fxa.Verifier(now), Clock: now, NoSync: true}, "127.0.0.1:0")
	require.NoError(t, err)
	w := &world{srv: srv, fxa: fxa, client: srv.Client()}
	t.Cleanup(func() {
		w.client.CloseIdleConnections()
		require.NoError(t, srv.Close())
	})
	return w
}

func (w *world) observe(ex Exchange) {
	w.log = append(w.log, fmt.Sprintf("%s %s %d", ex.Method, ex.Path, ex.Status))
}

func (w *world) provision(t *testing.T) *Book {
	a, err := w.fxa.Assertion("alice@example.com", w.srv.URL(), sim.Epoch)
	require.NoError(t, err)
	creds, err := Provision(context.Background(), w.client, w.observe, w.srv.URL(), a)
	require.NoError(t, err)
	return &Book{URL: creds.BookURL, UserName: creds.UserName, Password: creds.Password, HTTP: w.client, Observe: w.observe}
}

// vcf is a card whose UID is its name up to the first digit ("a2" is a's second version).
func vcf(name string) []byte {
	uid := strings.TrimRight(name, "0123456789")
	return []byte("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:" + name + "\r\nUID:" + uid + "\r\nEND:VCARD\r\n")
}

func TestAgainstTheProvider(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	book := w.provision(t)
	acct, _ := w.srv.Provider().Account("alice@example.com")
	require.Equal(t, w.srv.URL()+acct.BookPath, book.URL)

	created, err := book.Put(ctx, "a.vcf", vcf("a"), Condition{IfNoneMatch: true})
	require.NoError(t, err)
	require.Equal(t, 201, created.Status)
	require.Len(t, created.ETag, 32)
	_, err = book.Put(ctx, "b.vcf", vcf("b"), Condition{IfNoneMatch: true})
	require.NoError(t, err)

	_, err = book.Put(ctx, "a.vcf", vcf("a2"), Condition{IfNoneMatch: true})
	require.Equal(t, 412, StatusOf(err))
	updated, err := book.Put(ctx, "a.vcf", vcf("a2"), Condition{IfMatch: created.ETag})
	require.NoError(t, err)

	ch, err := book.Sync(ctx, "")
	require.NoError(t, err)
	require.Equal(t, []Entry{{"b.vcf", ch.Updated[0].ETag}, {"a.vcf", updated.ETag}}, ch.Updated)
	require.Empty(t, ch.Deleted)
	require.Empty(t, ch.Skipped)

	again, err := book.Sync(ctx, ch.Token)
	require.NoError(t, err)
	require.Empty(t, again.Updated)
	require.Equal(t, ch.Token, again.Token)

	got, missing, err := book.MultiGet(ctx, []string{"a.vcf", "b.vcf", "gone.vcf"})
	require.NoError(t, err)
	require.Equal(t, []string{"gone.vcf"}, missing)
	require.Len(t, got, 2)
	require.Equal(t, "a.vcf", got[0].Name)
	require.Equal(t, updated.ETag, got[0].ETag)
	require.Contains(t, string(got[0].Data), "FN:a2\r\n")

	one, err := book.Get(ctx, "b.vcf")
	require.NoError(t, err)
	require.Contains(t, string(one.Data), "FN:b\r\n")

	_, err = book.Delete(ctx, "a.vcf", Condition{IfMatch: created.ETag})
	require.Equal(t, 412, StatusOf(err), "a stale ETag cannot delete")
	_, err = book.Delete(ctx, "a.vcf", Condition{IfMatch: updated.ETag})
	require.NoError(t, err)
	listed, skipped, err := book.List(ctx)
	require.NoError(t, err)
	require.Empty(t, skipped)
	require.Equal(t, []Entry{{"b.vcf", one.ETag}}, listed)
	last, err := book.Sync(ctx, again.Token)
	require.NoError(t, err)
	require.Equal(t, []string{"a.vcf"}, last.Deleted)

	// Revoked: every call is a 401.
	require.NoError(t, w.srv.Provider().RevokePassword(book.UserName, book.Password))
	_, err = book.Put(ctx, "c.vcf", vcf("c"), Condition{})
	require.Equal(t, 401, StatusOf(err))
	_, err = book.Sync(ctx, last.Token)
	require.Equal(t, 401, StatusOf(err))

	// The provider's own path is the trace: no host, no port.
	require.Equal(t, "POST /browserid/login 200", w.log[0])
	require.Equal(t, "PUT "+acct.BookPath+"a.vcf 201", w.log[1])
	require.Equal(t, "PUT "+acct.BookPath+"c.vcf 401", w.log[len(w.log)-2])
}

func TestInvalidSyncToken(t *testing.T) {
	w := newWorld(t)
	book := w.provision(t)
	_, err := book.Sync(context.Background(), "http://mozidsim.invalid/ns/sync/x/1")
	require.ErrorIs(t, err, ErrInvalidToken)
}

// hostile is a server answering whatever a test wants.
func hostile(t *testing.T, h http.HandlerFunc) (*httptest.Server, *Book) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &Book{URL: srv.URL + "/book/", UserName: "u", Password: "p", HTTP: srv.Client()}
}

func TestHostileAnswersAreErrorsNotPanics(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		status int
		body   string
	}{
		"500":             {500, "oops"},
		"not xml":         {207, "{json: true}"},
		"truncated":       {207, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response>`},
		"huge href":       {207, `<D:multistatus xmlns:D="DAV:"><D:response><D:href>` + strings.Repeat("x", 1000) + `</D:href></D:response></D:multistatus>`},
		"wrong root":      {207, `<D:other xmlns:D="DAV:"/>`},
		"no sync token":   {207, `<D:multistatus xmlns:D="DAV:"></D:multistatus>`},
		"501 unsupported": {501, ""},
	} {
		_, book := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		})
		_, err := book.Sync(ctx, "")
		require.Error(t, err, name)
		_, _, err = book.MultiGet(ctx, []string{"a.vcf"})
		if tc.body == `<D:multistatus xmlns:D="DAV:"></D:multistatus>` || name == "huge href" {
			require.NoError(t, err, name) // readable, just empty
		} else {
			require.Error(t, err, name)
		}
		_, err = book.Put(ctx, "a.vcf", vcf("a"), Condition{})
		if tc.status/100 == 2 {
			require.NoError(t, err, name)
		} else {
			require.Equal(t, tc.status, StatusOf(err), name)
		}
	}

	// Skipped entries are reported, the good ones kept.
	_, book := hostile(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(207)
		_, _ = io.WriteString(w, `<D:multistatus xmlns:D="DAV:">`+
			`<D:response><D:href>/elsewhere/x.vcf</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`+
			`<D:response><D:href>/book/noetag.vcf</D:href><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`+
			`<D:response><D:href>/book/ok.vcf</D:href><D:propstat><D:prop><D:getetag>W/"2"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`+
			`<D:response><D:href>/book/</D:href><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`+
			`<D:sync-token>t1</D:sync-token></D:multistatus>`)
	})
	ch, err := book.Sync(ctx, "")
	require.NoError(t, err)
	require.Equal(t, Changes{Updated: []Entry{{"ok.vcf", "2"}}, Token: "t1",
		Skipped: []string{"/elsewhere/x.vcf: not in this address book", "/book/noetag.vcf: no getetag"}}, ch)
}

func TestProvisioningAnswersThatAreNotCredentials(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		status int
		body   string
		want   string
	}{
		"garbage":      {200, "<html>", "provisioning answer is not JSON: invalid character '<' looking for beginning of value"},
		"no links":     {200, `{"basicAuth":{"userName":"u","password":"p"}}`, "provisioning answer lacks basicAuth or links"},
		"empty":        {200, `{"basicAuth":{"userName":"","password":"p"},"links":{"addressbook-home-set":"/h/"}}`, "provisioning answer has an empty userName, password or addressbook-home-set"},
		"other host":   {200, `{"basicAuth":{"userName":"u","password":"p"},"links":{"addressbook-home-set":"https://evil.example/h/"}}`, `provisioning answer: addressbook-home-set: "https://evil.example/h/default/" points to another server`},
		"unauthorized": {401, `{"error":"invalid assertion"}`, `POST /browserid/login: 401 Unauthorized: {"error":"invalid assertion"}`},
		"too big":      {200, strings.Repeat(" ", MaxJSONBody+1), "provisioning answer: answer over 65536 bytes"},
	} {
		srv, _ := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = io.WriteString(w, tc.body)
		})
		_, err := Provision(ctx, srv.Client(), nil, srv.URL, "assertion")
		require.EqualError(t, err, tc.want, name)
	}
	_, err := Provision(ctx, http.DefaultClient, nil, "http://127.0.0.1:1", "a")
	require.Error(t, err)
	require.Zero(t, StatusOf(err), "a network failure has no status")
	require.False(t, errors.Is(err, ErrSyncUnsupported))
}
