package backup_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/contacts"
	"github.com/mozidsim/mozidsim/contacts/backup"
	"github.com/mozidsim/mozidsim/contacts/internal/stubphone"
	"github.com/mozidsim/mozidsim/contacts/phone"
	"github.com/mozidsim/mozidsim/internal/carddavtest"
	"github.com/mozidsim/mozidsim/internal/sim"
)

// TestThePhoneKeepsWhatVdirsyncerWrote: a desktop card (3.0, PHOTO,
// CATEGORIES, an item1. group, X- properties) goes to Radicale through
// vdirsyncer; the phone restores it, the user renames the contact, and
// vdirsyncer brings back a card that lost nothing, with REV from today.
func TestThePhoneKeepsWhatVdirsyncerWrote(t *testing.T) {
	bin := carddavtest.Vdirsyncer(t)
	server := radicale(t, "alice", "s3cret")
	w := newWorld(t)
	mk := func(name string) *phone.Phone {
		p, err := stubphone.New(w.fxa, name, sim.Options{Seed: uint64(len(w.phones) + 1)}, "alice@example.com",
			backup.Config{Sync: true, WallClockREV: true}, nil)
		require.NoError(t, err)
		w.phones = append(w.phones, p)
		require.NoError(t, p.UseOwnServer(server, "alice", "s3cret"))
		return p
	}
	first := mk("first")
	_, err := first.Add(contacts.Contact{Name: []string{"Seed"}}) // the phone creates the address book
	require.NoError(t, err)
	require.Equal(t, backup.StIdle, status(t, first).State)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	local := filepath.Join(dir, "local")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf(`[general]
status_path = %q

[pair contacts]
a = "radicale"
b = "local"
collections = ["from a"]
conflict_resolution = "a wins"

[storage radicale]
type = "carddav"
url = %q
username = "alice"
password = "s3cret"

[storage local]
type = "filesystem"
path = %q
fileext = ".vcf"
`, filepath.Join(dir, "status")+"/", server, local+"/")), 0o600))
	vdir := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"-c", cfg}, args...)...)
		cmd.Stdin = strings.NewReader(strings.Repeat("y\n", 10))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "vdirsyncer %v:\n%s", args, out)
	}
	vdir("discover", "contacts")
	vdir("sync")
	books, err := os.ReadDir(local)
	require.NoError(t, err)
	require.Len(t, books, 1)
	file := filepath.Join(local, books[0].Name(), "desk-1.vcf")
	require.NoError(t, os.WriteFile(file, []byte(desktopCard), 0o600))
	vdir("sync")

	p := mk("phone")
	require.NoError(t, p.Do(contacts.Restore))
	all, err := p.Contacts()
	require.NoError(t, err)
	var ada contacts.Contact
	for _, c := range all {
		if len(c.Name) > 0 && c.Name[0] == "Ada Lovelace" {
			ada = c
		}
	}
	require.NotEmpty(t, ada.ID, "restored %+v", all)
	ada.Name = []string{"Ada King"}
	before := time.Now().UTC().Truncate(time.Second)
	require.NoError(t, p.Update(ada))
	require.Equal(t, backup.StIdle, status(t, p).State, status(t, p).Reason)

	vdir("sync")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	// Radicale writes the card back with its own line endings and property-name
	// case (X-ABLABEL); every property, parameter and group is there.
	card := strings.ToUpper(strings.ReplaceAll(string(data), "\r\n", "\n"))
	for _, line := range []string{"VERSION:3.0\n", "PRODID:-//Desktop client//EN\n", "UID:desk-1\n", "N:Lovelace;Ada;;;\n",
		"item1.EMAIL;TYPE=INTERNET:ada@example.com\n", "item1.X-ABLabel:engine\n", "CATEGORIES:friends,math\n",
		"PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ==\n", "X-CUSTOM;X-PARAM=keep:me\n", "FN:Ada King\n"} {
		require.Contains(t, card, strings.ToUpper(line), string(data))
	}
	rev := field(string(data), "REV:")
	stamp, err := time.Parse("20060102T150405Z", rev)
	require.NoError(t, err, card)
	require.False(t, stamp.Before(before), "REV %s is the wall clock's, not the simulation's 2015", rev)
}

func field(card, prefix string) string {
	for _, l := range strings.Split(strings.ReplaceAll(card, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}
