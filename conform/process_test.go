package conform

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// alive reports whether pid is a live (not zombie) process.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return f[0] != "Z" && f[0] != "X"
}

// readPids waits for the command to write its children's pids.
func readPids(t *testing.T, path string, n int) []int {
	t.Helper()
	var pids []int
	require.Eventually(t, func() bool {
		data, err := os.ReadFile(path)
		if err != nil {
			return false
		}
		pids = nil
		for _, f := range strings.Fields(string(data)) {
			p, err := strconv.Atoi(f)
			if err == nil {
				pids = append(pids, p)
			}
		}
		return len(pids) >= n
	}, 5*time.Second, 10*time.Millisecond)
	return pids
}

func TestProcessEnvDirAndGroupStop(t *testing.T) {
	dir := t.TempDir()
	// The shell starts two background children (one a grandchild) and
	// waits: all three must end with Stop.
	p, err := StartProcess(`echo "$PORT $MOZIDSIM_URL $(pwd)" > env.txt; sleep 300 & (sleep 300 & echo $! >> pids; wait) & echo $! >> pids; echo $$ >> pids; wait`,
		dir, 4321, "http://127.0.0.1:9/", nil)
	require.NoError(t, err)
	pids := readPids(t, filepath.Join(dir, "pids"), 3)
	env, err := os.ReadFile(filepath.Join(dir, "env.txt"))
	require.NoError(t, err)
	require.Equal(t, "4321 http://127.0.0.1:9/ "+dir+"\n", string(env))
	require.GreaterOrEqual(t, len(GroupMembers(p.Pid())), 4, "sh, a subshell and two sleeps")
	for _, pid := range pids {
		require.True(t, alive(pid), "pid %d", pid)
	}
	p.Stop(2 * time.Second)
	p.Stop(time.Second) // twice is harmless
	require.Empty(t, GroupMembers(p.Pid()))
	for _, pid := range pids {
		require.False(t, alive(pid), "pid %d survived Stop", pid)
	}
}

func TestProcessStopKillsWhatIgnoresSIGTERM(t *testing.T) {
	dir := t.TempDir()
	p, err := StartProcess(`trap '' TERM; echo $$ > pids; while :; do sleep 0.05; done`, dir, 1, "x", nil)
	require.NoError(t, err)
	pids := readPids(t, filepath.Join(dir, "pids"), 1)
	start := time.Now()
	p.Stop(300 * time.Millisecond)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "SIGKILL comes only after the grace period")
	require.False(t, alive(pids[0]))
	require.Empty(t, GroupMembers(p.Pid()))
}

func TestWaitAnswering(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) }))
	defer srv.Close()
	require.NoError(t, WaitAnswering(context.Background(), srv.URL, nil, time.Second), "any HTTP answer counts")

	port, err := FreePort()
	require.NoError(t, err)
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	err = WaitAnswering(context.Background(), url, nil, 300*time.Millisecond)
	require.ErrorContains(t, err, url+" did not answer within 300ms")

	p, err := StartProcess(`echo "listening? no: missing module"; exit 3`, t.TempDir(), port, "x", nil)
	require.NoError(t, err)
	err = WaitAnswering(context.Background(), url, p, 10*time.Second)
	require.EqualError(t, err, "the start command exited (exit status 3) before "+url+" answered; its last output:\n    listening? no: missing module")
	p.Stop(time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, WaitAnswering(ctx, url, nil, 10*time.Second), context.Canceled)
}

func itoa(n int) string { return strconv.Itoa(n) }
