package contactsprovider

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav/carddav"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

func TestStorageSurvivesARestart(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	c := f.dav(lr)
	ctx := context.Background()
	book := lr.Links.AddressBookHomeSet + "default/"
	for _, id := range []string{"a", "b", "c"} {
		_, err := c.PutAddressObject(ctx, book+id+".vcf", card(id, id))
		require.NoError(t, err)
	}
	first, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{})
	require.NoError(t, err)

	require.NoError(t, f.srv.Stop())
	_, err = c.GetAddressObject(ctx, book+"a.vcf")
	require.Error(t, err, "the provider is down")
	require.NoError(t, f.srv.Start())

	got, err := c.GetAddressObject(ctx, book+"a.vcf")
	require.NoError(t, err, "the device password and the card survived")
	require.Equal(t, "a", got.Card.PreferredValue(vcard.FieldFormattedName))
	again, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{SyncToken: first.SyncToken})
	require.NoError(t, err, "the sync token is still valid")
	require.Empty(t, again.Updated)
	require.Equal(t, first.SyncToken, again.SyncToken)

	// The journal store reused revisions after dropping a damaged line: a token
	// taken before must see every later change, once.
	_, err = c.PutAddressObject(ctx, book+"d.vcf", card("D", "d"))
	require.NoError(t, err)
	status, _, _ := f.request("DELETE", f.srv.URL()+book+"b.vcf", lr, "", nil)
	require.Equal(t, 204, status)
	require.NoError(t, f.srv.Stop())
	require.NoError(t, f.srv.Start())
	next, err := c.SyncCollection(ctx, book, &carddav.SyncQuery{SyncToken: first.SyncToken})
	require.NoError(t, err)
	require.Len(t, next.Updated, 1)
	require.Equal(t, book+"d.vcf", next.Updated[0].Path)
	require.Equal(t, []string{book + "b.vcf"}, next.Deleted)
	require.Equal(t, "http://mozidsim.invalid/ns/sync/"+lr.BasicAuth.UserName+"/5", next.SyncToken)
}

func TestRevisionsAreNeverReused(t *testing.T) {
	f := newFixture(t)
	alice := f.login("alice@example.com")
	bob := f.login("bob@example.com")
	ctx := context.Background()
	_, err := f.dav(alice).PutAddressObject(ctx, alice.Links.AddressBookHomeSet+"default/a.vcf", card("A", "a"))
	require.NoError(t, err)
	_, err = f.dav(bob).PutAddressObject(ctx, bob.Links.AddressBookHomeSet+"default/b.vcf", card("B", "b"))
	require.NoError(t, err)
	require.NoError(t, f.srv.Provider().DeleteAccount("bob@example.com"))
	_, err = f.dav(alice).PutAddressObject(ctx, alice.Links.AddressBookHomeSet+"default/c.vcf", card("C", "c"))
	require.NoError(t, err)
	s, err := f.dav(alice).SyncCollection(ctx, alice.Links.AddressBookHomeSet+"default/", &carddav.SyncQuery{})
	require.NoError(t, err)
	require.Equal(t, "http://mozidsim.invalid/ns/sync/"+alice.BasicAuth.UserName+"/3", s.SyncToken,
		"one counter for the file: bob's revision 2 is not handed out again")
}

// stoppedStore makes a store with one account and card, and returns the file.
func stoppedStore(t *testing.T) (*fixture, string) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	_, err := f.dav(lr).PutAddressObject(context.Background(), lr.Links.AddressBookHomeSet+"default/a.vcf", card("Prunella Quist", "a"))
	require.NoError(t, err)
	require.NoError(t, f.srv.Stop())
	return f, filepath.Join(f.dir, "contacts.db")
}

func TestADamagedOrForeignFileIsRefusedAndLeftAlone(t *testing.T) {
	t.Run("a card's bytes changed", func(t *testing.T) {
		f, file := stoppedStore(t)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		i := bytes.Index(data, []byte("Prunella Quist"))
		require.Positive(t, i)
		data[i] = 'G'
		require.NoError(t, os.WriteFile(file, data, 0o600))
		err = f.srv.Start()
		require.ErrorContains(t, err, "contactsprovider: "+file+" is damaged: card a.vcf does not match its checksum (book of fxa-")
		after, err := os.ReadFile(file)
		require.NoError(t, err)
		require.Equal(t, data, after, "never truncated or rewritten")
	})
	t.Run("both meta pages", func(t *testing.T) {
		f, file := stoppedStore(t)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		for i := 0; i < 2*4096 && i < len(data); i += 4096 {
			copy(data[i+16:i+80], bytes.Repeat([]byte{0xff}, 64))
		}
		require.NoError(t, os.WriteFile(file, data, 0o600))
		err = f.srv.Start()
		require.ErrorContains(t, err, "contactsprovider: "+file+" is not a contacts database (or is damaged): ")
		after, _ := os.ReadFile(file)
		require.Equal(t, data, after)
	})
	t.Run("not a database", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "contacts.db")
		require.NoError(t, os.WriteFile(file, []byte("BEGIN:VCARD\r\nFN:someone's export\r\nEND:VCARD\r\n"), 0o600))
		_, err := openStore(dir, true)
		require.ErrorContains(t, err, file+" is not a contacts database (or is damaged): ")
		data, _ := os.ReadFile(file)
		require.Equal(t, "BEGIN:VCARD\r\nFN:someone's export\r\nEND:VCARD\r\n", string(data))
	})
	t.Run("another program's bbolt file", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "contacts.db")
		db, err := bolt.Open(file, 0o600, nil)
		require.NoError(t, err)
		require.NoError(t, db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err }))
		require.NoError(t, db.Close())
		_, err = openStore(dir, true)
		require.EqualError(t, err, file+` is a bbolt database of some other program (no "meta" bucket)`)
	})
	t.Run("the old journal store", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "accounts.json"), []byte(`{"accounts":[]}`), 0o600))
		_, err := openStore(dir, true)
		require.EqualError(t, err, dir+" holds the old journal store (accounts.json, books/), which this version does not read; move it away or use another --dir")
	})
	t.Run("in use by another process", func(t *testing.T) {
		f := newFixture(t)
		_, err := openStore(f.dir, true)
		require.EqualError(t, err, filepath.Join(f.dir, "contacts.db")+" is in use by another process (its lock was not released within 2s)")
	})
}
