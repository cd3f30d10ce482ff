package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
