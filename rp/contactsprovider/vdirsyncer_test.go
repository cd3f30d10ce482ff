package contactsprovider

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/carddavtest"
)

// vdirsyncer is one configured client: the provider (a) against a directory (b).
type vdirsyncer struct {
	t     *testing.T
	bin   string
	cfg   string
	local string
}

func newVdirsyncer(t *testing.T, f *fixture, lr LoginResponse, url string) *vdirsyncer {
	bin := carddavtest.Vdirsyncer(t)
	dir := t.TempDir()
	cert := filepath.Join(dir, "cert.pem")
	require.NoError(t, os.WriteFile(cert, f.srv.CertificatePEM(), 0o600))
	v := &vdirsyncer{t: t, bin: bin, cfg: filepath.Join(dir, "config"), local: filepath.Join(dir, "local")}
	cfg := fmt.Sprintf(`[general]
status_path = %q

[pair contacts]
a = "provider"
b = "local"
collections = ["from a"]
conflict_resolution = "a wins"

[storage provider]
type = "carddav"
url = %q
username = %q
password = %q
verify = %q

[storage local]
type = "filesystem"
path = %q
fileext = ".vcf"
`, filepath.Join(dir, "status")+"/", url, lr.BasicAuth.UserName, lr.BasicAuth.Password, cert, v.local+"/")
	require.NoError(t, os.WriteFile(v.cfg, []byte(cfg), 0o600))
	return v
}

func (v *vdirsyncer) run(args ...string) string {
	v.t.Helper()
	cmd := exec.Command(v.bin, append([]string{"-c", v.cfg}, args...)...)
	cmd.Stdin = strings.NewReader(strings.Repeat("y\n", 10))
	out, err := cmd.CombinedOutput()
	require.NoError(v.t, err, "vdirsyncer %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// collectionDir is where vdirsyncer keeps the discovered address book.
func (v *vdirsyncer) collectionDir() string {
	entries, err := os.ReadDir(v.local)
	require.NoError(v.t, err)
	require.Len(v.t, entries, 1, "one address book discovered")
	return filepath.Join(v.local, entries[0].Name())
}

func localCard(uid, fn string) string {
	return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:" + uid + "\r\nFN:" + fn + "\r\nN:;" + fn + ";;;\r\n" +
		"item1.EMAIL;TYPE=INTERNET:" + uid + "@example.com\r\nitem1.X-ABLabel:work\r\nEND:VCARD\r\n"
}

// TestVdirsyncerDiscoversFromTheRoot: discovery from "/" and from the home-set
// URL the login hands out (which used to answer an empty 207).
func TestVdirsyncerDiscoversFromTheRoot(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	for _, url := range []string{f.srv.URL() + "/", f.srv.URL() + lr.Links.AddressBookHomeSet,
		f.srv.URL() + strings.TrimSuffix(lr.Links.AddressBookHomeSet, "/")} {
		v := newVdirsyncer(t, f, lr, url)
		v.run("discover", "contacts")
		require.Equal(t, "default", filepath.Base(v.collectionDir()), url)
	}
}

func TestVdirsyncerTwoWaySync(t *testing.T) {
	f := newFixture(t)
	lr := f.login("alice@example.com")
	book := f.srv.URL() + lr.Links.AddressBookHomeSet + "default/"
	const n = 300
	for i := range n {
		status, _, body := f.request("PUT", fmt.Sprintf("%ss%03d.vcf", book, i), lr, localCard(fmt.Sprintf("s%03d", i), fmt.Sprintf("Server %03d", i)), nil)
		require.Equal(t, http.StatusCreated, status, body)
	}
	v := newVdirsyncer(t, f, lr, f.srv.URL()+"/")
	v.run("discover", "contacts")
	v.run("sync")
	dir := v.collectionDir()
	files, err := filepath.Glob(filepath.Join(dir, "*.vcf"))
	require.NoError(t, err)
	require.Len(t, files, n)

	// The client's side: new cards, an edit, a deletion, and one edit that
	// conflicts with the server's ("a wins": the server's).
	fileOf := func(uid string) string {
		for _, p := range files {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			if strings.Contains(string(data), "UID:"+uid+"\r\n") {
				return p
			}
		}
		t.Fatalf("no local file holds %s", uid)
		return ""
	}
	f001, f002, f003 := fileOf("s001"), fileOf("s002"), fileOf("s003")
	for i := range 20 {
		uid := fmt.Sprintf("c%03d", i)
		require.NoError(t, os.WriteFile(filepath.Join(dir, uid+".vcf"), []byte(localCard(uid, "Client "+uid)), 0o600))
	}
	require.NoError(t, os.WriteFile(f001, []byte(strings.Replace(localCard("s001", "Server 001"), "Server 001", "Edited on the client", -1)), 0o600))
	require.NoError(t, os.Remove(f002))
	require.NoError(t, os.WriteFile(f003, []byte(strings.Replace(localCard("s003", "Server 003"), "Server 003", "Client's side of a conflict", -1)), 0o600))
	// The server's side (another device).
	status, _, _ := f.request("PUT", book+"s003.vcf", lr, strings.Replace(localCard("s003", "Server 003"), "Server 003", "Server's side of a conflict", -1), nil)
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = f.request("PUT", book+"s004.vcf", lr, strings.Replace(localCard("s004", "Server 004"), "Server 004", "Edited on the server", -1), nil)
	require.Equal(t, http.StatusNoContent, status)
	status, _, _ = f.request("DELETE", book+"s005.vcf", lr, "", nil)
	require.Equal(t, http.StatusNoContent, status)

	v.run("sync")
	v.run("sync") // a second sync changes nothing

	cards, err := f.srv.Provider().Cards("alice@example.com")
	require.NoError(t, err)
	server := map[string]string{}
	for _, c := range cards {
		server[uidOf(string(c.Data))] = string(c.Data)
	}
	files, err = filepath.Glob(filepath.Join(dir, "*.vcf"))
	require.NoError(t, err)
	local := map[string]string{}
	for _, p := range files {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		local[uidOf(string(data))] = string(data)
	}
	require.Len(t, server, n+20-2)
	require.Equal(t, keys(server), keys(local))
	for uid, data := range server {
		require.Equal(t, fnOf(data), fnOf(local[uid]), uid)
	}
	require.Equal(t, "Edited on the client", fnOf(server["s001"]))
	require.Equal(t, "Server's side of a conflict", fnOf(server["s003"]))
	require.Equal(t, "Edited on the server", fnOf(local["s004"]))
	require.NotContains(t, server, "s002")
	require.NotContains(t, local, "s005")
	require.Contains(t, server["c007"], "item1.X-ABLabel:work\r\n", "the client's card is stored as it sent it")
}

func uidOf(card string) string { return field(card, "UID:") }
func fnOf(card string) string  { return field(card, "FN:") }

func field(card, prefix string) string {
	for _, l := range strings.Split(strings.ReplaceAll(card, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix)
		}
	}
	return ""
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
