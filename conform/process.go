package conform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Process is the RP's start command, running in its own process group so that
// everything it starts (go run's child, node, a shell's background jobs) is
// stopped with it.
type Process struct {
	cmd  *exec.Cmd
	out  *tail
	done chan struct{}
	err  error // cmd.Wait's, once done is closed

	stopOnce sync.Once
}

// StartProcess runs command with sh -c in dir, with PORT and MOZIDSIM_URL added
// to the environment. Its output goes to w (may be nil) and the last few KB are
// kept for error messages.
func StartProcess(command, dir string, port int, serveURL string, w io.Writer) (*Process, error) {
	p := &Process{out: &tail{max: 4096}, done: make(chan struct{})}
	var out io.Writer = p.out
	if w != nil {
		out = io.MultiWriter(p.out, w)
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port), "MOZIDSIM_URL="+serveURL)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that keeps the output pipe open must not hold Wait forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start: %q: %w", command, err)
	}
	p.cmd = cmd
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Pid is the process (and process group) id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Output is the tail of what the command printed.
func (p *Process) Output() string { return p.out.String() }

// Stop ends the whole process group: SIGTERM, then SIGKILL for whatever is left
// after grace. It waits for the shell to be reaped and is safe to call twice.
func (p *Process) Stop(grace time.Duration) {
	p.stopOnce.Do(func() {
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		if !groupGone(pgid, grace) {
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			groupGone(pgid, time.Second)
		}
		<-p.done
	})
}

// groupGone waits up to d for no live process of the group to be left.
func groupGone(pgid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if len(GroupMembers(-pgid)) == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// GroupMembers lists the live (not zombie) processes of process group pgid.
// It reads /proc; where there is none it falls back to kill(-pgid, 0), which
// also counts zombies.
func GroupMembers(pgid int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		if errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH) {
			return nil
		}
		return []int{pgid}
	}
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(f[2]); g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitAnswering polls url until it answers any HTTP response, the process (when
// not nil) exits, or timeout passes.
func WaitAnswering(ctx context.Context, url string, p *Process, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	deadline := time.Now().Add(timeout)
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		last = err
		var exited <-chan struct{}
		if p != nil {
			exited = p.done
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-exited:
			return fmt.Errorf("the start command exited (%v) before %s answered%s", p.err, url, p.outputNote())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			note := ""
			if p != nil {
				note = p.outputNote()
			}
			return fmt.Errorf("%s did not answer within %s (%v)%s", url, timeout, last, note)
		}
	}
}

func (p *Process) outputNote() string {
	out := strings.TrimSpace(p.Output())
	if out == "" {
		return "; it printed nothing"
	}
	return "; its last output:\n" + indent(out, "    ")
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
