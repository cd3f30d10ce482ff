package scenarios

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/rp/verifier"
	"github.com/mozidsim/mozidsim/trace"
)

// sharedProvider is serve-contacts with runs on. Its default namespace trusts
// no issuer: only the runs, which name their FxA server's key, can provision.
func sharedProvider(tb testing.TB, token string) *contactsprovider.Server {
	noKey := func(iss, _ string) (*browserid.PublicKey, error) { return nil, nil }
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: tb.TempDir(), Issuer: device.Issuer, Clock: time.Now, NoSync: true,
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: noKey}, Runs: &contactsprovider.RunOptions{AdminToken: token}}, "127.0.0.1:0")
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, srv.Close()) })
	return srv
}

// TestContactsRunsShareOneServeContacts plays every shipped contacts scenario
// twice, at once: with a provider in this process, and in a run of its own on
// one shared provider (serve-contacts with runs on), as `mozidsim run
// --contacts-url` does. All of them run concurrently against the one server;
// each must give exactly what it gives in memory: the verdict, every phone's
// backup log and the actors' conversation.
func TestContactsRunsShareOneServeContacts(t *testing.T) {
	const token = "shared-token"
	srv := sharedProvider(t, token)
	t.Cleanup(func() { require.Equal(t, 0, srv.Runs(), "every run dropped its namespace") })
	remote := &ContactsRemote{URL: "https://" + srv.Addr(), AdminToken: token, CertPEM: srv.CertificatePEM()}
	lib, err := Library()
	require.NoError(t, err)
	n := 0
	t.Run("all", func(t *testing.T) { // returns once every parallel subtest has
		for _, s := range lib {
			if s.Kind != KindContacts {
				continue
			}
			n++
			t.Run(s.Name, func(t *testing.T) {
				t.Parallel()
				mem, err := Run(parseShipped(t, s), Options{})
				require.NoError(t, err)
				require.Empty(t, mem.Problems, "in memory")
				sock, err := Run(parseShipped(t, s), Options{ContactsProvider: remote})
				require.NoError(t, err)
				require.Equal(t, mem.Problems, sock.Problems, "on serve-contacts")
				require.Equal(t, mem.BackupLogs, sock.BackupLogs)
				if d := trace.Compare(trace.Encode(sim.Epoch, mem.Events), trace.Encode(sim.Epoch, sock.Events)); d != nil {
					t.Fatalf("the conversation differs at event %d, %s: in memory %s, on serve-contacts %s",
						d.Index+1, d.Field, d.WantValue, d.GotValue)
				}
			})
		}
	})
	require.GreaterOrEqual(t, n, 15)
}

// A run that cannot be opened (wrong token) is a world that could not be
// built, with the server's reason, not a silent in-memory run.
func TestContactsRunNeedsTheToken(t *testing.T) {
	srv := sharedProvider(t, "right")
	lib, err := Library()
	require.NoError(t, err)
	for _, s := range lib {
		if s.Name == "first-backup" {
			_, err = Run(parseShipped(t, s), Options{ContactsProvider: &ContactsRemote{URL: "https://" + srv.Addr(), AdminToken: "wrong", CertPEM: srv.CertificatePEM()}})
			require.ErrorContains(t, err, "POST /__mozidsim/reset: X-Mozidsim-Run (a run of its own) is an admin power")
			return
		}
	}
	t.Fatal("no first-backup scenario")
}

// BenchmarkContactsScenario plays one contacts scenario (two phones, sync
// rounds, a conflict) with a provider in the process and in a run of its own
// on a shared provider, alternately in each iteration, and reports the CPU
// time of each (process user+system: the provider runs in this process too,
// so both sides are counted) and their ratio: on a shared machine the load
// hits both halves alike.
func BenchmarkContactsScenario(b *testing.B) {
	srv := sharedProvider(b, "bench")
	remote := &ContactsRemote{URL: "https://" + srv.Addr(), AdminToken: "bench", CertPEM: srv.CertificatePEM()}
	file, data, err := Load("conflict")
	require.NoError(b, err)
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var spent [2]time.Duration
	for b.Loop() {
		for i, r := range []*ContactsRemote{nil, remote} {
			start := cpu()
			sc, err := Parse(file, data)
			require.NoError(b, err)
			res, err := Run(sc, Options{ContactsProvider: r})
			require.NoError(b, err)
			require.True(b, res.Pass(), "%v", res.Problems)
			spent[i] += cpu() - start
		}
	}
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(b.N), "memory-cpu-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(b.N), "run-cpu-ns/op")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "run/memory")
}
