package conform

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseRPFull(t *testing.T) {
	rp, err := ParseRP("shop/RP.yaml", []byte(`name: shop
start: node server.js
url: http://127.0.0.1:${PORT}/
kind: certified
login: "#login"
logout: "#logout"
signedIn: "#email"
`))
	require.NoError(t, err)
	require.Equal(t, RP{Name: "shop", Start: "node server.js", URL: "http://127.0.0.1:${PORT}/", Kind: "certified",
		Login: "#login", Logout: "#logout", SignedIn: "#email", File: "shop/RP.yaml"}, *rp)
}

func TestParseRPDefaultsKindAndLoadSetsDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rp.yaml")
	require.NoError(t, os.WriteFile(path, []byte("name: x\nurl: http://127.0.0.1:8000/\nlogin: '#in'\nsignedIn: '#who'\n"), 0o644))
	rp, err := LoadRP(path)
	require.NoError(t, err)
	require.Equal(t, "privileged", rp.Kind)
	require.Equal(t, dir, rp.Dir)
	require.Empty(t, rp.Logout)
}

func TestParseRPErrorsNameFileAndLine(t *testing.T) {
	const ok = "name: shop\nstart: go run .\nurl: http://127.0.0.1:${PORT}/\nlogin: '#login'\nsignedIn: '#email'\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", ok + "logon: '#x'\n", `RP.yaml:6: unknown field "logon"`},
		{"wrong type", "name: shop\nurl: http://x/\nlogin: [a, b]\nsignedIn: '#e'\n", "RP.yaml:3: cannot unmarshal !!seq into string"},
		{"no name", "url: http://x/\nlogin: '#l'\nsignedIn: '#e'\n", "RP.yaml: name is required"},
		{"empty login", "name: shop\nurl: http://x/\nlogin: ''\nsignedIn: '#e'\n", "RP.yaml:3: login is required"},
		{"no signedIn", "name: shop\nurl: http://x/\nlogin: '#l'\n", "RP.yaml: signedIn is required"},
		{"no url", "name: shop\nlogin: '#l'\nsignedIn: '#e'\n", "RP.yaml: url is required"},
		{"bad kind", ok + "kind: hosted\n", `RP.yaml:6: kind "hosted" is not one of certified, privileged, web, browser`},
		{"port without start", "name: shop\nurl: http://127.0.0.1:${PORT}/\nlogin: '#l'\nsignedIn: '#e'\n", "RP.yaml:2: url uses ${PORT} but there is no start command to give a port to"},
		{"not http", "name: shop\nurl: file:///tmp/x.html\nlogin: '#l'\nsignedIn: '#e'\n", `RP.yaml:2: url "file:///tmp/x.html" is not an http:// or https:// URL`},
		{"other variable", "name: shop\nstart: x\nurl: http://${HOST}:${PORT}/\nlogin: '#l'\nsignedIn: '#e'\n", "RP.yaml:3: url: ${HOST} is not expanded (only ${PORT} is)"},
		{"two documents", ok + "---\nname: other\n", "RP.yaml:6: a second YAML document: the file holds one"},
		{"empty", "", "RP.yaml: empty file"},
		{"not a mapping", "- a\n", "RP.yaml:1: cannot unmarshal !!seq into conform.RP"},
		{"syntax", "name: [shop\n", "RP.yaml:1: did not find expected ',' or ']'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRP("RP.yaml", []byte(tc.yaml))
			require.Error(t, err)
			require.Equal(t, tc.want, err.Error())
		})
	}
}

func TestLoadRPMissingFile(t *testing.T) {
	_, err := LoadRP(filepath.Join(t.TempDir(), "nope.yaml"))
	require.ErrorContains(t, err, "nope.yaml: no such file or directory")
}
