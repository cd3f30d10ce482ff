package devicephone

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/fxastub"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/contacts/scenario"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp/verifier"
	files "github.com/mozidsim/mozidsim/scenarios/contacts"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEveryShippedScenarioPassesOnTheRealChain(t *testing.T) {
	names, err := fs.Glob(files.Files, "*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 12)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := files.Files.ReadFile(name)
			require.NoError(t, err)
			var out bytes.Buffer
			code := scenario.RunFileWith(name, data, scenario.Options{Verbose: true, NewPhone: Phone}, &out)
			require.Equal(t, scenario.ExitPass, code, out.String())
			require.Contains(t, out.String(), "PASS "+strings.TrimSuffix(name, ".yaml")+"\n")
		})
	}
	requireNoWorldsLeft(t)
}

func run(t *testing.T, file string, data []byte, factory scenario.PhoneFactory) *scenario.Result {
	t.Helper()
	sc, err := scenario.Parse(file, data)
	require.NoError(t, err)
	res, err := scenario.Run(sc, scenario.Options{NewPhone: factory})
	require.NoError(t, err)
	require.Empty(t, res.Diff)
	require.True(t, res.Pass)
	return res
}

func shipped(t *testing.T, name string) []byte {
	t.Helper()
	data, err := files.Files.ReadFile(name)
	require.NoError(t, err)
	return data
}

type hop struct{ from, to, name string }

// assertionHops are the hops of the trace that carry a getAssertion or the
// certificate it needs, in order.
func assertionHops(events []sim.Event) []hop {
	var out []hop
	for _, e := range events {
		if e.Kind != sim.KindHop {
			continue
		}
		if strings.HasPrefix(e.Name, wire.GetAssertion) || strings.HasPrefix(e.Name, wire.OpCertSign) {
			out = append(out, hop{string(e.From), string(e.To), e.Name})
		}
	}
	return out
}

// resolvedAssertions are the assertions FxAccountsManager handed the backup service.
func resolvedAssertions(t *testing.T, events []sim.Event) []string {
	t.Helper()
	var out []string
	for _, e := range events {
		if e.Kind == sim.KindHop && e.From == wire.FxAccountsManager && e.To == contacts.Backup && e.Name == wire.ResolvedName(wire.GetAssertion) {
			r, ok := e.Payload.(wire.Resolved)
			require.True(t, ok, "%T", e.Payload)
			s, ok := r.Value.(string)
			require.True(t, ok, "%T", r.Value)
			out = append(out, s)
		}
	}
	return out
}

// The backup service's assertion is minted by the real chain: FxAccountsManager
// asks FxAccounts, which has the FxA server sign its key; the certificate is
// signed with the world's auth server key, which the provider now trusts
// instead of the stub's.
func TestTheAssertionComesFromFxAccountsManagerAndTheAuthServer(t *testing.T) {
	var stub *fxastub.Server
	var stubLogin string
	factory := func(w *scenario.World, d scenario.Device, cfg backup.Config) (*phone.Phone, error) {
		p, err := Phone(w, d, cfg)
		if err != nil {
			return nil, err
		}
		// The provider no longer accepts what the stand-in FxA server signs.
		stub = w.FxA
		forged, err := w.FxA.Assertion("alice@example.com", scenario.DefaultOrigin, w.Clock.Now())
		if err != nil {
			return nil, err
		}
		stubLogin, err = login(w, forged)
		return p, err
	}
	res := run(t, "first-backup.yaml", shipped(t, "first-backup.yaml"), factory)
	require.Equal(t, `401 Unauthorized {"error":"invalid assertion","reason":"invalid signature"}`, stubLogin)

	events := res.Traces["phone"]
	backupAddr := string(contacts.Backup)
	require.Equal(t, []hop{
		{backupAddr, "FxAccountsManager", "getAssertion"},
		{"FxAccountsManager", "FxAccounts", "getAssertion"},
		{"FxAccounts", "FxA server", "POST /v1/certificate/sign"},
		{"FxA server", "FxAccounts", "POST /v1/certificate/sign:resolved"},
		{"FxAccounts", "FxAccountsManager", "getAssertion:resolved"},
		{"FxAccountsManager", backupAddr, "getAssertion:resolved"},
	}, assertionHops(events))

	assertions := resolvedAssertions(t, events)
	require.Len(t, assertions, 1)
	key, err := serverKey()
	require.NoError(t, err)
	// Checked at the virtual time it was minted: the scenario runs at sim.Epoch.
	epoch := func() time.Time { return sim.Epoch }
	authServer := &verifier.Verifier{Now: epoch, LookupIssuerKey: func(issuer, _ string) (*browserid.PublicKey, error) {
		return &browserid.PublicKey{RSA: &key.PublicKey}, nil
	}}
	got, err := authServer.Verify(assertions[0], scenario.DefaultOrigin)
	require.NoError(t, err)
	require.Equal(t, "alice@example.com", got.VerifiedEmail())
	require.Equal(t, device.Issuer, got.Issuer)
	_, err = stub.Verifier(epoch).Verify(assertions[0], scenario.DefaultOrigin)
	require.EqualError(t, err, "invalid signature")
	requireNoWorldsLeft(t)
}

// login POSTs an assertion to the world's provider: the status and the body.
func login(w *scenario.World, assertion string) (string, error) {
	client := w.Provider.Client()
	defer client.CloseIdleConnections()
	body := strings.NewReader(`{"assertion":"` + assertion + `"}`)
	resp, err := client.Post(w.Provider.URL()+"/browserid/login", "application/json", body)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.Status + " " + strings.TrimSpace(string(data)), err
}

func requireNoWorldsLeft(t *testing.T) {
	t.Helper()
	worldsMu.Lock()
	defer worldsMu.Unlock()
	require.Empty(t, worlds)
}

// The shared auth server keeps the phones' virtual time: a certificate signed
// seven hours in is issued then (less the signer's 10 s of skew padding) and
// lives six hours from then. On a clock stuck at the start it would have
// expired before the provider saw it.
func TestTheAuthServerRunsOnTheVirtualClock(t *testing.T) {
	res := run(t, "late.yaml", []byte(`kind: contacts
name: late
accounts: [{email: alice@example.com}]
devices: [{name: phone, user: alice@example.com}]
steps:
  - {advance: 7h}
  - {contacts: add, device: phone, as: a, contact: {name: [Ada]}}
expect:
  server: [{account: alice@example.com, cards: [{name: Ada}]}]
  devices: {phone: {state: idle, provisionings: 1, uploaded: 1}}
`), Phone)
	var certs []string
	for _, e := range res.Traces["phone"] {
		if e.Kind == sim.KindHop && e.Name == wire.ResolvedName(wire.OpCertSign) {
			certs = append(certs, e.Payload.(wire.Resolved).Value.(string))
		}
	}
	require.Len(t, certs, 1)
	cert, err := browserid.ParseJWT(certs[0])
	require.NoError(t, err)
	at := func(claim string) time.Time { return time.UnixMilli(int64(cert.Payload[claim].(float64))).UTC() }
	require.Equal(t, sim.Epoch.Add(7*time.Hour-10*time.Second), at("iat"))
	require.Equal(t, sim.Epoch.Add(13*time.Hour), at("exp"))
	requireNoWorldsLeft(t)
}

// Sign-in and sign-out go through the Settings app, and the backup service
// hears FxAccounts' notifications as the System window's chrome event.
func TestSignOutReachesTheBackupServiceThroughTheSystemWindow(t *testing.T) {
	res := run(t, "sign-out.yaml", shipped(t, "sign-out.yaml"), Phone)
	var got []hop
	for _, e := range res.Traces["phone"] {
		if e.Kind != sim.KindHop {
			continue
		}
		switch {
		case e.From == wire.User,
			e.To == contacts.Backup && strings.HasPrefix(e.Name, "fxaccounts:"),
			e.Name == wire.MozFxAccountsUnsolChromeEvent:
			got = append(got, hop{string(e.From), string(e.To), e.Name})
		}
	}
	settings := []hop{
		{"user", "Settings", "settings:sign-out"},
		{"FxAccountsMgmtService", "System/FxAccountsManager", "mozFxAccountsUnsolChromeEvent"},
		{"FxAccountsMgmtService", "System/ContactsBackup", "mozFxAccountsUnsolChromeEvent"},
	}
	signIn := []hop{
		{"user", "Settings", "settings:sign-in"},
		{"FxAccountsMgmtService", "System/FxAccountsManager", "mozFxAccountsUnsolChromeEvent"},
		{"FxAccountsMgmtService", "System/ContactsBackup", "mozFxAccountsUnsolChromeEvent"},
	}
	want := append(append(append(append([]hop{}, settings...), signIn...), settings...), signIn...)
	require.Equal(t, want, got)
	requireNoWorldsLeft(t)
}

// Two phones of one world sign in to the same account on the same server.
func TestTwoDevicesShareOneAuthServer(t *testing.T) {
	res := run(t, "two-devices.yaml", shipped(t, "two-devices.yaml"), Phone)
	uids := map[string]string{}
	for _, name := range []string{"one", "two"} {
		for _, e := range res.Traces[name] {
			if e.Kind == sim.KindHop && e.From == wire.FxAccounts && e.Name == wire.ResolvedName(wire.GetSignedInUser) {
				if u, ok := e.Payload.(wire.Resolved).Value.(*wire.AccountData); ok && u != nil {
					uids[name] = u.UID
				}
			}
		}
	}
	require.Len(t, uids, 2)
	require.Len(t, uids["one"], 32)
	require.Equal(t, uids["one"], uids["two"])
	requireNoWorldsLeft(t)
}

func TestRunsRepeat(t *testing.T) {
	data := shipped(t, "conflict.yaml")
	a := run(t, "conflict.yaml", data, Phone)
	b := run(t, "conflict.yaml", data, Phone)
	require.Equal(t, a.Logs, b.Logs)
	require.NotEmpty(t, a.Logs["one"])
}

// A world whose second phone cannot be built closes the first, device and all,
// and forgets the shared server.
func TestAFailedBuildLeavesNothing(t *testing.T) {
	sc, err := scenario.Parse("two-devices.yaml", shipped(t, "two-devices.yaml"))
	require.NoError(t, err)
	_, err = scenario.Run(sc, scenario.Options{NewPhone: func(w *scenario.World, d scenario.Device, cfg backup.Config) (*phone.Phone, error) {
		if d.Name == "two" {
			return nil, errors.New("no battery")
		}
		return Phone(w, d, cfg)
	}})
	require.EqualError(t, err, "two-devices.yaml:12: device two: no battery")
	requireNoWorldsLeft(t)
}

// `mozidsim run --trace` on a contacts scenario shows each phone's hops: the
// assertion's way through the real chain is there to read.
func TestTraceOptionPrintsTheChain(t *testing.T) {
	var out bytes.Buffer
	code := scenario.RunFileWith("first-backup.yaml", shipped(t, "first-backup.yaml"), scenario.Options{Trace: true, NewPhone: Phone}, &out)
	require.Equal(t, scenario.ExitPass, code, out.String())
	text := out.String()
	require.True(t, strings.HasPrefix(text, "== first-backup: trace of phone\n"), text)
	require.True(t, strings.HasSuffix(text, "\nPASS first-backup\n"), text)
	var hops []string
	for _, l := range strings.Split(text, "\n") {
		_, rest, isHop := strings.Cut(l, " hop      ")
		if isHop && (strings.Contains(rest, "getAssertion") || strings.Contains(rest, "certificate/sign")) {
			name, _, _ := strings.Cut(rest, " {")
			hops = append(hops, name)
		}
	}
	require.Equal(t, []string{
		"System/ContactsBackup -> FxAccountsManager getAssertion",
		"FxAccountsManager -> FxAccounts getAssertion",
		"FxAccounts -> FxA server POST /v1/certificate/sign",
		"FxA server -> FxAccounts POST /v1/certificate/sign:resolved",
		"FxAccounts -> FxAccountsManager getAssertion:resolved",
		"FxAccountsManager -> System/ContactsBackup getAssertion:resolved",
	}, hops)
	requireNoWorldsLeft(t)
}
