package scenario

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	files "github.com/mozidsim/mozidsim/scenarios/contacts"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEveryEmbeddedScenarioPasses(t *testing.T) {
	names, err := fs.Glob(files.Files, "*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 12)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			data, err := files.Files.ReadFile(name)
			require.NoError(t, err)
			require.True(t, IsContactsScenario(data))
			var out bytes.Buffer
			code := RunFile(name, data, true, &out)
			require.Equal(t, ExitPass, code, out.String())
			require.Contains(t, out.String(), "PASS "+strings.TrimSuffix(name, ".yaml")+"\n")
		})
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	base := "kind: contacts\nname: x\naccounts:\n  - {email: a@example.com}\ndevices:\n  - {name: phone, user: a@example.com}\n"
	for _, tc := range []struct{ yaml, want string }{
		{"kind: other\nname: x\n", `f.yaml:1: kind must be "contacts", got "other"`},
		{base + "bogus: 1\n", "f.yaml:7: field bogus not found in type scenario.Scenario"},
		{base + "steps:\n  - {contacts: add, device: phone, contact: {name: [A], colour: red}}\n",
			"f.yaml:8: field colour not found in type scenario.ContactSpec"},
		{base + "steps:\n  - {contacts: fly, device: phone}\n",
			`f.yaml:8: step 1: unknown contacts action "fly" (known: add, update, remove, sync, restore, delete-account, revoke-password)`},
		{base + "steps:\n  - {contacts: add, device: tablet, contact: {name: [A]}}\n",
			`f.yaml:8: step 1: contacts: add needs device, one of the devices (got "tablet")`},
		{base + "steps:\n  - {contacts: update, device: phone, ref: nobody, contact: {name: [A]}}\n",
			`f.yaml:8: step 1: no contact labelled "nobody" was added before`},
		{base + "steps:\n  - {advance: 1s}\n  - {advance: soon}\n", `f.yaml:9: "soon" is not a duration like 30s or 5m`},
		{base + "steps:\n  - {advance: 1s, backup: on, device: phone}\n", "f.yaml:8: step 1 has more than one action (contacts, backup, fxa, provider, advance, expect)"},
		{base + "steps:\n  - {backup: maybe, device: phone}\n", `f.yaml:8: "maybe" is not on or off`},
		{base + "steps:\n  - {provider: fault, fault: meteor, count: 1}\n", `f.yaml:8: step 1: unknown fault "meteor" (known: unauthorized, server-error, garbage-login, login-error)`},
		{base + "steps:\n  - {provider: down, device: phone}\n", "f.yaml:8: step 1: provider: down does not take device"},
		{base + "expect:\n  devices:\n    tablet: {count: 1}\n", `f.yaml:8: expect: "tablet" is not one of the devices`},
		{"kind: contacts\nname: x\ndevices:\n  - {name: phone, user: b@example.com}\n", "f.yaml:4: device phone: user b@example.com is not one of the accounts"},
		{base + "---\nkind: contacts\n", "f.yaml:7: one scenario per file (found a second document)"},
	} {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		require.EqualError(t, err, tc.want, tc.yaml)
	}
}

func TestIsContactsScenario(t *testing.T) {
	require.True(t, IsContactsScenario([]byte("kind: contacts\nname: x\n")))
	require.False(t, IsContactsScenario([]byte("name: request-sign-in\napps: []\n")))
	require.False(t, IsContactsScenario([]byte("{{{ not yaml")))
}

func TestAFailingExpectationIsAReadableDiff(t *testing.T) {
	data := []byte(`kind: contacts
name: wrong-on-purpose
accounts: [{email: a@example.com}]
devices: [{name: phone, user: a@example.com}]
steps:
  - {contacts: add, device: phone, as: p, contact: {name: [Prunella], tel: [{value: "1"}]}}
expect:
  server:
    - account: a@example.com
      passwords: 2
      cards: [{name: Prunella, tel: ["2"]}, {name: Quentin}]
  devices:
    phone: {state: stopped, uploaded: 1, log: [never said]}
`)
	var out bytes.Buffer
	require.Equal(t, ExitFail, RunFile("wrong.yaml", data, false, &out))
	require.Equal(t, `FAIL wrong-on-purpose
    wrong.yaml:8: server a@example.com: 1 device passwords, want 2
    wrong.yaml:8: server a@example.com: card "Prunella": tel = ["1"], want ["2"]
    wrong.yaml:8: server a@example.com: missing card "Quentin"
    wrong.yaml:8: device phone: state idle, want stopped (reason: "")
`, strings.SplitAfterN(out.String(), "never said", 2)[0][:strings.Index(out.String(), "    wrong.yaml:8: device phone: no log")])
	require.Contains(t, out.String(), `    wrong.yaml:8: device phone: no log line containing "never said" after line 0; the log is:`)

	out.Reset()
	require.Equal(t, ExitBadInput, RunFile("bad.yaml", []byte("kind: contacts\n"), false, &out))
	require.Equal(t, "FAIL bad.yaml\n    bad.yaml:1: the scenario needs a name\n", out.String())
}

func TestRunsRepeat(t *testing.T) {
	for _, name := range []string{"provider-down.yaml", "conflict.yaml"} {
		data, err := files.Files.ReadFile(name)
		require.NoError(t, err)
		sc, err := Parse(name, data)
		require.NoError(t, err)
		first, err := Run(sc, Options{})
		require.NoError(t, err)
		second, err := Run(sc, Options{})
		require.NoError(t, err)
		require.True(t, first.Pass && second.Pass)
		require.Equal(t, first.Logs, second.Logs, "same file, same logs (ports and clocks never show)")
		require.Equal(t, maskAssertions(first.Traces), maskAssertions(second.Traces),
			"and the same traces (DSA signatures draw from crypto/rand, so assertions differ)")
		for name, tr := range first.Traces {
			require.NotEmpty(t, tr, name)
		}
	}
}

func maskAssertions(traces map[string][]sim.Event) map[string][]sim.Event {
	out := map[string][]sim.Event{}
	for name, events := range traces {
		for _, e := range events {
			if r, ok := e.Payload.(wire.Resolved); ok && e.Name == "getAssertion:resolved" {
				r.Value = "<assertion>"
				e.Payload = r
			}
			out[name] = append(out[name], e)
		}
	}
	return out
}
