package backup_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/internal/sim"
)

func TestRestoreOntoAFreshPhone(t *testing.T) {
	w := newWorld(t)
	old := w.phone("old", "alice@example.com", backup.Config{})
	a := add(t, old, "A")
	b := add(t, old, "B")
	full := contacts.Contact{ID: a, Name: []string{"A"}, GivenName: []string{"Ann"}, FamilyName: []string{"Archer"},
		Email: []contacts.Field{{Value: "ann@example.com", Type: []string{"work"}, Pref: true}},
		Bday:  time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), Note: []string{"met at FOSDEM"}}
	require.NoError(t, old.Update(full))

	fresh := w.phone("new", "alice@example.com", backup.Config{})
	require.Empty(t, names(t, fresh))
	require.NoError(t, fresh.Do(contacts.Restore))
	require.Equal(t, []string{"A", "B"}, names(t, fresh))
	got, ok, err := fresh.Store.Get(fresh.Sys, a)
	require.NoError(t, err)
	require.True(t, ok, "the contact keeps its id")
	want, _, err := old.Store.Get(old.Sys, a)
	require.NoError(t, err)
	require.True(t, want.Contact.SameData(got.Contact), "restored %+v\nwant %+v", got.Contact, want.Contact)
	require.Equal(t, want.Contact.Updated, got.Contact.Updated, "the revision travels with the card")
	st := status(t, fresh)
	require.Equal(t, 2, st.Downloaded)
	require.Zero(t, st.Uploaded, "restored contacts are not uploaded back")
	require.Equal(t, 1, st.Provisionings)
	_, ok, err = fresh.Store.Get(fresh.Sys, b)
	require.NoError(t, err)
	require.True(t, ok)

	// Restoring twice downloads nothing new.
	require.NoError(t, fresh.Do(contacts.Restore))
	require.Equal(t, 2, status(t, fresh).Downloaded)
	acct, _ := w.srv.Provider().Account("alice@example.com")
	require.Equal(t, 2, acct.Passwords, "one device password per phone")
}

func TestTwoPhonesPropagateCreateUpdateDelete(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{Sync: true})
	two := w.phone("two", "alice@example.com", backup.Config{Sync: true})
	a := add(t, one, "A")
	require.NoError(t, two.Do(contacts.SyncNow))
	require.Equal(t, []string{"A"}, names(t, two))

	require.NoError(t, two.Update(contacts.Contact{ID: a, Name: []string{"A by two"}}))
	require.NoError(t, one.Do(contacts.SyncNow))
	require.Equal(t, []string{"A by two"}, names(t, one))

	b := add(t, two, "B")
	require.NoError(t, one.Remove(a))
	require.NoError(t, two.Do(contacts.SyncNow))
	require.Equal(t, []string{"B"}, names(t, two))
	require.NoError(t, one.Do(contacts.SyncNow))
	require.Equal(t, []string{"B"}, names(t, one))
	require.Equal(t, []string{"B"}, w.serverNames("alice@example.com"))
	_, ok, err := one.Store.Get(one.Sys, b)
	require.NoError(t, err)
	require.True(t, ok)
	for _, p := range []interface{ Status() (backup.Status, error) }{one, two} {
		st, err := p.Status()
		require.NoError(t, err)
		require.Zero(t, st.Conflicts)
		require.Zero(t, st.Pending)
	}
}

func TestConflictNewerEditWins(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{Sync: true})
	two := w.phone("two", "alice@example.com", backup.Config{Sync: true})
	a := add(t, one, "A")
	require.NoError(t, two.Do(contacts.SyncNow))

	// Both edit offline; two edits later.
	require.NoError(t, w.srv.Stop())
	require.NoError(t, one.Update(contacts.Contact{ID: a, Name: []string{"A by one"}}))
	w.advance(time.Minute)
	require.NoError(t, two.Update(contacts.Contact{ID: a, Name: []string{"A by two"}}))
	require.NoError(t, w.srv.Start())

	// One pushes first (no conflict: the server still has the version both saw).
	w.advance(2 * time.Minute)
	require.Equal(t, []string{"A by two"}, w.serverNames("alice@example.com"),
		"two's PUT met one's version with a 412 and, being newer, replaced it")
	st := status(t, two)
	require.Equal(t, 1, st.Conflicts)
	require.Contains(t, logOf(t, two), "conflict on "+a+": edited on both sides, this phone's edit (2015-06-01T12:01:00Z) is newer than the server's (2015-06-01T12:00:00Z): the phone wins")

	require.NoError(t, one.Do(contacts.SyncNow))
	require.Equal(t, []string{"A by two"}, names(t, one))
	require.Equal(t, []string{"A by two"}, names(t, two))
}

func TestConflictServerWinsTiesAndOlderEdits(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{Sync: true})
	two := w.phone("two", "alice@example.com", backup.Config{Sync: true})
	a := add(t, one, "A")
	require.NoError(t, two.Do(contacts.SyncNow))
	require.NoError(t, w.srv.Stop())
	require.NoError(t, two.Update(contacts.Contact{ID: a, Name: []string{"A by two"}})) // earlier
	w.advance(time.Minute)
	require.NoError(t, one.Update(contacts.Contact{ID: a, Name: []string{"A by one"}})) // later
	require.NoError(t, w.srv.Start())
	require.NoError(t, one.Do(contacts.SyncNow)) // one's newer edit reaches the server first
	require.NoError(t, two.Do(contacts.SyncNow)) // two's older edit meets it
	require.Equal(t, []string{"A by one"}, names(t, two), "the server's newer version replaced two's older edit")
	require.Equal(t, []string{"A by one"}, w.serverNames("alice@example.com"))
	require.Equal(t, 1, status(t, two).Conflicts)
}

func TestConflictEditBeatsDeletion(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{Sync: true})
	two := w.phone("two", "alice@example.com", backup.Config{Sync: true})
	a := add(t, one, "A")
	require.NoError(t, two.Do(contacts.SyncNow))
	require.NoError(t, w.srv.Stop())
	require.NoError(t, one.Remove(a))
	require.NoError(t, two.Update(contacts.Contact{ID: a, Name: []string{"A kept"}}))
	require.NoError(t, w.srv.Start())
	require.NoError(t, two.Do(contacts.SyncNow)) // the edit reaches the server
	require.NoError(t, one.Do(contacts.SyncNow)) // the deletion meets it and loses
	require.Equal(t, []string{"A kept"}, names(t, one), "the edited contact came back")
	require.Equal(t, []string{"A kept"}, w.serverNames("alice@example.com"))
	require.Contains(t, logOf(t, one), "conflict on "+a+": deleted here, edited on the server: the edit wins and comes back")
}

func TestSyncTokenMeansNoDownloadsForAnUnchangedBook(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{})
	for i := range 20 {
		add(t, one, string(rune('A'+i)))
	}
	two := w.phone("two", "alice@example.com", backup.Config{})
	require.NoError(t, two.Do(contacts.Restore))
	require.Len(t, names(t, two), 20)

	w.srv.Provider().ResetStats()
	require.NoError(t, two.Do(contacts.SyncNow))
	st := w.srv.Provider().Stats()
	require.Equal(t, map[string]int{"REPORT sync-collection": 1}, st.Requests)
	require.Zero(t, st.CardsDownloaded)
}

func TestMalformedCardsOnTheServerAreSkipped(t *testing.T) {
	w := newWorld(t)
	one := w.phone("one", "alice@example.com", backup.Config{})
	add(t, one, "A")
	require.NoError(t, w.srv.Provider().PutRawCard("alice@example.com", "bad.vcf", []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:old\r\nEND:VCARD\r\n")))
	require.NoError(t, w.srv.Provider().PutRawCard("alice@example.com", "worse.vcf", []byte("this is not a vCard at all")))
	two := w.phone("two", "alice@example.com", backup.Config{Sync: true})
	require.NoError(t, two.Do(contacts.Restore))
	require.Equal(t, []string{"A"}, names(t, two))
	st := status(t, two)
	require.Equal(t, []string{
		"bad.vcf: malformed vCard: unsupported VERSION \"2.1\"",
		"worse.vcf: malformed vCard: EOF", // stored verbatim, so given verbatim
	}, slicesSorted(st.Malformed))
	require.Equal(t, backup.StIdle, st.State)

	// They are not asked for again until they change.
	w.srv.Provider().ResetStats()
	require.NoError(t, two.Do(contacts.SyncNow))
	require.Equal(t, map[string]int{"REPORT sync-collection": 1}, w.srv.Provider().Stats().Requests)
}

func slicesSorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

func TestDeleteAccountAndRevokePassword(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{})
	add(t, p, "A")
	require.NoError(t, p.Do(contacts.RevokePassword))
	acct, _ := w.srv.Provider().Account("alice@example.com")
	require.Zero(t, acct.Passwords)
	add(t, p, "B")
	st := status(t, p)
	require.Equal(t, 2, st.Provisionings, "a forgotten password is provisioned again")
	require.Equal(t, []string{"A", "B"}, w.serverNames("alice@example.com"))

	require.NoError(t, p.Do(contacts.DeleteAccount))
	_, exists := w.srv.Provider().Account("alice@example.com")
	require.False(t, exists)
	st = status(t, p)
	require.False(t, st.Enabled)
	require.Equal(t, "account deleted", st.Reason)
	add(t, p, "C")
	require.Empty(t, w.srv.Provider().Accounts(), "with the switch OFF nothing provisions a new account")
	require.Equal(t, []string{"A", "B", "C"}, names(t, p), "the phone keeps its contacts")

	// Switching back ON starts a new account and backs everything up again.
	require.NoError(t, p.Switch(true))
	require.ElementsMatch(t, []string{"A", "B", "C"}, w.serverNames("alice@example.com"))
}

func TestProviderDeletingTheAccountLeadsToAFreshBackup(t *testing.T) {
	w := newWorld(t)
	p := w.phone("phone", "alice@example.com", backup.Config{Sync: true})
	add(t, p, "A")
	add(t, p, "B")
	require.NoError(t, w.srv.Provider().DeleteAccount("alice@example.com"))
	add(t, p, "C")
	// 401, new credentials for a new account (a new book), every contact uploaded
	// again, and nothing deleted from the phone.
	require.Equal(t, []string{"A", "B", "C"}, names(t, p))
	require.ElementsMatch(t, []string{"A", "B", "C"}, w.serverNames("alice@example.com"))
}

func TestAHostileServerNeitherCrashesNorLosesChanges(t *testing.T) {
	w := newWorld(t)
	answers := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) {
			w.WriteHeader(207)
			_, _ = io.WriteString(w, "<D:multistatus xmlns:D=\"DAV:\"><garbage")
		},
		func(w http.ResponseWriter) { w.WriteHeader(500) },
		func(w http.ResponseWriter) {
			w.WriteHeader(207)
			_, _ = io.WriteString(w, strings.Repeat("\x00\xff", 1000))
		},
		func(w http.ResponseWriter) { w.Header().Set("Content-Length", "100"); w.WriteHeader(207) }, // cut short
	}
	var mu sync.Mutex
	n := 0
	hostile := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		answer := answers[n%len(answers)]
		n++
		mu.Unlock()
		answer(rw)
	}))
	defer hostile.Close()
	p, err := stubphone.New(w.fxa, "p", sim.Options{Seed: 9}, "alice@example.com", backup.Config{HTTP: hostile.Client()}, nil)
	require.NoError(t, err)
	w.phones = append(w.phones, p)
	require.NoError(t, p.UseOwnServer(hostile.URL+"/dav/", "u", "p"))
	add(t, p, "A")
	for range 6 {
		w.advance(5 * time.Minute)
	}
	st := status(t, p)
	require.Equal(t, backup.StWaiting, st.State)
	require.Equal(t, 1, st.Pending, "the change is still queued")
	require.Empty(t, p.Sys.Faults())
	queued, err := p.Backup.Queued(p.Sys)
	require.NoError(t, err)
	require.Len(t, queued, 1)
}

// A card another client wrote (3.0, PHOTO, CATEGORIES, X- properties, an item1.
// group): the phone's edit used to replace it with its own 4.0 card, dropping
// all of that, with REV from the simulation's clock.
const desktopCard = "BEGIN:VCARD\r\n" +
	"VERSION:3.0\r\n" +
	"PRODID:-//Desktop client//EN\r\n" +
	"UID:desk-1\r\n" +
	"FN:Ada Lovelace\r\n" +
	"N:Lovelace;Ada;;;\r\n" +
	"item1.EMAIL;TYPE=INTERNET:ada@example.com\r\n" +
	"item1.X-ABLabel:engine\r\n" +
	"CATEGORIES:friends,math\r\n" +
	"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n" +
	"X-CUSTOM;X-PARAM=keep:me\r\n" +
	"REV:20240101T000000Z\r\n" +
	"END:VCARD\r\n"

func TestThePhonesEditKeepsWhatItDoesNotUnderstand(t *testing.T) {
	for _, wall := range []bool{false, true} {
		t.Run(map[bool]string{false: "phone clock", true: "wall clock"}[wall], func(t *testing.T) {
			w := newWorld(t)
			seed := w.phone("seed", "alice@example.com", backup.Config{})
			add(t, seed, "Seed") // provisions the account
			require.NoError(t, w.srv.Provider().PutRawCard("alice@example.com", "desk-1.vcf", []byte(desktopCard)))
			p := w.phone("phone", "alice@example.com", backup.Config{Sync: true, WallClockREV: wall})
			require.NoError(t, p.Do(contacts.Restore))
			got, ok, err := p.Store.Get(p.Sys, "desk-1")
			require.NoError(t, err)
			require.True(t, ok)
			edited := got.Contact
			edited.Name = []string{"Ada King"}
			before := time.Now().UTC().Truncate(time.Second)
			require.NoError(t, p.Update(edited))
			require.Equal(t, 1, status(t, p).Uploaded)

			cards, err := w.srv.Provider().Cards("alice@example.com")
			require.NoError(t, err)
			var data string
			for _, c := range cards {
				if c.Name == "desk-1.vcf" {
					data = string(c.Data)
				}
			}
			rev := regexp.MustCompile(`\r\nREV:(\d{8}T\d{6}Z)\r\n`).FindStringSubmatch(data)
			require.NotNil(t, rev, data)
			data = strings.Replace(data, rev[0], "\r\n", 1)
			require.Equal(t, "BEGIN:VCARD\r\n"+
				"VERSION:3.0\r\n"+
				"PRODID:-//Desktop client//EN\r\n"+
				"UID:desk-1\r\n"+
				"N:Lovelace;Ada;;;\r\n"+
				"item1.EMAIL;TYPE=INTERNET:ada@example.com\r\n"+
				"item1.X-ABLabel:engine\r\n"+
				"CATEGORIES:friends,math\r\n"+
				"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\r\n"+
				"X-CUSTOM;X-PARAM=keep:me\r\n"+
				"FN:Ada King\r\n"+
				"END:VCARD\r\n", data)
			stamp, err := time.Parse("20060102T150405Z", rev[1])
			require.NoError(t, err)
			if wall {
				require.False(t, stamp.Before(before), "REV %s from the wall clock", rev[1])
			} else {
				require.Equal(t, w.clock.Now().UTC().Truncate(time.Second), stamp, "REV from the phone's clock")
			}
		})
	}
}
