package backup_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/contacts/mozvcard"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
	"github.com/mozidsim/mozidsim/rp/contactsprovider"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type world struct {
	t      *testing.T
	fxa    *fxastub.Server
	srv    *contactsprovider.Server
	clock  *phone.Clock
	client *http.Client
	phones []*phone.Phone
}

func newWorld(t *testing.T) *world {
	t.Helper()
	fxa, err := fxastub.NewServer(11)
	require.NoError(t, err)
	for _, a := range []struct {
		email    string
		verified bool
	}{{"alice@example.com", true}, {"bob@example.com", true}, {"carol@example.com", false}} {
		_, err := fxa.AddAccount(a.email, a.verified)
		require.NoError(t, err)
	}
	clock := phone.NewClock(sim.Epoch)
	srv, err := contactsprovider.Listen(contactsprovider.Config{Dir: t.TempDir(), Verifier: fxa.Verifier(clock.Now),
		Issuer: fxastub.Issuer, Clock: clock.Now, Rand: strings.NewReader(strings.Repeat("0123456789abcdef", 64)), NoSync: true}, "127.0.0.1:0")
	require.NoError(t, err)
	w := &world{t: t, fxa: fxa, srv: srv, clock: clock, client: srv.Client()}
	t.Cleanup(func() {
		for _, p := range w.phones {
			require.NoError(t, p.Close())
			require.Empty(t, p.Sys.Faults(), "actor faults on %s", p.Name)
		}
		w.client.CloseIdleConnections()
		require.NoError(t, srv.Close())
	})
	return w
}

func (w *world) phone(name, user string, cfg backup.Config) *phone.Phone {
	w.t.Helper()
	cfg.ProviderURL = w.srv.URL()
	cfg.HTTP = w.client
	p, err := stubphone.New(w.fxa, name, sim.Options{Seed: uint64(len(w.phones) + 1)}, user, cfg, w.clock)
	require.NoError(w.t, err)
	w.phones = append(w.phones, p)
	return p
}

// advance moves every phone's clock together.
func (w *world) advance(d time.Duration) {
	w.t.Helper()
	for _, p := range w.phones {
		require.NoError(w.t, p.Sys.Advance(d))
	}
}

func (w *world) serverNames(email string) []string {
	w.t.Helper()
	cards, err := w.srv.Provider().Cards(email)
	require.NoError(w.t, err)
	var out []string
	for _, c := range cards {
		got, err := mozvcard.Decode(c.Data)
		require.NoError(w.t, err)
		out = append(out, got.DisplayName())
	}
	return out
}

func names(t *testing.T, p *phone.Phone) []string {
	t.Helper()
	all, err := p.Contacts()
	require.NoError(t, err)
	var out []string
	for _, c := range all {
		out = append(out, c.DisplayName())
	}
	slices.Sort(out) // contacts made in the same virtual instant have no other order
	return out
}

func status(t *testing.T, p *phone.Phone) backup.Status {
	t.Helper()
	st, err := p.Status()
	require.NoError(t, err)
	return st
}

func logOf(t *testing.T, p *phone.Phone) []string {
	t.Helper()
	lines, err := p.Backup.Log(p.Sys)
	require.NoError(t, err)
	return lines
}

func add(t *testing.T, p *phone.Phone, name string) string {
	t.Helper()
	id, err := p.Add(contacts.Contact{Name: []string{name}, Tel: []contacts.TelField{{Value: "+1555" + name}}})
	require.NoError(t, err)
	return id
}

// The user name the provider hands out with the test's fixed random source.
const user = "fxa-303132333435"

func book(email string) string { return "/dav/" + user + "/contacts/default/" }

func TestFirstBackupProvisionsThenUploads(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	require.Equal(t, backup.Status{Enabled: true, State: backup.StIdle, Provider: "default", Account: "alice@example.com"}, status(t, p),
		"a phone with nothing to back up does not provision")
	require.Empty(t, w.srv.Provider().Accounts())

	id := add(t, p, "Prunella")
	require.Equal(t, []string{"Prunella"}, w.serverNames("alice@example.com"))
	st := status(t, p)
	require.Equal(t, backup.Status{Enabled: true, State: backup.StIdle, Provider: "default", Account: "alice@example.com",
		BookURL: w.srv.URL() + book("alice@example.com"), Provisionings: 1, Uploaded: 1}, st)
	require.Equal(t, []string{
		"provisioning credentials from Fruux with an FxA assertion",
		"POST /browserid/login -> 200 OK",
		"provisioned user " + user + " for alice@example.com",
		"PUT " + book("alice@example.com") + id + ".vcf -> 201 Created",
	}, logOf(t, p))

	cards, err := w.srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	require.Equal(t, id+".vcf", cards[0].Name)
	require.Contains(t, string(cards[0].Data), "\r\nUID:"+id+"\r\n")
	require.Contains(t, string(cards[0].Data), "\r\nTEL:+1555Prunella\r\n")

	// The trace shows the round's states and the network.
	var notes []string
	for _, e := range p.Sys.Trace() {
		if e.Kind == sim.KindNote && e.To == contacts.Network {
			notes = append(notes, e.Name+" "+e.Payload.(string))
		}
	}
	require.Equal(t, []string{"POST /browserid/login 200 OK", "PUT " + book("") + id + ".vcf 201 Created"}, notes)
}

func TestStoredCredentialsAreReused(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	add(t, p, "B")
	add(t, p, "C")
	st := status(t, p)
	require.Equal(t, 1, st.Provisionings)
	require.Equal(t, 3, st.Uploaded)
	acct, _ := w.srv.Provider().Account("alice@example.com")
	require.Equal(t, 1, acct.Passwords)
	require.Equal(t, []string{"A", "B", "C"}, w.serverNames("alice@example.com"))
}

func TestUpdatesAndRemovalsFollow(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	id := add(t, p, "A")
	require.NoError(t, p.Update(contacts.Contact{ID: id, Name: []string{"A2"}}))
	require.Equal(t, []string{"A2"}, w.serverNames("alice@example.com"))
	require.NoError(t, p.Remove(id))
	require.Empty(t, w.serverNames("alice@example.com"))
	lines := logOf(t, p)
	require.Equal(t, []string{
		"PUT " + book("") + id + ".vcf -> 201 Created",
		"PUT " + book("") + id + ".vcf -> 204 No Content",
		"DELETE " + book("") + id + ".vcf -> 204 No Content",
	}, lines[3:])
	st := status(t, p)
	require.Equal(t, 2, st.Uploaded)
	require.Equal(t, 1, st.Deleted)
}

func TestA401ReprovisionsOnce(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	creds, ok, err := p.Backup.Credentials(p.Sys, "alice@example.com")
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, w.srv.Provider().RevokePassword(creds.UserName, creds.Password))

	id := add(t, p, "B")
	require.Equal(t, []string{
		"PUT " + book("") + id + ".vcf -> 401 Unauthorized",
		"401 from the CardDAV server: clearing the credentials and provisioning again",
		"provisioning credentials from Fruux with an FxA assertion",
		"POST /browserid/login -> 200 OK",
		"provisioned user " + user + " for alice@example.com",
		"PUT " + book("") + id + ".vcf -> 201 Created",
	}, logOf(t, p)[4:])
	st := status(t, p)
	require.Equal(t, 2, st.Provisionings)
	require.Equal(t, backup.StIdle, st.State)
	require.Equal(t, []string{"A", "B"}, w.serverNames("alice@example.com"))
	acct, _ := w.srv.Provider().Account("alice@example.com")
	require.Equal(t, 1, acct.Passwords, "the revoked password is gone, the new one is the only one")
}

func TestTwo401sGiveUpQuietly(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	require.NoError(t, w.srv.Provider().InjectFault(contactsprovider.FaultUnauthorized, 2))
	id := add(t, p, "B")
	require.Equal(t, []string{
		"PUT " + book("") + id + ".vcf -> 401 Unauthorized",
		"401 from the CardDAV server: clearing the credentials and provisioning again",
		"provisioning credentials from Fruux with an FxA assertion",
		"POST /browserid/login -> 200 OK",
		"provisioned user " + user + " for alice@example.com",
		"PUT " + book("") + id + ".vcf -> 401 Unauthorized",
		"stopped: unauthorized again after provisioning new credentials",
	}, logOf(t, p)[4:])
	st := status(t, p)
	require.Equal(t, backup.StStopped, st.State)
	require.Equal(t, "unauthorized again after provisioning new credentials", st.Reason)
	require.Equal(t, 1, st.Pending, "the change is kept")
	// Nothing retries on its own: no timer is armed.
	_, armed := p.Sys.NextTimer()
	require.False(t, armed)
	w.advance(time.Hour)
	require.Equal(t, []string{"A"}, w.serverNames("alice@example.com"))

	// The next change tries again, and both go out.
	add(t, p, "C")
	require.Equal(t, []string{"A", "B", "C"}, w.serverNames("alice@example.com"))
	require.Equal(t, backup.StIdle, status(t, p).State)
}

func TestProviderDownThenBackLosesNothing(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	require.NoError(t, w.srv.Stop())
	add(t, p, "B")
	add(t, p, "C")
	st := status(t, p)
	require.Equal(t, backup.StWaiting, st.State)
	require.Equal(t, 2, st.Pending)
	w.advance(time.Second) // retry 1 fails: wait 2s
	w.advance(2 * time.Second)
	w.advance(4 * time.Second)
	require.NoError(t, w.srv.Start())
	w.advance(8 * time.Second)
	require.Equal(t, []string{"A", "B", "C"}, w.serverNames("alice@example.com"))
	st = status(t, p)
	require.Equal(t, backup.StIdle, st.State)
	require.Zero(t, st.Pending)
	var retries []string
	for _, l := range logOf(t, p) {
		if i := strings.Index(l, "; retrying in "); i >= 0 {
			retries = append(retries, l[i+2:])
		}
	}
	require.Equal(t, []string{"retrying in 1s", "retrying in 2s", "retrying in 4s", "retrying in 8s"}, retries)
}

func TestServerErrorsAndGarbageKeepTheQueue(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	require.NoError(t, w.srv.Provider().InjectFault(contactsprovider.FaultGarbageLogin, 1))
	add(t, p, "A")
	st := status(t, p)
	require.Equal(t, backup.StWaiting, st.State)
	require.Equal(t, "provisioning failed: provisioning answer is not JSON: invalid character '<' looking for beginning of value", st.Reason)
	require.NoError(t, w.srv.Provider().InjectFault(contactsprovider.FaultServerError, 2))
	w.advance(time.Second)
	require.Equal(t, backup.StWaiting, status(t, p).State)
	w.advance(2 * time.Second)
	require.Equal(t, backup.StWaiting, status(t, p).State)
	w.advance(4 * time.Second)
	require.Equal(t, backup.StIdle, status(t, p).State)
	require.Equal(t, []string{"A"}, w.serverNames("alice@example.com"))
}

func TestSwitchOffStopsAndSwitchOnCatchesUp(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	require.NoError(t, p.Switch(false))
	add(t, p, "B")
	require.Equal(t, []string{"A"}, w.serverNames("alice@example.com"))
	require.Equal(t, backup.Status{Enabled: false, State: backup.StOff, Provider: "default", Account: "alice@example.com",
		BookURL: w.srv.URL() + book(""), Provisionings: 1, Uploaded: 1}, status(t, p))
	require.NoError(t, p.Switch(true))
	require.Equal(t, []string{"A", "B"}, w.serverNames("alice@example.com"))
	require.Contains(t, logOf(t, p), "1 contacts differ from the server's copy")
}

func TestSignOutStopsBackups(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	require.NoError(t, p.SignOut())
	add(t, p, "B")
	st := status(t, p)
	require.Equal(t, backup.StStopped, st.State)
	require.Equal(t, backup.ReasonNoVerifiedUser, st.Reason)
	require.Equal(t, 1, st.Pending)
	require.Equal(t, []string{"A"}, w.serverNames("alice@example.com"))

	require.NoError(t, p.SignIn("alice@example.com", ""))
	require.Equal(t, []string{"A", "B"}, w.serverNames("alice@example.com"))
}

func TestUnverifiedUserNeverProvisions(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "carol@example.com", backup.Config{})
	add(t, p, "A")
	st := status(t, p)
	require.Equal(t, backup.ReasonNoVerifiedUser, st.Reason)
	require.Zero(t, st.Provisionings)
	require.Empty(t, w.srv.Provider().Accounts())
}
