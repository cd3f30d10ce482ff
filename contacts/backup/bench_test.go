package backup_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
)

// wire counts, on the phone's side, requests and the bytes sent and received.
type wire struct {
	base     http.RoundTripper
	mu       sync.Mutex
	requests int
	sent     int64
	received int64
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.base.RoundTrip(r)
	w.mu.Lock()
	w.requests++
	if r.ContentLength > 0 {
		w.sent += r.ContentLength
	}
	w.mu.Unlock()
	if resp != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, w: w}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	w *wire
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.w.mu.Lock()
	c.w.received += int64(n)
	c.w.mu.Unlock()
	return n, err
}

func (w *wire) take() (requests int, sent, received int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	requests, sent, received = w.requests, w.sent, w.received
	w.requests, w.sent, w.received = 0, 0, 0
	return
}

// bigWorld is a provider and phones without traces, for volume.
type bigWorld struct {
	srv    *contactsprovider.Server
	fxa    *fxastub.Server
	clock  *phone.Clock
	wire   *wire
	client *http.Client
	dir    string
	phones []*phone.Phone
}

// newBigWorld starts a provider; fsync is the durability a real deployment
// runs with (every commit on disk), off for throwaway directories.
func newBigWorld(tb testing.TB, fsync bool) *bigWorld {
	tb.Helper()
	fxa, err := fxastub.NewServer(5)
	require.NoError(tb, err)
	_, err = fxa.AddAccount("alice@example.com", true)
	require.NoError(tb, err)
	dir, err := os.MkdirTemp("", "contacts-bench-")
	require.NoError(tb, err)
	clock := phone.NewClock(sim.Epoch)
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: dir, Verifier: fxa.Verifier(clock.Now), Clock: clock.Now, NoSync: !fsync}, "127.0.0.1:0")
	require.NoError(tb, err)
	base := srv.Client()
	w := &bigWorld{srv: srv, fxa: fxa, clock: clock, dir: dir, wire: &wire{base: base.Transport}}
	w.client = &http.Client{Transport: w.wire, Timeout: base.Timeout}
	return w
}

func (w *bigWorld) phone(tb testing.TB, cfg backup.Config) *phone.Phone {
	tb.Helper()
	cfg.ProviderURL, cfg.HTTP = w.srv.URL(), w.client
	p, err := stubphone.New(w.fxa, "phone", sim.Options{Seed: uint64(len(w.phones) + 1), NoTrace: true}, "alice@example.com", cfg, w.clock)
	require.NoError(tb, err)
	w.phones = append(w.phones, p)
	return p
}

func (w *bigWorld) close(tb testing.TB) {
	for _, p := range w.phones {
		require.NoError(tb, p.Close())
	}
	w.wire.base.(*http.Transport).CloseIdleConnections()
	require.NoError(tb, w.srv.Close())
	require.NoError(tb, os.RemoveAll(w.dir))
}

// fill saves n contacts into the phone's store without running the system: the
// change events wait in the queue, as after a burst of edits or an import.
func fill(tb testing.TB, p *phone.Phone, n int) {
	tb.Helper()
	for i := range n {
		_, err := p.Store.Save(p.Sys, contacts.Contact{
			Name:       []string{fmt.Sprintf("Contact %05d", i)},
			GivenName:  []string{"Contact"},
			FamilyName: []string{fmt.Sprintf("%05d", i)},
			Tel:        []contacts.TelField{{Value: fmt.Sprintf("+1555%07d", i), Type: []string{"mobile"}, Pref: true}},
			Email:      []contacts.Field{{Value: fmt.Sprintf("contact%05d@example.com", i), Type: []string{"home"}}},
		})
		require.NoError(tb, err)
	}
}

const bookSize = 10_000

// BenchmarkBackup10000 backs up 10,000 contacts queued at once: contacts/s and
// the vCard bytes each costs on the wire; with the store's fsync on and off.
func BenchmarkBackup10000(b *testing.B) {
	b.Run("fsync", func(b *testing.B) { benchmarkBackup(b, true) })
	b.Run("nosync", func(b *testing.B) { benchmarkBackup(b, false) })
}

func benchmarkBackup(b *testing.B, fsync bool) {
	var perContact, reqs float64
	for b.Loop() {
		b.StopTimer()
		w := newBigWorld(b, fsync)
		p := w.phone(b, backup.Config{})
		fill(b, p, bookSize)
		w.wire.take()
		b.StartTimer()
		require.NoError(b, p.Sys.RunUntilIdle())
		b.StopTimer()
		requests, sent, _ := w.wire.take()
		st, err := p.Status()
		require.NoError(b, err)
		require.Equal(b, bookSize, st.Uploaded)
		perContact = float64(sent) / bookSize
		reqs = float64(requests)
		w.close(b)
		b.StartTimer()
	}
	b.ReportMetric(float64(bookSize)*float64(b.N)/b.Elapsed().Seconds(), "contacts/s")
	b.ReportMetric(perContact, "vCard-bytes/contact")
	b.ReportMetric(reqs, "requests/backup")
}

// BenchmarkSecondSync10000 is a sync of an unchanged 10,000-contact book by a
// phone that already has it: with a sync token, one REPORT and no vCard.
func BenchmarkSecondSync10000(b *testing.B) {
	w := newBigWorld(b, false)
	defer w.close(b)
	writer := w.phone(b, backup.Config{})
	fill(b, writer, bookSize)
	require.NoError(b, writer.Sys.RunUntilIdle())
	reader := w.phone(b, backup.Config{})
	require.NoError(b, reader.Do(contacts.Restore))
	w.wire.take()
	w.srv.Provider().ResetStats()
	for b.Loop() {
		require.NoError(b, reader.Do(contacts.SyncNow))
	}
	requests, _, received := w.wire.take()
	st := w.srv.Provider().Stats()
	b.ReportMetric(float64(requests)/float64(b.N), "requests/sync")
	b.ReportMetric(float64(st.CardsDownloaded)/float64(b.N), "vCards/sync")
	b.ReportMetric(float64(received)/float64(b.N), "bytes-received/sync")
}

func TestSecondSyncOfTenThousandDownloadsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 contacts over TLS: skipped with -short")
	}
	w := newBigWorld(t, false)
	defer w.close(t)
	writer := w.phone(t, backup.Config{})
	fill(t, writer, bookSize)
	require.NoError(t, writer.Sys.RunUntilIdle())
	st, err := writer.Status()
	require.NoError(t, err)
	require.Equal(t, bookSize, st.Uploaded)
	require.Equal(t, 1, st.Provisionings)

	reader := w.phone(t, backup.Config{})
	w.srv.Provider().ResetStats()
	require.NoError(t, reader.Do(contacts.Restore))
	first := w.srv.Provider().Stats()
	require.Equal(t, map[string]int{"POST /browserid/login": 1, "REPORT sync-collection": 1,
		"REPORT addressbook-multiget": bookSize / backup.DefaultMultiGetSize}, first.Requests)
	require.Equal(t, bookSize, first.CardsDownloaded)
	all, err := reader.Contacts()
	require.NoError(t, err)
	require.Len(t, all, bookSize)

	w.srv.Provider().ResetStats()
	require.NoError(t, reader.Do(contacts.SyncNow))
	second := w.srv.Provider().Stats()
	require.Equal(t, map[string]int{"REPORT sync-collection": 1}, second.Requests)
	require.Zero(t, second.CardsDownloaded)
}
