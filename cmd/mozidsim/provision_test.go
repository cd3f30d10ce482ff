package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestProvisionAgainstServeFxAAndServeContacts is the README's three commands:
// serve-fxa, serve-contacts --fxa-url, provision --create; the printed
// credentials then work for CardDAV, and the certificate survives a restart.
func TestProvisionAgainstServeFxAAndServeContacts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs mozidsim: skipped with -short")
	}
	fxa := start(t, serveFxA, "--addr", "127.0.0.1:0", "--admin-token", testToken)
	dir := t.TempDir()
	p := startContactsProcess(t, dir, "--fxa-url", "http://"+fxa.addr)
	certFile := filepath.Join(dir, "tls-cert.pem")
	firstCert, err := os.ReadFile(certFile)
	require.NoError(t, err)

	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"provision", "--fxa-url", "http://" + fxa.addr, "--contacts-url", p.url,
		"--email", "ada@example.com", "--password", "correct horse", "--create", "--admin-token", testToken, "--ca-cert", certFile}, nil, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	var creds struct{ URL, Home, Username, Password string }
	require.NoError(t, json.Unmarshal(out.Bytes(), &creds))
	require.Regexp(t, `^`+p.url+`/dav/fxa-[0-9a-f]{12}/contacts/default/$`, creds.URL)
	require.Equal(t, strings.TrimSuffix(creds.URL, "default/"), creds.Home)
	require.Regexp(t, `^fxa-[0-9a-f]{12}$`, creds.Username)

	req, _ := http.NewRequest("PROPFIND", creds.URL, nil)
	req.SetBasicAuth(creds.Username, creds.Password)
	req.Header.Set("Depth", "0")
	resp, err := p.client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusMultiStatus, resp.StatusCode)

	// Wrong password: a clear error, exit 1.
	out.Reset()
	errOut.Reset()
	code = Main(context.Background(), []string{"provision", "--fxa-url", "http://" + fxa.addr, "--contacts-url", p.url,
		"--email", "ada@example.com", "--password", "wrong", "--ca-cert", certFile}, nil, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "mozidsim provision: signing in to http://"+fxa.addr+" as ada@example.com: ")

	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	_ = p.cmd.Wait()
	startContactsProcess(t, dir, "--fxa-url", "http://"+fxa.addr)
	again, err := os.ReadFile(certFile)
	require.NoError(t, err)
	require.Equal(t, firstCert, again, "the certificate is made once and kept in --dir")
}
