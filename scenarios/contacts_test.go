package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/carddavtest"
	"github.com/mozidsim/mozidsim/internal/fxaissuer"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp/verifier"
)

const contactsBase = "kind: contacts\nname: x\naccounts:\n  - {email: a@example.com}\ndevices:\n  - {name: phone, user: a@example.com}\n"

func TestContactsParseErrorsNameFileAndLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{contactsBase + "bogus: 1\n", `f.yaml:7: unknown field "bogus"`},
		{contactsBase + "description: old name of about\n", `f.yaml:7: unknown field "description"`},
		{contactsBase + "apps: [{name: shop, origin: x}]\n", "f.yaml: apps: a contacts scenario has no app pages (its phones' backup service is the client)"},
		{"kind: contacts\nname: x\ndevice: {user: a@example.com}\n", "f.yaml: device: a contacts scenario lists its phones under devices (each with a name)"},
		{contactsBase + "steps:\n  - {contacts: add, device: phone, contact: {name: [A], colour: red}}\n", `f.yaml:8: unknown field "colour"`},
		{contactsBase + "steps:\n  - {contacts: fly, device: phone}\n",
			`f.yaml:8: step 1: unknown contacts action "fly" (known: add, update, remove, sync, restore, delete-account, revoke-password)`},
		{contactsBase + "steps:\n  - {contacts: add, device: tablet, contact: {name: [A]}}\n",
			`f.yaml:8: step 1: contacts: add needs device, one of the devices (got "tablet")`},
		{contactsBase + "steps:\n  - {contacts: update, device: phone, ref: nobody, contact: {name: [A]}}\n",
			`f.yaml:8: step 1: no contact labelled "nobody" was added before`},
		{contactsBase + "steps:\n  - {advance: 1s}\n  - {advance: soon}\n", `f.yaml:9: "soon" is not a duration (want e.g. 30s, 10m, 2h)`},
		{contactsBase + "steps:\n  - {advance: 1s, backup: on, device: phone}\n", "f.yaml:8: step 1 has more than one action (contacts, backup, fxa, provider, advance, expect)"},
		{contactsBase + "steps:\n  - {device: phone}\n", "f.yaml:8: step 1 does nothing: give one of contacts, backup, fxa, provider, advance, expect"},
		{contactsBase + "steps:\n  - {backup: maybe, device: phone}\n", `f.yaml:8: "maybe" is not on or off`},
		{contactsBase + "steps:\n  - {provider: fault, fault: meteor, count: 1}\n", `f.yaml:8: step 1: unknown fault "meteor" (known: unauthorized, server-error, garbage-login, login-error)`},
		{contactsBase + "steps:\n  - {provider: down, device: phone}\n", "f.yaml:8: step 1: provider: down does not take device"},
		{contactsBase + "steps:\n  - {fxa: sign-in, device: phone, email: b@example.com}\n", "f.yaml:8: step 1: fxa: sign-in needs email, one of the accounts"},
		{contactsBase + "steps:\n  - {contacts: add, device: phone, contact: {name: [A], bday: soon}}\n", `f.yaml:8: step 1: bday "soon" is not a YYYY-MM-DD date`},
		{contactsBase + "expect:\n  devices:\n    tablet: {count: 1}\n", `f.yaml:8: expect: "tablet" is not one of the devices`},
		{"kind: contacts\nname: x\ndevices:\n  - {name: phone, user: b@example.com}\n", "f.yaml:4: device phone: user b@example.com is not one of the accounts"},
		{"kind: contacts\nname: x\n", "f.yaml: at least one device is needed"},
		{"kind: contacts\n", "f.yaml: name is required"},
		{contactsBase + "provider: {origin: 'http://moz.fruux.net'}\n", `f.yaml: provider: origin "http://moz.fruux.net" is not an https origin like https://moz.fruux.net`},
		{contactsBase + "---\nkind: contacts\n", "f.yaml:7: a second YAML document: a scenario file holds one"},
	} {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		require.EqualError(t, err, tc.want, tc.yaml)
	}
}

// The header is one: a contacts file reads seed, era and each device's mozId
// fields (authAge) like a mozId file.
func TestAContactsHeaderIsTheMozIDHeader(t *testing.T) {
	t.Parallel()
	sc, err := Parse("f.yaml", []byte("kind: contacts\nname: x\nabout: Why.\nseed: 7\nera: 2014\naccounts: [{email: a@example.com, verified: false}]\n"+
		"devices: [{name: phone, user: a@example.com, authAge: 2h, syncInterval: 15m, sync: true}]\n"))
	require.NoError(t, err)
	require.Equal(t, KindContacts, sc.Kind)
	require.Equal(t, "Why.", sc.About)
	require.Equal(t, uint64(7), sc.Seed)
	require.Equal(t, "2014", string(sc.Era))
	require.Equal(t, Duration(2*time.Hour), sc.Contacts.Devices[0].AuthAge)
	require.Equal(t, Duration(15*time.Minute), sc.Contacts.Devices[0].SyncEvery)
	require.False(t, *sc.Accounts[0].Verified)
	sc, err = Parse("f.yaml", []byte(contactsBase))
	require.NoError(t, err)
	require.Zero(t, sc.Seed, "a contacts scenario's default seed is 0")
}

func TestAFailingContactsExpectationIsAReadableDiff(t *testing.T) {
	t.Parallel()
	res := runText(t, "wrong.yaml", `kind: contacts
name: wrong-on-purpose
accounts: [{email: a@example.com}]
devices: [{name: phone, user: a@example.com}]
steps:
  - {contacts: add, device: phone, as: p, contact: {name: [Prunella], tel: [{value: "1"}]}}
expect:
  server:
    - account: a@example.com
      passwords: 2
      cards: [{name: Prunella, tel: ["2"]}, {name: Quentin}]
  devices:
    phone: {state: stopped, uploaded: 1, log: [never said]}
`)
	require.False(t, res.Pass())
	require.Equal(t, []string{
		"wrong.yaml:8: server a@example.com: 1 device passwords, want 2",
		`wrong.yaml:8: server a@example.com: card "Prunella": tel = ["1"], want ["2"]`,
		`wrong.yaml:8: server a@example.com: missing card "Quentin"`,
		`wrong.yaml:8: device phone: state idle, want stopped (reason: "")`,
	}, res.Problems[:4])
	require.Len(t, res.Problems, 5)
	require.True(t, strings.HasPrefix(res.Problems[4], `wrong.yaml:8: device phone: no log line containing "never said" after line 0; the log is:`), res.Problems[4])
}

func shippedContacts(t *testing.T, name string) (*Scenario, []byte) {
	t.Helper()
	file, src, err := Load(name)
	require.NoError(t, err)
	sc, err := Parse(file, src)
	require.NoError(t, err)
	require.Equal(t, KindContacts, sc.Kind)
	return sc, src
}

func runShippedContacts(t *testing.T, name string) (*Scenario, *Result) {
	t.Helper()
	sc, _ := shippedContacts(t, name)
	res, err := Run(sc, Options{})
	require.NoError(t, err)
	require.Empty(t, res.Problems)
	return sc, res
}

func TestContactsRunsRepeat(t *testing.T) {
	t.Parallel()
	sc, a := runShippedContacts(t, "conflict")
	_, b := runShippedContacts(t, "conflict")
	require.Equal(t, a.BackupLogs, b.BackupLogs, "same file, same logs (ports and clocks never show)")
	require.NotEmpty(t, a.BackupLogs["one"])
	for name, events := range sc.DeviceEvents(a.Events) {
		require.NotEmpty(t, events, name)
	}
}

type hop struct{ from, to, name string }

// assertionHops are the hops of the trace that carry a getAssertion or the
// certificate it needs, in order.
func assertionHops(events []sim.Event) []hop {
	var out []hop
	for _, e := range events {
		if e.Kind == sim.KindHop && (strings.HasPrefix(e.Name, wire.GetAssertion) || strings.HasPrefix(e.Name, wire.OpCertSign)) {
			out = append(out, hop{string(e.From), string(e.To), e.Name})
		}
	}
	return out
}

// The backup service's assertion is minted by the real chain: FxAccountsManager
// asks FxAccounts, which has the FxA server sign its key with the issuer's key.
func TestTheAssertionComesFromFxAccountsManagerAndTheAuthServer(t *testing.T) {
	t.Parallel()
	_, res := runShippedContacts(t, "first-backup")
	backupAddr := string(contacts.Backup)
	require.Equal(t, []hop{
		{backupAddr, "FxAccountsManager", "getAssertion"},
		{"FxAccountsManager", "FxAccounts", "getAssertion"},
		{"FxAccounts", "FxA server", "POST /v1/certificate/sign"},
		{"FxA server", "FxAccounts", "POST /v1/certificate/sign:resolved"},
		{"FxAccounts", "FxAccountsManager", "getAssertion:resolved"},
		{"FxAccountsManager", backupAddr, "getAssertion:resolved"},
	}, assertionHops(res.Events))

	var assertions []string
	for _, e := range res.Events {
		if e.Kind == sim.KindHop && e.From == wire.FxAccountsManager && e.To == contacts.Backup && e.Name == wire.ResolvedName(wire.GetAssertion) {
			assertions = append(assertions, e.Payload.(wire.Resolved).Value.(string))
		}
	}
	require.Len(t, assertions, 1)
	key, err := fxaissuer.Key()
	require.NoError(t, err)
	// Checked at the virtual time it was minted: the scenario runs at sim.Epoch.
	epoch := func() time.Time { return sim.Epoch }
	authServer := &verifier.Verifier{Now: epoch, LookupIssuerKey: func(string, string) (*browserid.PublicKey, error) {
		return &browserid.PublicKey{RSA: &key.PublicKey}, nil
	}}
	got, err := authServer.Verify(assertions[0], DefaultProviderOrigin)
	require.NoError(t, err)
	require.Equal(t, "alice@example.com", got.VerifiedEmail())
	require.Equal(t, fxaissuer.Name, got.Issuer)
}

// The shared auth server keeps the phones' virtual time: a certificate signed
// seven hours in is issued then (less the signer's 10 s of skew padding) and
// lives six hours from then. On a clock stuck at the start it would have
// expired before the provider saw it.
func TestTheAuthServerRunsOnTheVirtualClock(t *testing.T) {
	t.Parallel()
	res := runText(t, "late.yaml", `kind: contacts
name: late
accounts: [{email: alice@example.com}]
devices: [{name: phone, user: alice@example.com}]
steps:
  - {advance: 7h}
  - {contacts: add, device: phone, as: a, contact: {name: [Ada]}}
expect:
  server: [{account: alice@example.com, cards: [{name: Ada}]}]
  devices: {phone: {state: idle, provisionings: 1, uploaded: 1}}
`)
	require.Empty(t, res.Problems)
	var certs []string
	for _, e := range res.Events {
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
}

// Sign-in and sign-out go through the Settings app, and the backup service
// hears FxAccounts' notifications as the System window's chrome event.
func TestSignOutReachesTheBackupServiceThroughTheSystemWindow(t *testing.T) {
	t.Parallel()
	_, res := runShippedContacts(t, "sign-out")
	var got []hop
	for _, e := range res.Events {
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
}

// Two phones of one world sign in to the same account on the same server; in
// the world's one trace each phone's actors carry its name.
func TestTwoDevicesShareOneAuthServer(t *testing.T) {
	t.Parallel()
	sc, res := runShippedContacts(t, "two-devices")
	uids := map[string]string{}
	for name, events := range sc.DeviceEvents(res.Events) {
		for _, e := range events {
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
	require.Equal(t, sim.Addr("one/System/ContactsBackup"), res.Events[0].From)
	for i, e := range res.Events {
		require.Equal(t, uint64(i+1), e.Seq, "the world's trace is numbered anew")
	}
}

// A world whose second phone cannot be built closes the first, device and all.
func TestAFailedContactsBuildLeavesNothing(t *testing.T) {
	t.Parallel()
	sc, _ := shippedContacts(t, "two-devices")
	sc.Contacts.Devices[1].User = "nobody@example.com" // Parse refuses it; the device does too
	_, err := Run(sc, Options{})
	var se *Error
	require.True(t, errors.As(err, &se), "%v", err)
	require.EqualError(t, err, "scenarios/contacts/two-devices.yaml:12: device two: device: user nobody@example.com is not one of the accounts")
	// TestMain's goleak check finds no actor of the first phone left running.
}

// A contacts run records a trace like any other run: explain, diagram, live
// and replay read it, and replaying it gives the same events.
func TestAContactsRunReplaysItsTrace(t *testing.T) {
	t.Parallel()
	tl := TraceLibrary(goldenVersion)
	recorded, err := tl.Record("conflict")
	require.NoError(t, err)
	require.Equal(t, "conflict", recorded.Header.Scenario)
	require.Equal(t, "scenarios/contacts/conflict.yaml", recorded.Header.File)
	require.NotContains(t, recorded.Header.Source, "about:", "the header carries no prose")
	diff, _, err := tl.Replay(recorded)
	require.NoError(t, err)
	require.Nil(t, diff)
}

const ownServerBase = "kind: contacts\nname: own\naccounts:\n  - {email: a@example.com}\ndevices:\n"

func TestADeviceNamesItsOwnCardDAVServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ device, want string }{
		{"  - {name: phone, user: a@example.com, carddav: {url: 'http://dav.example.com/', username: u, password: p}}\n",
			`f.yaml:6: device phone: carddav: url "http://dav.example.com/": plain http is only accepted for a loopback host (the password would cross the network in clear); use https`},
		{"  - {name: phone, user: a@example.com, carddav: {url: 'ftp://127.0.0.1/', username: u, password: p}}\n",
			`f.yaml:6: device phone: carddav: url "ftp://127.0.0.1/" is not an http(s) URL`},
		{"  - {name: phone, user: a@example.com, carddav: {url: 'https://dav.example.com/', username: u}}\n",
			`f.yaml:6: device phone: carddav: username and password are required`},
	} {
		_, err := Parse("f.yaml", []byte(ownServerBase+tc.device))
		require.EqualError(t, err, tc.want)
	}
	for _, ok := range []string{"https://dav.example.com/", "http://127.0.0.1:5232/", "http://localhost:5232/", "http://[::1]:5232/"} {
		_, err := Parse("f.yaml", []byte(ownServerBase+"  - {name: phone, user: a@example.com, carddav: {url: '"+ok+"', username: u, password: p}}\n"))
		require.NoError(t, err, ok)
	}
}

func TestRunBacksUpToTheDevicesOwnServer(t *testing.T) {
	url := carddavtest.Start(t, "alice", "s3cret")
	res := runText(t, "own.yaml", ownServerBase+"  - {name: phone, user: a@example.com, carddav: {url: '"+url+"', username: alice, password: s3cret}}\n"+
		"steps:\n  - {contacts: add, device: phone, contact: {name: [Prunella Smith]}}\n"+
		"expect:\n  server:\n    - {account: a@example.com, exists: false}\n"+
		"  devices:\n    phone: {state: idle, provisionings: 0, uploaded: 1, log: [\"/alice/contacts/\", \".vcf -> 201 Created\"]}\n")
	require.Empty(t, res.Problems)
}
