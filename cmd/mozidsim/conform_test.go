package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/conform"
)

func TestConformInvalidInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := writeFile(t, dir, "rp.yaml", "name: shop\nurl: http://127.0.0.1:8000/\nlogin: '#login'\nsignedIn: '#email'\nsignin: '#x'\n")
	good := writeFile(t, dir, "good.yaml", "name: shop\nurl: http://127.0.0.1:8000/\nlogin: '#login'\nsignedIn: '#email'\n")
	ef := writeFile(t, dir, "ef.yaml", "- {module: offline, condition: rejects-bad-assertion, result: FAILED, comment: c}\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad RP.yaml", []string{"conform", bad}, "mozidsim conform: " + bad + `:5: unknown field "signin"` + "\n"},
		{"missing RP.yaml", []string{"conform", filepath.Join(dir, "none.yaml")}, "mozidsim conform: open " + filepath.Join(dir, "none.yaml") + ": no such file or directory\n"},
		{"unknown module", []string{"conform", good, "--module", "nope"}, `mozidsim conform: no module "nope" in plan mozid-rp (modules: ` + strings.Join(conform.BuiltinPlan().IDs(), ", ") + ")\n"},
		{"era 2014 is served; Chromium missing", []string{"conform", "--era", "2014", good, "--chromium", filepath.Join(dir, "chromium")}, "mozidsim conform: no Chromium at " + filepath.Join(dir, "chromium") + " (--chromium): stat " + filepath.Join(dir, "chromium") + ": no such file or directory\n"},
		{"era 1999", []string{"conform", good, "--era", "1999"}, "mozidsim conform: --era \"1999\": want 2014 or 2015\n"},
		{"bad expected failures", []string{"conform", good, "--expected-failures", ef}, "mozidsim conform: " + ef + `:1: entry 1: module offline checks no condition "rejects-bad-assertion" (it checks: onerror-received, error-not-signed-in, no-request-loop, login-works-again)` + "\n"},
		{"no Chromium", []string{"conform", good, "--chromium", filepath.Join(dir, "chromium")}, "mozidsim conform: no Chromium at " + filepath.Join(dir, "chromium") + " (--chromium): stat " + filepath.Join(dir, "chromium") + ": no such file or directory\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := mainOut(t, tc.args...)
			require.Equal(t, 2, code)
			require.Empty(t, out)
			require.Equal(t, tc.want, errOut)
		})
	}
	code, out, errOut := mainOut(t, "conform")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.True(t, strings.HasPrefix(errOut, "mozidsim conform: want one RP.yaml, got 0\n\nusage: mozidsim conform RP.yaml"), errOut)
}

func TestConformList(t *testing.T) {
	t.Parallel()
	code, out, _ := mainOut(t, "conform", "--list")
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 16)
	require.Equal(t, "watch-at-load              The page watches at load with valid callbacks and shows nobody signed in while the phone is signed out.", lines[0])
}

// needChromium skips without Chromium unless CI requires it.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := conform.FindChromium(""); err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("MOZIDSIM_REQUIRE_CHROMIUM=1: %v", err)
		}
		t.Skipf("skipped: %v", err)
	}
}

// The real command against the example shop, started by RP.yaml's start
// command: reports, exit statuses and expected failures.
func TestConformExampleShop(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs Chromium")
	}
	needChromium(t)
	dir := t.TempDir()
	jsonl, junit := filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "r.xml")
	code, out, errOut := mainOut(t, "conform", "../../rp/examples/shop/rp.yaml", "--module", "watch-at-load", "--module", "rejects-expired", "--jsonl", jsonl, "--junit", junit)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Equal(t, []string{"PASSED watch-at-load", "PASSED rejects-expired"}, lines[:2])
	require.Regexp(t, `^shop: 2 modules: 2 PASSED, 0 FAILED in \d+\.\d s$`, lines[2])
	data, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	jl := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(jl[len(jl)-1]), &last))
	require.Equal(t, "summary", last["type"])
	data, err = os.ReadFile(junit)
	require.NoError(t, err)
	var suites struct {
		Tests int `xml:"tests,attr"`
		Fail  int `xml:"failures,attr"`
	}
	require.NoError(t, xml.Unmarshal(data, &suites))
	require.Equal(t, 2, suites.Tests)
	require.Equal(t, 0, suites.Fail)

	const failure = "FAILED rejects-expired: the page showed alice@example.com after /v2 answered failure: expired (the phone had handed it an expired assertion)"
	code, out, errOut = mainOut(t, "conform", "../../rp/examples/shop/bug-ignores-expiry.yaml", "--module", "rejects-expired")
	require.Equal(t, 1, code, errOut)
	require.Equal(t, failure, strings.Split(out, "\n")[0])
	require.Contains(t, out, "shop-ignores-expiry: 1 modules: 0 PASSED, 1 FAILED in ")
	require.Contains(t, out, "; 1 unexpected failure(s)\n")

	ef := writeFile(t, dir, "ef.yaml", "- {module: rejects-expired, condition: rejects-bad-assertion, result: FAILED, comment: we tolerate clock skew}\n")
	code, out, errOut = mainOut(t, "conform", "../../rp/examples/shop/bug-ignores-expiry.yaml", "--module", "rejects-expired", "--expected-failures", ef)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, strings.Replace(failure, "rejects-expired:", "rejects-expired (expected):", 1), strings.Split(out, "\n")[0])
	require.Contains(t, out, "shop-ignores-expiry: 1 modules: 0 PASSED, 1 FAILED (1 expected) in ")
}
