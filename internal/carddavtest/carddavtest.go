// Package carddavtest brings CardDAV software no one here wrote into a test:
// Debian's Radicale, a server run on loopback (the contacts backup's tests and
// the contacts scenarios' own-server test check the phone against it), and
// vdirsyncer, a client (run against the phone's provider). It stands for no
// historic component.
package carddavtest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Start runs Radicale with one user and returns its base URL; the test's
// cleanup stops it. $RADICALE names the binary; otherwise it is looked up on
// PATH, and the test is skipped when it is not installed (failed instead under
// MOZIDSIM_REQUIRE_RADICALE, as CI sets it).
func Start(t testing.TB, user, password string) string {
	t.Helper()
	bin := os.Getenv("RADICALE")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("radicale"); err != nil {
			if os.Getenv("MOZIDSIM_REQUIRE_RADICALE") != "" {
				t.Fatal("radicale is not installed, and MOZIDSIM_REQUIRE_RADICALE says this run must test against it")
			}
			t.Skip("radicale is not installed: `apt-get install -y radicale` (as .ci/run does) to run the test against a real CardDAV server")
		}
	}
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	require.NoError(t, os.WriteFile(users, []byte(user+":"+password+"\n"), 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	cmd := exec.Command(bin, "--config", "", "--server-hosts", addr,
		"--storage-filesystem-folder", filepath.Join(dir, "collections"),
		"--auth-type", "htpasswd", "--auth-htpasswd-filename", users, "--auth-htpasswd-encryption", "plain",
		"--auth-delay", "0", "--logging-level", "warning")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("radicale's output:\n%s", out.String())
		}
	})
	// Wait (real time: an external process starting) until it accepts connections.
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not start on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/"
}

// Vdirsyncer finds Debian's vdirsyncer, or skips the test (fails it under
// MOZIDSIM_REQUIRE_VDIRSYNCER, as CI sets it).
func Vdirsyncer(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("vdirsyncer")
	if err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_VDIRSYNCER") != "" {
			t.Fatal("vdirsyncer is not installed, and MOZIDSIM_REQUIRE_VDIRSYNCER says this run must test against it")
		}
		t.Skip("vdirsyncer is not installed: `apt-get install -y vdirsyncer` (as .ci/run does) to test a real CardDAV client")
	}
	return bin
}
