package soak

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/fxaccounts/fxaclient"
	"github.com/mozidsim/mozidsim/internal/browserid"
	"github.com/mozidsim/mozidsim/internal/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Load shape: small enough for a 2-core machine shared with others.
const (
	goodWorkers      = 6
	slowClients      = 24
	malformedWorkers = 2
	// maxWait is the longest a well-behaved request may take.
	maxWait = 3 * time.Second
	// maxLateGrowth is how much a server's RSS may still grow in the second
	// half of the run, when every table has had time to fill to its cap.
	maxLateGrowth = 32 << 20
	adminToken    = "soak-admin-token"
	audience      = "https://soak.example.com"
)

func TestSoak(t *testing.T) {
	budgetText := os.Getenv("MOZIDSIM_SOAK")
	if budgetText == "" {
		t.Skip("set MOZIDSIM_SOAK to a budget (e.g. 20s) to run the soak test")
	}
	budget, err := time.ParseDuration(budgetText)
	require.NoError(t, err, "MOZIDSIM_SOAK")
	require.GreaterOrEqual(t, budget, 4*time.Second, "MOZIDSIM_SOAK: at least 4s")

	bin := filepath.Join(t.TempDir(), "mozidsim")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/mozidsim")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	fxa := startServer(t, bin, "serve-fxa", "--addr", "127.0.0.1:0", "--admin-token", adminToken)
	ver := startServer(t, bin, "verify-server", "--addr", "127.0.0.1:0", "--fxa-url", "http://"+fxa.addr, "--scheme", "http")

	transport := &http.Transport{MaxIdleConnsPerHost: goodWorkers * 2}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	// Set up: a verified account, a session, a certificate, an assertion.
	admin := fxaclient.NewAdmin("http://"+fxa.addr, hc)
	admin.Token = adminToken
	require.NoError(t, admin.CreateAccount("soak@example.com", "soak password", true))
	// Logins go to another account: past 100 sessions an account's oldest
	// ends, and the workers' session must live throughout.
	require.NoError(t, admin.CreateAccount("login@example.com", "login password", true))
	client := fxaclient.New("http://"+fxa.addr, hc, time.Now, rand.Reader)
	v, serr := client.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "soak@example.com", Password: "soak password"})
	require.Nil(t, serr)
	session := v.(wire.SignInResult)
	key, err := browserid.GenerateDSAKey(rand.Reader)
	require.NoError(t, err)
	v, serr = client.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: session.SessionToken, PublicKey: key.Public(), Duration: 6 * 3600 * 1000})
	require.Nil(t, serr)
	signed, err := browserid.SignAssertion(key, audience, time.Now().Add(time.Hour))
	require.NoError(t, err)
	assertion := browserid.Bundle([]string{v.(string)}, signed)
	probe, err := probeAssertion(key)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	rssBefore := map[string]int64{"serve-fxa": fxa.rss(t), "verify-server": ver.rss(t)}

	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		latencies []time.Duration
		goodErrs  []string
		good      atomic.Int64
		malformed atomic.Int64
		mal5xx    atomic.Int64
		slowConns atomic.Int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(goodErrs) < 20 {
			goodErrs = append(goodErrs, fmt.Sprintf(format, args...))
		}
	}

	// Well-behaved clients: the phone's calls and an RP's /v2.
	for w := 0; w < goodWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := fxaclient.New("http://"+fxa.addr, hc, time.Now, rand.Reader)
			for i := w; ctx.Err() == nil; i++ {
				start := time.Now()
				var err error
				switch i % 5 {
				case 0, 1:
					err = verify(hc, ver.addr, assertion)
				case 2:
					_, serr := c.Do(wire.ServerRequest{Op: wire.OpAccountLogin, Email: "login@example.com", Password: "login password"})
					err = asError(serr)
				case 3:
					_, serr := c.Do(wire.ServerRequest{Op: wire.OpEmailStatus, SessionToken: session.SessionToken})
					err = asError(serr)
				case 4:
					_, serr := c.Do(wire.ServerRequest{Op: wire.OpCertSign, SessionToken: session.SessionToken, PublicKey: key.Public(), Duration: 60000})
					err = asError(serr)
				}
				took := time.Since(start)
				if ctx.Err() != nil && err != nil {
					return // cut off by the end of the budget
				}
				good.Add(1)
				mu.Lock()
				latencies = append(latencies, took)
				mu.Unlock()
				if err != nil {
					fail("request %d (op %d): %v", i, i%5, err)
				}
				if took > maxWait {
					fail("request %d (op %d) took %v", i, i%5, took)
				}
			}
		}()
	}

	// Slow clients: a body or headers a byte a second, reconnecting when cut off.
	for s := 0; s < slowClients; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := []string{fxa.addr, ver.addr}[s%2]
			for ctx.Err() == nil {
				slowConns.Add(1)
				slowClient(ctx, addr, s%3)
			}
		}()
	}

	// Malformed clients: everything issue 15 tried, in a loop.
	attacks := malformedRequests(fxa.addr, ver.addr, probe)
	for m := 0; m < malformedWorkers; m++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mc := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
			defer mc.CloseIdleConnections()
			for i := m; ctx.Err() == nil; i++ {
				a := attacks[i%len(attacks)]
				malformed.Add(1)
				status := a(mc)
				if status >= 500 || status == 0 && ctx.Err() == nil {
					mal5xx.Add(1)
				}
			}
		}()
	}

	// RSS half way, when the tables have filled as far as they will.
	var rssMid map[string]int64
	select {
	case <-time.After(budget / 2):
		rssMid = map[string]int64{"serve-fxa": fxa.rss(t), "verify-server": ver.rss(t)}
	case <-ctx.Done():
	}
	<-ctx.Done()
	wg.Wait()
	rssAfter := map[string]int64{"serve-fxa": fxa.rss(t), "verify-server": ver.rss(t)}

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(float64(len(latencies))*p))]
	}
	report := fmt.Sprintf("soak %v: %d well-behaved requests (%.0f req/s), %d errors, p50 %v, p99 %v, max %v; "+
		"%d malformed requests (%d answered 5xx or not at all), %d slow connections\n",
		budget, good.Load(), float64(good.Load())/budget.Seconds(), len(goodErrs), pct(0.50).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond), malformed.Load(), mal5xx.Load(), slowConns.Load())
	for _, name := range []string{"serve-fxa", "verify-server"} {
		report += fmt.Sprintf("  %s RSS: before %.1f MB, half way %.1f MB, after %.1f MB\n", name,
			mb(rssBefore[name]), mb(rssMid[name]), mb(rssAfter[name]))
	}
	fmt.Print(report)
	t.Log(report)

	require.Empty(t, goodErrs, "well-behaved requests failed or waited more than %v", maxWait)
	require.Zero(t, mal5xx.Load(), "malformed requests got 5xx or no answer")
	require.NotEmpty(t, latencies)
	for name, mid := range rssMid {
		require.LessOrEqual(t, rssAfter[name]-mid, int64(maxLateGrowth), "%s RSS kept growing: %.1f MB half way, %.1f MB after", name, mb(mid), mb(rssAfter[name]))
	}
	require.Equal(t, 0, fxa.stop(t), "serve-fxa exit status")
	require.Equal(t, 0, ver.stop(t), "verify-server exit status")
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func asError(e *wire.ServerError) error {
	if e == nil {
		return nil
	}
	return fmt.Errorf("HTTP %d errno %d: %s", e.Code, e.Errno, e.Message)
}

func verify(hc *http.Client, addr, assertion string) error {
	body, _ := json.Marshal(map[string]string{"assertion": assertion, "audience": audience})
	resp, err := hc.Post("http://"+addr+"/v2", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !bytes.Contains(answer, []byte(`"status":"okay"`)) {
		return fmt.Errorf("/v2: HTTP %d %s", resp.StatusCode, answer)
	}
	return nil
}

// probeAssertion is an assertion whose certificate names an issuer with a path
// into serve-fxa's admin API (issue 15's network probe).
func probeAssertion(key *browserid.DSAKey) (string, error) {
	cert, err := browserid.SignJWS(key, []byte(`{"alg":"DS128"}`),
		[]byte(`{"iss":"127.0.0.1:1/__mozidsim/reset?x=","exp":9999999999999,"iat":0,"principal":{"email":"a@127.0.0.1"},"public-key":{"algorithm":"DS","y":"1","p":"2","q":"3","g":"4"}}`))
	if err != nil {
		return "", err
	}
	a, err := browserid.SignAssertion(key, audience, time.Now().Add(time.Hour))
	if err != nil {
		return "", err
	}
	return browserid.Bundle([]string{cert}, a), nil
}

// slowClient holds a connection with a request that trickles in: mode 0 a
// body, mode 1 the headers, mode 2 nothing after connecting. It returns when
// the server hangs up or ctx ends.
func slowClient(ctx context.Context, addr string, mode int) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		time.Sleep(100 * time.Millisecond)
		return
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	head := "POST /v1/account/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
	var trickle string
	switch mode {
	case 0:
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		trickle = strings.Repeat(" ", 100000)
	case 1:
		trickle = head
	default:
		buf := make([]byte, 1)
		conn.Read(buf) // until the server closes the idle connection
		return
	}
	for i := 0; i < len(trickle) && ctx.Err() == nil; i++ {
		if _, err := io.WriteString(conn, trickle[i:i+1]); err != nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// malformedRequests are hostile requests; each returns the HTTP status it got
// (0: no answer, -1: none expected).
func malformedRequests(fxa, ver, probe string) []func(*http.Client) int {
	post := func(url, ct string, body []byte, hdr ...string) func(*http.Client) int {
		return func(c *http.Client) int {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			for i := 0; i+1 < len(hdr); i += 2 {
				if hdr[i] == "Host" {
					req.Host = hdr[i+1]
				} else {
					req.Header.Set(hdr[i], hdr[i+1])
				}
			}
			resp, err := c.Do(req)
			if err != nil {
				return 0
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode
		}
	}
	raw := func(addr string, data []byte) func(*http.Client) int {
		return func(*http.Client) int {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				return 0
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			conn.Write(data)
			status, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				return -1 // hung up on: fine for garbage
			}
			if m := regexp.MustCompile(`^HTTP/1\.1 (\d{3})`).FindStringSubmatch(status); m != nil {
				n, _ := strconv.Atoi(m[1])
				return n
			}
			return -1
		}
	}
	huge := bytes.Repeat([]byte("a"), 1<<20)
	return []func(*http.Client) int{
		post("http://"+fxa+"/v1/account/login", "application/json", []byte(`{"email":`)),
		post("http://"+fxa+"/v1/account/login", "application/json", huge),
		post("http://"+fxa+"/v1/account/create", "text/plain", []byte(`{"email":"x@y.z","authPW":"00"}`)),
		post("http://"+fxa+"/v1/account/create", "application/json", []byte("{\"email\":\"\xff@y.z\",\"authPW\":\"00\"}")),
		post("http://"+fxa+"/__mozidsim/reset", "text/plain", []byte(`{}`)),
		post("http://"+fxa+"/__mozidsim/accounts", "application/json", []byte(`{"email":"e@v.e","password":"p","verified":true}`), "Host", "rebound.example"),
		post("http://"+fxa+"/v1/certificate/sign", "application/json", []byte(`{}`), "Authorization", `Hawk id="x", ts="1", nonce="n", mac="m"`, "X-Mozidsim-Now", "0"),
		post("http://"+ver+"/v2", "application/json", []byte(`{"assertion":"`+probe+`","audience":"`+audience+`"}`)),
		post("http://"+ver+"/v2", "application/json", huge),
		post("http://"+ver+"/v2", "application/json", []byte(`{"assertion":"a~b","audience":"x"}`)),
		raw(fxa, []byte("\x00\x01\x02 not http at all\r\n\r\n")),
		raw(ver, append([]byte("GET /v2 HTTP/1.1\r\nHost: x\r\nX-Big: "), bytes.Repeat([]byte("b"), 200<<10)...)),
	}
}

// server is one mozidsim server process.
type server struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

var listening = regexp.MustCompile(`listening on http://([0-9.:]+) `)

func startServer(t *testing.T, bin string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	s := &server{cmd: cmd, done: make(chan error, 1)}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("%s: no listening line: %v", args[0], err)
	}
	m := listening.FindStringSubmatch(line)
	require.NotNil(t, m, line)
	s.addr = m[1]
	go func() {
		io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop interrupts the server (a clean shutdown) and returns its exit status.
func (s *server) stop(t *testing.T) int {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
			t.Errorf("%s did not stop within 10 s of SIGINT", s.cmd.Args[1])
		}
	}
	return s.cmd.ProcessState.ExitCode()
}

// rss is the server's resident set size in bytes, from /proc.
func (s *server) rss(t *testing.T) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS in /proc/%d/status", s.cmd.Process.Pid)
	return 0
}
