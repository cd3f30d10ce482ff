package scenario

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const ownServerBase = "kind: contacts\nname: own\naccounts:\n  - {email: a@example.com}\ndevices:\n"

func TestADeviceNamesItsOwnCardDAVServer(t *testing.T) {
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

// radicale starts Debian's Radicale on loopback with one user (skipped, or
// failed under MOZIDSIM_REQUIRE_RADICALE, when it is not installed).
func radicale(t *testing.T, user, password string) string {
	t.Helper()
	bin, err := exec.LookPath("radicale")
	if err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_RADICALE") != "" {
			t.Fatal("radicale is not installed, and MOZIDSIM_REQUIRE_RADICALE says this run must test against it")
		}
		t.Skip("radicale is not installed: `apt-get install -y radicale` (as .ci/run does)")
	}
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	require.NoError(t, os.WriteFile(users, []byte(user+":"+password+"\n"), 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "--config", "", "--server-hosts", addr, "--storage-filesystem-folder", filepath.Join(dir, "collections"),
		"--auth-type", "htpasswd", "--auth-htpasswd-filename", users, "--auth-htpasswd-encryption", "plain",
		"--auth-delay", "0", "--logging-level", "warning")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait() // out is Radicale's until it has exited
			t.Fatalf("radicale did not start on %s: %s", addr, out.String())
		}
	}
	return "http://" + addr + "/"
}

func TestRunBacksUpToTheDevicesOwnServer(t *testing.T) {
	url := radicale(t, "alice", "s3cret")
	yaml := ownServerBase + "  - {name: phone, user: a@example.com, carddav: {url: '" + url + "', username: alice, password: s3cret}}\n" +
		"steps:\n  - {contacts: add, device: phone, contact: {name: [Prunella Smith]}}\n" +
		"expect:\n  server:\n    - {account: a@example.com, exists: false}\n" +
		"  devices:\n    phone: {state: idle, provisionings: 0, uploaded: 1, log: [\"/alice/contacts/\", \".vcf -> 201 Created\"]}\n"
	var out bytes.Buffer
	code := RunFile("own.yaml", []byte(yaml), true, &out)
	require.Equal(t, ExitPass, code, out.String())
	require.True(t, strings.HasSuffix(out.String(), "PASS own\n"), out.String())
}
