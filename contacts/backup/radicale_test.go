package backup_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"
	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/carddavtest"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// radicale runs Debian's Radicale on loopback for one test (skipped when it is
// not installed).
func radicale(t *testing.T, user, password string) string {
	t.Helper()
	return carddavtest.Start(t, user, password)
}

// counting counts requests by method.
type counting struct {
	mu    sync.Mutex
	base  http.RoundTripper
	count map[string]int
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.count[r.Method]++
	c.mu.Unlock()
	return c.base.RoundTrip(r)
}

func (c *counting) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.count
	c.count = make(map[string]int)
	return out
}

func TestBackupToRadicaleAndReadBackIndependently(t *testing.T) {
	server := radicale(t, "alice", "s3cret")
	w := newWorld(t) // for the FxA side; the provider is not used
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	counter := &counting{base: transport, count: make(map[string]int)}
	hc := &http.Client{Transport: counter, Timeout: 30 * time.Second}

	mk := func(name string) *phone.Phone {
		p, err := stubphone.New(w.fxa, name, sim.Options{Seed: uint64(len(w.phones) + 1)}, "alice@example.com", backup.Config{HTTP: hc}, nil)
		require.NoError(t, err)
		w.phones = append(w.phones, p)
		require.NoError(t, p.UseOwnServer(server, "alice", "s3cret"))
		return p
	}
	p := mk("phone")
	ann, err := p.Add(contacts.Contact{Name: []string{"Ann Archer"}, GivenName: []string{"Ann"}, FamilyName: []string{"Archer"},
		Tel:   []contacts.TelField{{Value: "+15555550101", Type: []string{"cell"}, Pref: true}},
		Email: []contacts.Field{{Value: "ann@example.com", Type: []string{"work"}}}, Note: []string{"long note, with a comma"}})
	require.NoError(t, err)
	bob, err := p.Add(contacts.Contact{Name: []string{"Bob"}})
	require.NoError(t, err)
	gone, err := p.Add(contacts.Contact{Name: []string{"Temp"}})
	require.NoError(t, err)
	require.NoError(t, p.Update(contacts.Contact{ID: bob, Name: []string{"Bob Baker"}}))
	require.NoError(t, p.Remove(gone))
	st := status(t, p)
	require.Equal(t, backup.StIdle, st.State, st.Reason)
	require.Equal(t, "custom", st.Provider)
	require.Zero(t, st.Provisionings, "the user's own server needs no provisioning")
	require.Equal(t, server+"alice/contacts/", st.BookURL, "discovered principal, no address book: created one")
	require.Equal(t, 4, st.Uploaded)
	require.Equal(t, 1, st.Deleted)

	// An independent reader: go-webdav's CardDAV client, discovering on its own.
	dav, err := carddav.NewClient(webdav.HTTPClientWithBasicAuth(&http.Client{Transport: transport}, "alice", "s3cret"), server)
	require.NoError(t, err)
	ctx := context.Background()
	principal, err := dav.FindCurrentUserPrincipal(ctx)
	require.NoError(t, err)
	home, err := dav.FindAddressBookHomeSet(ctx, principal)
	require.NoError(t, err)
	books, err := dav.FindAddressBooks(ctx, home)
	require.NoError(t, err)
	require.Len(t, books, 1)
	objs, err := dav.QueryAddressBook(ctx, books[0].Path, &carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	require.NoError(t, err)
	byUID := map[string]vcard.Card{}
	for _, o := range objs {
		byUID[o.Card.Value(vcard.FieldUID)] = o.Card
	}
	require.Len(t, byUID, 2)
	require.Equal(t, "Ann Archer", byUID[ann].PreferredValue(vcard.FieldFormattedName))
	require.Equal(t, "4.0", byUID[ann].Value(vcard.FieldVersion))
	require.Equal(t, "+15555550101", byUID[ann].Value(vcard.FieldTelephone))
	require.Equal(t, "ann@example.com", byUID[ann].Value(vcard.FieldEmail))
	require.Equal(t, "long note, with a comma", byUID[ann].Value(vcard.FieldNote))
	require.Equal(t, "Archer", byUID[ann].Name().FamilyName)
	require.Equal(t, "Bob Baker", byUID[bob].PreferredValue(vcard.FieldFormattedName))

	// Restore onto a second phone from the same server, then a second sync of the
	// unchanged book: one sync-collection REPORT, nothing downloaded.
	fresh := mk("fresh")
	counter.take()
	require.NoError(t, fresh.Do(contacts.Restore))
	got := names(t, fresh)
	require.Equal(t, []string{"Ann Archer", "Bob Baker"}, got)
	restored, _, err := fresh.Store.Get(fresh.Sys, ann)
	require.NoError(t, err)
	want, _, err := p.Store.Get(p.Sys, ann)
	require.NoError(t, err)
	require.True(t, want.Contact.SameData(restored.Contact), "restored %+v\nwant %+v", restored.Contact, want.Contact)
	first := counter.take()
	require.Equal(t, map[string]int{"PROPFIND": 4, "REPORT": 2}, first,
		"discovery (is it a book? principal, home set, books), one sync-collection, one multiget")
	require.NoError(t, fresh.Do(contacts.SyncNow))
	require.Equal(t, map[string]int{"REPORT": 1}, counter.take())

	// The address book disappears from the server: the phone finds (creates) it
	// again and backs everything up into it.
	require.NoError(t, dav.RemoveAll(ctx, books[0].Path))
	_, err = p.Add(contacts.Contact{Name: []string{"Cy"}})
	require.NoError(t, err)
	st = status(t, p)
	require.Equal(t, backup.StWaiting, st.State)
	require.Contains(t, st.Reason, "the address book is gone: PUT /alice/contacts/")
	w.advance(time.Second)
	st = status(t, p)
	require.Equal(t, backup.StIdle, st.State, st.Reason)
	objs, err = dav.QueryAddressBook(ctx, books[0].Path, &carddav.AddressBookQuery{DataRequest: carddav.AddressDataRequest{AllProp: true}})
	require.NoError(t, err)
	require.Len(t, objs, 3, "Ann, Bob and Cy are back")

	// A wrong password gives up at once: there is nothing to provision.
	wrong := mk("wrong")
	require.NoError(t, wrong.UseOwnServer(server, "alice", "guess"))
	_, err = wrong.Add(contacts.Contact{Name: []string{"X"}})
	require.NoError(t, err)
	st = status(t, wrong)
	require.Equal(t, backup.StStopped, st.State)
	require.Equal(t, "unauthorized: the server refused the username and password", st.Reason)
	require.Equal(t, 1, st.Pending)
	require.True(t, slices.Contains(logOf(t, wrong), "PROPFIND /alice/contacts/ -> 401 Unauthorized") ||
		slices.Contains(logOf(t, wrong), "PROPFIND / -> 401 Unauthorized"), "%v", logOf(t, wrong))
}
