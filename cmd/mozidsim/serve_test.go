package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/scenarios"
)

// server is one serve-fxa or verify-server run in the background.
type server struct {
	addr           string
	stdout, stderr *lockedBuffer
	cancel         context.CancelFunc
	done           chan int
}

type serveFunc func(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) int

func start(t *testing.T, serve serveFunc, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	ready := make(chan string, 1)
	go func() { s.done <- serve(ctx, args, s.stdout, s.stderr, ready) }()
	select {
	case s.addr = <-ready:
	case code := <-s.done:
		cancel()
		t.Fatalf("server exited with %d before listening: %s", code, s.stderr)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the context and waits for the command's exit status.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // later stops see it too
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop after its context was cancelled")
		return -1
	}
}

// testToken is the admin token the tests give serve-fxa.
const testToken = "t0ken"

// mintAssertion runs a shipped-style scenario against the auth server at
// fxaURL and returns the backed assertion the page received in onlogin.
func mintAssertion(t *testing.T, fxaURL string) string {
	t.Helper()
	sc, err := scenarios.Parse("mint.yaml", []byte(`
name: mint
accounts:
  - {email: alice@example.com, password: "correct horse battery"}
device: {user: alice@example.com}
apps:
  - {name: shop, origin: "https://shop.example.com"}
steps:
  - {app: shop, watch: {}}
expect:
  shop: ["onlogin aud=https://shop.example.com email=alice@example.com", onready]
`))
	require.NoError(t, err)
	res, err := scenarios.Run(sc, scenarios.Options{FxAURL: fxaURL, FxAAdminToken: testToken})
	require.NoError(t, err)
	require.Empty(t, res.Problems)
	log := res.Logs["shop"]
	require.Len(t, log, 2)
	require.NotEmpty(t, log[0].Assertion)
	return log[0].Assertion
}

// postV2 posts a /v2 body and returns the status and the decoded answer.
func postV2(t *testing.T, addr string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post("http://"+addr+"/v2", "application/json", bytes.NewReader(raw))
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(answer, &m), string(answer))
	return resp.StatusCode, m
}

// TestServeFxAAndVerifyServer is the two servers as an RP's backend meets them:
// a scenario runs against serve-fxa on a loopback socket (the phone signs in,
// the server signs its key, the page gets an assertion), and verify-server,
// taking the FxA key from that server's /.well-known/browserid, answers the
// RP's POST /v2 as mozilla/browserid-verifier did (fxaccounts-crypto §10).
func TestServeFxAAndVerifyServer(t *testing.T) {
	fxa := start(t, serveFxA, "--addr", "127.0.0.1:0", "--admin-token", testToken)
	fxaURL := "http://" + fxa.addr
	require.Equal(t, "mozidsim serve-fxa: listening on "+fxaURL+" (issuer api.accounts.firefox.com, admin API on "+
		"(/__mozidsim/*: for tests only); run scenarios with: MOZIDSIM_ADMIN_TOKEN=t0ken mozidsim run --fxa-url "+fxaURL+" scenarios/)\n", fxa.stdout.String())

	assertion := mintAssertion(t, fxaURL)

	// The phone minted it at its virtual time, the start of every scenario.
	epoch := sim.Epoch.Format(time.RFC3339)
	require.Equal(t, "2015-06-01T12:00:00Z", epoch)
	ver := start(t, serveVerifier, "--addr", "127.0.0.1:0", "--fxa-url", fxaURL, "--now", epoch)
	require.Equal(t, "mozidsim verify-server: listening on http://"+ver.addr+
		" (POST /v2 {assertion, audience}; verifying as of 2015-06-01T12:00:00Z)\n", ver.stdout.String())

	code, answer := postV2(t, ver.addr, map[string]any{"assertion": assertion, "audience": "https://shop.example.com"})
	require.Equal(t, http.StatusOK, code)
	email, _ := answer["email"].(string)
	require.Regexp(t, `^[0-9a-f]{32}@api\.accounts\.firefox\.com$`, email, "principal: the account's uid at the issuer")
	require.Equal(t, map[string]any{
		"status":   "okay",
		"email":    email,
		"audience": "https://shop.example.com",
		// ASSERTION_LIFETIME: 25 years from the minting (§2.1), in ms.
		"expires": float64(sim.Epoch.Add(25 * 365 * 24 * time.Hour).UnixMilli()),
		"issuer":  "api.accounts.firefox.com",
		"idpClaims": map[string]any{
			// Created and signed in at the phone's time: ms and s since the epoch.
			"fxa-generation":    float64(sim.Epoch.UnixMilli()),
			"fxa-lastAuthAt":    float64(sim.Epoch.Unix()),
			"fxa-verifiedEmail": "alice@example.com",
		},
	}, answer)

	// The audience as the RP supplies it: a bare host means http://, port 80.
	code, answer = postV2(t, ver.addr, map[string]any{"assertion": assertion, "audience": "shop.example.com"})
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]any{"status": "failure", "reason": "audience mismatch: scheme mismatch"}, answer)
	code, answer = postV2(t, ver.addr, map[string]any{"assertion": assertion, "audience": "https://news.example.com"})
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]any{"status": "failure", "reason": "audience mismatch: domain mismatch"}, answer)

	// cert~assertion: change one character of each signature.
	for _, tc := range []struct {
		what      string
		assertion string
		reason    string
	}{
		{"assertion signature", tamperSignature(t, assertion, 1), "invalid signature"},
		{"certificate signature", tamperSignature(t, assertion, 0), "invalid signature"},
		// The chain is checked before the one-certificate rule (§10.1): the
		// second copy is RS256 but must verify with the first one's DSA key.
		{"the certificate twice", strings.Replace(assertion, "~", "~"+strings.Split(assertion, "~")[0]+"~", 1), "algorithms do not match"},
		{"no certificate", strings.Split(assertion, "~")[1], "no certificates provided"},
	} {
		code, answer = postV2(t, ver.addr, map[string]any{"assertion": tc.assertion, "audience": "https://shop.example.com"})
		require.Equal(t, http.StatusOK, code, tc.what)
		require.Equal(t, map[string]any{"status": "failure", "reason": tc.reason}, answer, tc.what)
	}

	// Bad requests are the HTTP errors of [BV] §10.2.
	code, answer = postV2(t, ver.addr, map[string]any{"assertion": assertion})
	require.Equal(t, http.StatusBadRequest, code)
	require.Equal(t, map[string]any{"status": "failure", "reason": "missing audience parameter"}, answer)
	resp, err := http.Post("http://"+ver.addr+"/v2", "text/plain", strings.NewReader("x"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnsupportedMediaType, resp.StatusCode)

	// Without --now the wall clock is years past the 6 h certificate.
	wall := start(t, serveVerifier, "--addr", "127.0.0.1:0", "--fxa-url", fxaURL)
	code, answer = postV2(t, wall.addr, map[string]any{"assertion": assertion, "audience": "https://shop.example.com"})
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]any{"status": "failure", "reason": "expired"}, answer)

	// Cancelling the context shuts each server down cleanly.
	for _, s := range []*server{wall, ver, fxa} {
		require.Equal(t, 0, s.stop(t))
		require.Empty(t, s.stderr.String())
	}
	_, err = http.Get("http://" + fxa.addr + "/.well-known/browserid")
	require.Error(t, err, "nothing listens after shutdown")
}

// tamperSignature changes one character in the middle of the signature of the
// bundle's part (0 the certificate, 1 the assertion), keeping it base64url.
func tamperSignature(t *testing.T, bundle string, part int) string {
	t.Helper()
	parts := strings.Split(bundle, "~")
	require.Len(t, parts, 2)
	segs := strings.Split(parts[part], ".")
	require.Len(t, segs, 3)
	sig := []byte(segs[2])
	i := len(sig) / 2
	if sig[i] == 'A' {
		sig[i] = 'B'
	} else {
		sig[i] = 'A'
	}
	segs[2] = string(sig)
	parts[part] = strings.Join(segs, ".")
	return strings.Join(parts, "~")
}

// The whole CLI path: `mozidsim run --fxa-url` against serve-fxa, then every
// shipped fault scenario too, through Main.
func TestRunAgainstServeFxA(t *testing.T) {
	fxa := start(t, serveFxA, "--addr", "127.0.0.1:0")
	// The token is random unless given: take it from the listening line.
	line := fxa.stdout.String()
	i := strings.Index(line, "MOZIDSIM_ADMIN_TOKEN=") + len("MOZIDSIM_ADMIN_TOKEN=")
	token := line[i : i+strings.IndexByte(line[i:], ' ')]
	require.Regexp(t, `^[0-9a-f]{32}$`, token)

	code, out, errOut := mainOut(t, "run", "--fxa-url", "http://"+fxa.addr, "watch-signed-in")
	require.Equal(t, 2, code, out)
	require.Empty(t, out)
	require.Equal(t, "mozidsim run: --fxa-url needs the server's admin token: pass the one serve-fxa printed with --admin-token or set MOZIDSIM_ADMIN_TOKEN\n", errOut)
	code, out, _ = mainOut(t, "run", "--fxa-url", "http://"+fxa.addr, "--admin-token", "wrong", "watch-signed-in")
	require.Equal(t, 2, code, out)
	require.Equal(t, "FAIL watch-signed-in\n"+
		"    scenarios/watch-signed-in.yaml: device: FxA server at http://"+fxa.addr+": fxa admin /__mozidsim/reset: "+
		"HTTP 401 errno 999: the admin API: wrong X-Mozidsim-Admin-Token\n", out)

	code, out, errOut = mainOut(t, "run", "--fxa-url", "http://"+fxa.addr, "--admin-token", token, "watch-signed-in", "server-throttle", "server-invalid-token")
	require.Equal(t, 0, code, out)
	require.Equal(t, "PASS watch-signed-in\nPASS server-throttle\nPASS server-invalid-token\n", out)
	require.Empty(t, errOut)
	t.Setenv("MOZIDSIM_ADMIN_TOKEN", token)
	code, out, _ = mainOut(t, "run", "--fxa-url", "http://"+fxa.addr, "watch-signed-in")
	require.Equal(t, 0, code, out)

	// Without the admin API the scenario cannot set the server up.
	closed := start(t, serveFxA, "--addr", "127.0.0.1:0", "--no-admin")
	require.Equal(t, "mozidsim serve-fxa: listening on http://"+closed.addr+" (issuer api.accounts.firefox.com, admin API off)\n", closed.stdout.String())
	code, out, _ = mainOut(t, "run", "--fxa-url", "http://"+closed.addr, "watch-signed-in")
	require.Equal(t, 2, code)
	require.Equal(t, "FAIL watch-signed-in\n"+
		"    scenarios/watch-signed-in.yaml: device: FxA server at http://"+closed.addr+": fxa admin /__mozidsim/reset: "+
		"HTTP 404: is the server running with the admin API (mozidsim serve-fxa without --no-admin)?\n", out)
}

func TestServeErrors(t *testing.T) {
	fxa := start(t, serveFxA, "--addr", "127.0.0.1:0")
	// The address is taken: exit 1 with the listener's error.
	var out, errOut lockedBuffer
	code := serveFxA(context.Background(), []string{"--addr", fxa.addr}, &out, &errOut, nil)
	require.Equal(t, 1, code)
	require.Empty(t, out.String())
	require.Equal(t, "mozidsim serve-fxa: listen tcp "+fxa.addr+": bind: address already in use\n", errOut.String())

	for _, tc := range []struct {
		serve serveFunc
		args  []string
		err   string
	}{
		{serveFxA, []string{"extra"}, "mozidsim serve-fxa: unexpected argument \"extra\"\nusage: mozidsim serve-fxa [--addr 127.0.0.1:8081] [--issuer HOST] [--no-admin]\n(mozidsim help serve-fxa explains every flag)\n"},
		{serveVerifier, []string{"extra"}, "mozidsim verify-server: unexpected argument \"extra\"\nusage: mozidsim verify-server [--addr 127.0.0.1:8082] [--fxa-url URL] [--now TIME] [flags]\n(mozidsim help verify-server explains every flag)\n"},
		{serveVerifier, []string{"--now", "yesterday"}, "mozidsim verify-server: --now \"yesterday\": want an RFC 3339 time such as 2015-06-01T12:00:00Z\n"},
	} {
		var out, errOut lockedBuffer
		require.Equal(t, 2, tc.serve(context.Background(), tc.args, &out, &errOut, nil), tc.args)
		require.Equal(t, tc.err, errOut.String())
		require.Empty(t, out.String())
	}
}
