package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/simtest/fxastub"
)

// buildMozidsim builds this command once per test binary.
var buildMozidsim = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "mozidsim-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "mozidsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// contactsProcess is `mozidsim serve-contacts` running as its own process.
type contactsProcess struct {
	cmd    *exec.Cmd
	url    string
	client *http.Client
}

var servingLine = regexp.MustCompile(`^contacts provider: serving (https://\S+) `)

func startContactsProcess(t *testing.T, dir string, args ...string) *contactsProcess {
	t.Helper()
	bin, err := buildMozidsim()
	require.NoError(t, err)
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	cmd := exec.Command(bin, append([]string{"serve-contacts", "--addr", "127.0.0.1:0", "--dir", dir, "--cert-out", certFile}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "serve-contacts printed nothing")
	m := servingLine.FindStringSubmatch(lines.Text())
	require.NotNil(t, m, lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	pemData, err := os.ReadFile(certFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemData))
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(client.CloseIdleConnections)
	return &contactsProcess{cmd: cmd, url: m[1], client: client}
}

// TestEveryAcknowledgedWriteSurvivesKill9 uploads from four connections, kills
// the provider process with SIGKILL in the middle, restarts it on the same
// directory and reads back every card the server had answered 2xx to; with
// fsync (the default) and without (the kernel still has every write).
func TestEveryAcknowledgedWriteSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs mozidsim: skipped with -short")
	}
	t.Run("fsync", func(t *testing.T) { killMidUpload(t) })
	t.Run("no-fsync", func(t *testing.T) { killMidUpload(t, "--no-fsync") })
}

func killMidUpload(t *testing.T, flags ...string) {
	fxa, err := fxastub.NewServer(11)
	require.NoError(t, err)
	_, err = fxa.AddAccount("alice@example.com", true)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "issuer.json")
	pub, err := json.Marshal(map[string]any{"public-key": fxa.PublicKey()})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(keyFile, pub, 0o600))
	dir := t.TempDir()

	p := startContactsProcess(t, dir, append(flags, "--issuer-key", keyFile)...)
	a, err := fxa.Assertion("alice@example.com", p.url, time.Now())
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]string{"assertion": a})
	resp, err := p.client.Post(p.url+"/browserid/login", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	var lr struct {
		BasicAuth struct{ UserName, Password string } `json:"basicAuth"`
		Links     map[string]string                   `json:"links"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&lr))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	book := lr.Links["addressbook-home-set"] + "default/"

	type ack struct{ body, etag string }
	var (
		mu    sync.Mutex
		acked = map[string]ack{}
		sent  = map[string]string{}
		wg    sync.WaitGroup
	)
	const workers, killAfter = 4, 150
	killed := make(chan struct{})
	var killOnce sync.Once
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				name := fmt.Sprintf("w%d-%04d.vcf", w, i)
				card := fmt.Sprintf("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:Card %d of worker %d\r\nNOTE:%s\r\nEND:VCARD\r\n",
					name, i, w, strings.Repeat("x", 200+i%500))
				mu.Lock()
				sent[name] = card
				mu.Unlock()
				req, _ := http.NewRequest(http.MethodPut, p.url+book+name, strings.NewReader(card))
				req.SetBasicAuth(lr.BasicAuth.UserName, lr.BasicAuth.Password)
				req.Header.Set("Content-Type", "text/vcard; charset=utf-8")
				resp, err := p.client.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					t.Errorf("PUT %s: %s", name, resp.Status)
					return
				}
				mu.Lock()
				acked[name] = ack{card, resp.Header.Get("ETag")}
				n := len(acked)
				mu.Unlock()
				if n == killAfter {
					killOnce.Do(func() {
						if err := syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL); err != nil {
							t.Errorf("kill -9 %d: %v", p.cmd.Process.Pid, err)
						}
						close(killed)
					})
				}
			}
		}()
	}
	wg.Wait()
	<-killed
	err = p.cmd.Wait()
	require.ErrorContains(t, err, "signal: killed")
	require.GreaterOrEqual(t, len(acked), killAfter)

	again := startContactsProcess(t, dir, append(flags, "--issuer-key", keyFile)...)
	get := func(name string) (int, string, string) {
		req, _ := http.NewRequest(http.MethodGet, again.url+book+name, nil)
		req.SetBasicAuth(lr.BasicAuth.UserName, lr.BasicAuth.Password)
		resp, err := again.client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(data), resp.Header.Get("ETag")
	}
	for name, a := range acked {
		status, data, etag := get(name)
		require.Equal(t, http.StatusOK, status, "acknowledged %s is gone after kill -9", name)
		require.Equal(t, a.body, data, name)
		require.Equal(t, a.etag, etag, name)
	}
	// A write under way at the kill is there whole or not at all.
	for name, card := range sent {
		if _, ok := acked[name]; ok {
			continue
		}
		status, data, _ := get(name)
		if status == http.StatusOK {
			require.Equal(t, card, data, name)
		} else {
			require.Equal(t, http.StatusNotFound, status, name)
		}
	}
	t.Logf("%d writes acknowledged before the kill, %d under way; all acknowledged ones read back", len(acked), len(sent)-len(acked))
}
