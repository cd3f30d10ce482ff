package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mozidsim/mozidsim/rp/contactsprovider"
	"github.com/stretchr/testify/require"
)

// Eight `mozidsim run --fxa-url` processes at once against one serve-fxa each
// print exactly what the in-memory run prints: every scenario has its own
// namespace on the server, so none sees or resets another's accounts, faults
// or clock.
func TestEightRunsShareOneServer(t *testing.T) {
	fxa := start(t, serveFxA, "--addr", "127.0.0.1:0", "--admin-token", "tok8")
	// The scenarios that drive the server (faults, accounts, passwords, the
	// clock), not the whole library: eight race-built processes on two cores.
	suite, err := filepath.Glob("../../scenarios/server-*.yaml")
	require.NoError(t, err)
	suite = append(suite, "wrong-password", "refresh-auth", "watch-signed-in", "settings-sign-in-out")
	code, want, errOut := mainOut(t, append([]string{"run", "--parallel", "1"}, suite...)...)
	require.Equal(t, exitOK, code, want+errOut)
	require.Equal(t, strings.Count(want, "\n"), strings.Count(want, "PASS "), want)

	outs := make([]string, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], append([]string{"run", "--parallel", "2", "--fxa-url", "http://" + fxa.addr}, suite...)...)
			cmd.Env = append(os.Environ(), asCommandEnv+"=1", adminTokenEnv+"=tok8")
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			errs[i] = cmd.Run()
			outs[i] = out.String() + stderr.String()
		}()
	}
	wg.Wait()
	for i := range outs {
		require.NoError(t, errs[i], "process %d:\n%s", i, outs[i])
		require.Equal(t, want, outs[i], "process %d", i)
	}
}

// Two `mozidsim run --contacts-url` at once against one serve-contacts print
// what the in-memory run prints: every contacts scenario has a provider of its
// own on the server.
func TestContactsRunsShareOneServeContacts(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "cert.pem")
	srv, out := startContacts(t, "--addr", "127.0.0.1:0", "--dir", filepath.Join(dir, "data"), "--cert-out", cert, "--admin-token", "tokc", "--no-fsync")
	require.Contains(t, out.String(), "contacts provider: runs of their own (X-Mozidsim-Run, at most 64, dropped after 10m0s idle) with the admin token; "+
		"run scenarios with: MOZIDSIM_ADMIN_TOKEN=tokc mozidsim run --contacts-url https://"+srv.Addr()+" --contacts-ca "+cert+" scenarios/contacts/")

	suite := "../../scenarios/contacts/"
	code, want, errOut := mainOut(t, "run", "--parallel", "1", suite)
	require.Equal(t, exitOK, code, want+errOut)
	require.GreaterOrEqual(t, strings.Count(want, "PASS "), 15, want)

	outs := make([]string, 2)
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var o, e bytes.Buffer
			codes[i] = runCmd([]string{"--parallel", "4", "--contacts-url", "https://" + srv.Addr(), "--contacts-ca", cert, "--admin-token", "tokc", suite}, &o, &e)
			outs[i] = o.String() + e.String()
		}()
	}
	wg.Wait()
	for i := range outs {
		require.Equal(t, exitOK, codes[i], outs[i])
		require.Equal(t, want, outs[i], "run %d", i)
	}
	require.Equal(t, 0, srv.Runs(), "every scenario dropped its run")

	code, _, errOut = mainOut(t, "run", "--contacts-url", "https://"+srv.Addr(), suite)
	if os.Getenv(adminTokenEnv) == "" {
		require.Equal(t, exitInvalid, code)
		require.Contains(t, errOut, "--contacts-url needs the server's admin token")
	}
}

// serve-contacts' run flags are checked, and --no-runs serves a request naming
// a run as a plain one (the default namespace).
func TestServeContactsRunFlags(t *testing.T) {
	code, _, errOut := mainOut(t, "serve-contacts", "--max-runs", "0", "--dir", t.TempDir())
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "mozidsim serve-contacts: --max-runs 0 --run-idle 10m0s: want at least one run and a positive idle time")
	code, _, errOut = mainOut(t, "run", "--contacts-ca", "x.pem", "first-backup")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--contacts-ca goes with --contacts-url")

	srv, out := startContacts(t, "--addr", "127.0.0.1:0", "--dir", t.TempDir(), "--no-runs", "--no-fsync")
	require.NotContains(t, out.String(), "runs of their own")
	_, err := contactsprovider.OpenRun(contactsprovider.RunConfig{URL: "https://" + srv.Addr(), AdminToken: "any", CertPEM: srv.CertificatePEM(), ID: "a"})
	require.ErrorContains(t, err, "POST /__mozidsim/reset: HTTP 404", "no runs: the default namespace has no admin paths")
}

// startContacts runs `mozidsim serve-contacts args` until the test ends.
func startContacts(t *testing.T, args ...string) (*contactsprovider.Server, *lockedBuffer) {
	ready := make(chan *contactsprovider.Server, 1)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- serveContacts(ctx, args, out, out, ready) }()
	var srv *contactsprovider.Server
	select {
	case srv = <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("serve-contacts exited with %d: %s", code, out)
	}
	t.Cleanup(func() {
		cancel()
		require.Equal(t, 0, <-done)
	})
	return srv, out
}
