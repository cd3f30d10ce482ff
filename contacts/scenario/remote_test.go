package scenario_test

import (
	"io/fs"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts/devicephone"
	"github.com/mozidsim/mozidsim/contacts/fxastub"
	"github.com/mozidsim/mozidsim/contacts/scenario"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/mozidsim/mozidsim/rp/verifier"
	files "github.com/mozidsim/mozidsim/scenarios/contacts"
	"github.com/mozidsim/mozidsim/trace"
)

// TestContactsRunsShareOneServeContacts plays every shipped contacts scenario
// twice, at once: with a provider in this process, and in a run of its own on
// one shared provider (serve-contacts with runs on), as `mozidsim run
// --contacts-url` does. All of them run concurrently against the one server;
// each must give exactly what it gives in memory: the verdict, every phone's
// log and the actors' conversation.
func TestContactsRunsShareOneServeContacts(t *testing.T) {
	const token = "shared-token"
	// The default namespace trusts no issuer: only the runs, which name their
	// FxA server's key, can provision.
	noKey := func(iss, _ string) (*browserid.PublicKey, error) { return nil, nil }
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: t.TempDir(), Issuer: fxastub.Issuer, Clock: time.Now, NoSync: true,
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: noKey}, Runs: &contactsprovider.RunOptions{AdminToken: token}}, "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() {
		require.Equal(t, 0, srv.Runs(), "every run dropped its namespace")
		require.NoError(t, srv.Close())
	})
	remote := &scenario.Remote{URL: "https://" + srv.Addr(), AdminToken: token, CertPEM: srv.CertificatePEM()}
	names, err := fs.Glob(files.Files, "*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	t.Run("all", func(t *testing.T) { // returns once every parallel subtest has
		for _, name := range names {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				data, err := files.Files.ReadFile(name)
				require.NoError(t, err)
				sc, err := scenario.Parse(name, data)
				require.NoError(t, err)
				mem, err := scenario.Run(sc, scenario.Options{NewPhone: devicephone.Phone})
				require.NoError(t, err)
				sc, err = scenario.Parse(name, data)
				require.NoError(t, err)
				sock, err := scenario.Run(sc, scenario.Options{NewPhone: devicephone.Phone, Remote: remote})
				require.NoError(t, err)
				require.True(t, mem.Pass, "in memory: %v", mem.Diff)
				require.Equal(t, mem.Diff, sock.Diff, "on serve-contacts")
				require.Equal(t, mem.Logs, sock.Logs)
				for phone, events := range mem.Traces {
					if d := trace.Compare(trace.Encode(sim.Epoch, events), trace.Encode(sim.Epoch, sock.Traces[phone])); d != nil {
						t.Fatalf("%s: the conversation differs at event %d, %s: in memory %s, on serve-contacts %s",
							phone, d.Index+1, d.Field, d.WantValue, d.GotValue)
					}
				}
			})
		}
	})
}

// A run that cannot be opened (wrong token) is a world that could not be
// built, with the server's reason, not a silent in-memory run.
func TestContactsRunNeedsTheToken(t *testing.T) {
	noKey := func(iss, _ string) (*browserid.PublicKey, error) { return nil, nil }
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: t.TempDir(), Issuer: fxastub.Issuer, Clock: time.Now, NoSync: true,
		Verifier: &verifier.Verifier{Now: time.Now, LookupIssuerKey: noKey}, Runs: &contactsprovider.RunOptions{AdminToken: "right"}}, "127.0.0.1:0")
	require.NoError(t, err)
	defer srv.Close()
	data, err := files.Files.ReadFile("first-backup.yaml")
	require.NoError(t, err)
	sc, err := scenario.Parse("first-backup.yaml", data)
	require.NoError(t, err)
	_, err = scenario.Run(sc, scenario.Options{Remote: &scenario.Remote{URL: "https://" + srv.Addr(), AdminToken: "wrong", CertPEM: srv.CertificatePEM()}})
	require.ErrorContains(t, err, "POST /__mozidsim/reset: X-Mozidsim-Run (a run of its own) is an admin power")
}
