package webphone

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mozidsim/mozidsim/identity"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/rp"
)

var update = flag.Bool("update", false, "rewrite testdata/shim-vectors.json from the Go nsDOMIdentity")

const vectorsFile = "testdata/shim-vectors.json"

// A vector case is a page of one app kind making calls and receiving messages;
// every expectation is what the Go nsDOMIdentity did, so the JS shim is checked
// against the one source of truth.
type vectorCase struct {
	Name  string       `json:"name"`
	Kind  string       `json:"kind"`
	Steps []vectorStep `json:"steps"`
}

// eraCase is a case run on the nsDOMIdentity of an era: "2014" ([D-early]),
// or "" for 2015.
type eraCase struct {
	vectorCase
	Era string `json:"era,omitempty"`
}

type vectorStep struct {
	// Call is a call from the page's own code; UserInput says a trusted click is
	// being handled.
	Call *vectorCall `json:"call,omitempty"`
	// Deliver is a parent message; InCallback, when set, is a call the page makes
	// from inside the callback it triggers (never user input, whatever is handled).
	Deliver    *messageFrame `json:"deliver,omitempty"`
	InCallback *vectorCall   `json:"inCallback,omitempty"`
	// Expect is what Call or InCallback did; Callbacks what the page's
	// callbacks received during the step.
	Expect    *Outcome `json:"expect,omitempty"`
	Callbacks []string `json:"callbacks"`
}

type vectorCall struct {
	Call      string `json:"call"`
	Options   []Prop `json:"options"`
	UserInput bool   `json:"userInput"`
}

func props(kv ...any) []Prop {
	var out []Prop
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Prop{Key: kv[i].(string), Value: kv[i+1]})
	}
	return out
}

var fnValue = function{}

func fxaWatchProps(extra ...any) []Prop {
	return props(append([]any{"wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue, "onerror", fnValue}, extra...)...)
}

func call(name string, userInput bool, p []Prop) vectorStep {
	return vectorStep{Call: &vectorCall{Call: name, Options: p, UserInput: userInput}}
}

// deliver is a parent message; reason, when given, is the JSON of the
// manager's rejection an OnError carries (runVectorCase turns it into what the
// page's onerror gets in the case's era).
func deliver(name string, assertion, reason *string) vectorStep {
	f := &messageFrame{Type: "message", Name: name, Assertion: assertion}
	if reason != nil {
		f.Message = *reason
	}
	return vectorStep{Deliver: f}
}

func str(s string) *string { return &s }

// vectorCases are the page-side rules: every exception, null/"null"/undefined,
// string limits, audience rules per app kind, extra options, the call limit and
// calls from inside callbacks.
func vectorCases() []eraCase {
	watch := call("watch", false, fxaWatchProps())
	long := strings.Repeat("a", 2048-len("@example.com")) + "@example.com"
	cases := []vectorCase{
		{"fxa watch", "privileged", []vectorStep{watch}},
		{"watch twice", "privileged", []vectorStep{watch, watch}},
		{"watch without onready", "certified", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue))}},
		{"watch without onlogin", "certified", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogout", fnValue, "onready", fnValue))}},
		{"watch with onready not a function", "certified", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", 42.0))}},
		{"watch with onerror not a function", "certified", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue, "onerror", "yes"))}},
		{"watch with a falsy onerror", "certified", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue, "onerror", 0.0))}},
		{"browserid watch needs only onlogin", "web", []vectorStep{call("watch", false, props("onlogin", fnValue))}},
		{"browserid watch with onready not a function", "web", []vectorStep{call("watch", false, props("onlogin", fnValue, "onready", true))}},
		{"watch non-string wantIssuer", "privileged", []vectorStep{call("watch", false, props("wantIssuer", 1.0, "onlogin", fnValue))}},
		{"audience equal to the origin", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", rpOrigin))}},
		{"audience other, web app", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", "https://other.example")), watch}},
		{"audience other, privileged app", "privileged", []vectorStep{call("watch", false, fxaWatchProps("audience", "https://other.example"))}},
		{"audience other, certified app", "certified", []vectorStep{call("watch", false, fxaWatchProps("audience", "https://other.example"))}},
		{"audience other, browser page", "browser", []vectorStep{call("watch", false, fxaWatchProps("audience", "https://other.example"))}},
		{"audience number, certified", "certified", []vectorStep{call("watch", false, fxaWatchProps("audience", 42.0))}},
		{"audience object, certified", "certified", []vectorStep{call("watch", false, fxaWatchProps("audience", wire.Obj{}))}},
		{"audience array of the origin", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", []any{rpOrigin}))}},
		{"audience null", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", nullValue))}},
		{"audience empty", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", ""))}},
		{"audience NaN, certified", "certified", []vectorStep{call("watch", false, fxaWatchProps("audience", nan()))}},
		{"audience other without onerror", "web", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue, "audience", "https://other.example"))}},
		{"loggedInUser email", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", "alice@example.com"))}},
		{"loggedInUser null", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", nullValue))}},
		{"loggedInUser undefined", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", wire.Undefined))}},
		{`loggedInUser "null"`, "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", "null"))}},
		{`loggedInUser "undefined"`, "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", "undefined"))}},
		{"loggedInUser empty", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", ""))}},
		{"loggedInUser number", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", 42.0)), watch}},
		{"loggedInUser without @", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", "alice"))}},
		{"loggedInUser 2048 long", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", long))}},
		{"loggedInUser 2049 long", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", "a"+long))}},
		{"loggedInEmail", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInEmail", "bob@example.com"))}},
		{"loggedInEmail and loggedInUser", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInEmail", nullValue, "loggedInUser", "bob@example.com"))}},
		{"loggedInEmail and undefined loggedInUser", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInEmail", "bob@example.com", "loggedInUser", wire.Undefined))}},
		{"request before watch", "privileged", []vectorStep{call("request", true, nil)}},
		{"logout before watch", "privileged", []vectorStep{call("logout", true, nil)}},
		{"logout", "web", []vectorStep{watch, call("logout", false, nil)}},
		{"request from a click, web app", "web", []vectorStep{watch, call("request", true, nil)}},
		{"request without a click, web app", "web", []vectorStep{watch, call("request", false, props("oncancel", fnValue))}},
		{"request without a click, browser page", "browser", []vectorStep{watch, call("request", false, nil)}},
		{"request without a click, privileged app", "privileged", []vectorStep{watch, call("request", false, nil)}},
		{"request without a click, certified app", "certified", []vectorStep{watch, call("request", false, nil)}},
		{"request without a click or onerror", "web", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue)), call("request", false, nil)}},
		{"request audience other, privileged", "privileged", []vectorStep{watch, call("request", true, props("audience", "https://other.example"))}},
		{"request audience other, certified", "certified", []vectorStep{watch, call("request", true, props("audience", "https://other.example"))}},
		{"request privacyPolicy number", "privileged", []vectorStep{watch, call("request", true, props("privacyPolicy", 42.0))}},
		{"request termsOfService too long", "privileged", []vectorStep{watch, call("request", true, props("termsOfService", "https://x.example/"+strings.Repeat("t", 2048)))}},
		{`request privacyPolicy "undefined"`, "privileged", []vectorStep{watch, call("request", true, props("privacyPolicy", "undefined", "termsOfService", nullValue))}},
		{"request privacyPolicy and termsOfService", "privileged", []vectorStep{watch, call("request", true, props("privacyPolicy", "https://shop.example/privacy", "termsOfService", "https://shop.example/tos"))}},
		{"request oncancel not a function", "privileged", []vectorStep{watch, call("request", true, props("oncancel", "later"))}},
		{"request extra options", "privileged", []vectorStep{watch, call("request", true, props(
			"siteName", "Shop", "_private", 1.0, "silent", true, "wantIssuer", "other", "returnTo", "/done",
			"id", "forged", "origin", "https://forged.example", "helper", fnValue, "backgroundColor", wire.Undefined, "siteLogo", nullValue))}},
		{"request refreshAuthentication number", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", 0.0))}},
		{"request refreshAuthentication string", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", "soon"))}},
		{"request refreshAuthentication null", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", nullValue))}},
		// The 2015 WebIDL binding (dom/webidl/Identity.webidl): TypeErrors for
		// callbacks that are not callable, DOMString and long conversions.
		{"watch with onready null", "certified", []vectorStep{call("watch", false, fxaWatchProps("onready", nullValue))}},
		{"watch with onlogout an object", "certified", []vectorStep{call("watch", false, fxaWatchProps("onlogout", wire.Obj{}))}},
		{"watch with onlogin an array", "certified", []vectorStep{call("watch", false, fxaWatchProps("onlogin", []any{1.0}))}},
		{"watch with an empty onerror", "certified", []vectorStep{call("watch", false, fxaWatchProps("onerror", ""))}},
		{"watch wantIssuer true", "privileged", []vectorStep{call("watch", false, props("wantIssuer", true, "onlogin", fnValue))}},
		{"loggedInUser array of an email", "privileged", []vectorStep{call("watch", false, fxaWatchProps("loggedInUser", []any{"bob@example.com"}))}},
		{"request oncancel an object", "privileged", []vectorStep{watch, call("request", true, props("oncancel", wire.Obj{}))}},
		{"request oncancel zero", "privileged", []vectorStep{watch, call("request", true, props("oncancel", 0.0))}},
		{"request oncancel not callable before watch", "privileged", []vectorStep{call("request", true, props("oncancel", "x"))}},
		{"request refreshAuthentication 3.9", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", 3.9))}},
		{"request refreshAuthentication -1.5", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", -1.5))}},
		{`request refreshAuthentication "60"`, "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", "60"))}},
		{"request refreshAuthentication true", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", true))}},
		{"request refreshAuthentication 2^32+5", "privileged", []vectorStep{watch, call("request", true, props("refreshAuthentication", 4294967301.0))}},
		{"request silent and audience dropped", "web", []vectorStep{watch, call("request", true, props("silent", true, "audience", "https://other.example", "wantIssuer", "firefox-accounts"))}},
		{"request members in dictionary order", "privileged", []vectorStep{watch, call("request", true, props("siteName", "Shop", "backgroundColor", 255.0, "returnTo", "/x"))}},
		{"messages reach the callbacks", "privileged", []vectorStep{watch,
			deliver(wire.MsgOnLogout, nil, nil), deliver(wire.MsgOnReady, nil, nil),
			deliver(wire.MsgOnLogin, str("cert~assertion"), nil), deliver(wire.MsgOnLogin, nil, nil),
			deliver(wire.MsgOnError, nil, str(`{"error":"OFFLINE"}`)), deliver(wire.MsgOnCancel, nil, nil)}},
		{"oncancel of the last request", "privileged", []vectorStep{watch, deliver(wire.MsgOnReady, nil, nil),
			call("request", true, props("oncancel", fnValue)), deliver(wire.MsgOnCancel, nil, nil),
			call("request", true, nil), deliver(wire.MsgOnCancel, nil, nil)}},
		{"messages before watch", "privileged", []vectorStep{deliver(wire.MsgOnReady, nil, nil)}},
		{"request from inside onready, web app", "web", []vectorStep{watch,
			{Deliver: &messageFrame{Type: "message", Name: wire.MsgOnReady}, InCallback: &vectorCall{Call: "request"}}}},
		{"logout from inside onlogin", "web", []vectorStep{watch,
			{Deliver: &messageFrame{Type: "message", Name: wire.MsgOnLogin, Assertion: str("c~a")}, InCallback: &vectorCall{Call: "logout"}}}},
	}
	limit := vectorCase{Name: "the call limit", Kind: "privileged", Steps: []vectorStep{watch}}
	for i := 0; i < 100; i++ {
		limit.Steps = append(limit.Steps, call("request", true, nil))
	}
	limit.Steps = append(limit.Steps, call("logout", true, nil), call("request", true, nil), call("logout", true, nil))
	cases = append(cases, limit)
	late := make([]eraCase, len(cases))
	for i, c := range cases {
		late[i] = eraCase{vectorCase: c}
	}

	// The same page rules on the 2014 [D-early] nsDOMIdentity (no WebIDL
	// binding, the Error's own message, certified-only user-input exemption,
	// raw onerror objects), and what only it does: the window's own Firefox
	// Accounts authorisation.
	early := make([]eraCase, len(cases))
	for i, c := range cases {
		early[i] = eraCase{vectorCase: c.clone(), Era: "2014"}
	}
	browserIDWatch := call("watch", false, props("onlogin", fnValue, "onerror", fnValue))
	for _, c := range []vectorCase{
		{"fxa watch, web app: not authorised", "web", []vectorStep{watch, call("request", true, nil)}},
		{"fxa watch, browser page: not authorised", "browser", []vectorStep{watch}},
		{"fxa watch, web app, other audience: both errors", "web", []vectorStep{call("watch", false, fxaWatchProps("audience", "https://other.example"))}},
		{"fxa watch, web app, no onerror", "web", []vectorStep{call("watch", false, props("wantIssuer", "firefox-accounts", "onlogin", fnValue, "onlogout", fnValue, "onready", fnValue))}},
		{"request wantIssuer firefox-accounts, web app", "web", []vectorStep{browserIDWatch, call("request", true, props("wantIssuer", "firefox-accounts"))}},
		{"request wantIssuer firefox-accounts, privileged app", "privileged", []vectorStep{browserIDWatch, call("request", true, props("wantIssuer", "firefox-accounts"))}},
		{"request audience, certified", "certified", []vectorStep{watch, call("request", true, props("audience", "https://other.example", "silent", true))}},
		{"onerror gets the rejection as it is", "privileged", []vectorStep{watch,
			deliver(wire.MsgOnError, nil, str(`{"details":{"code":401,"errno":110},"error":"INVALID_AUTH_TOKEN"}`)),
			deliver(wire.MsgOnError, nil, str(`UI_ERROR`))}},
	} {
		early = append(early, eraCase{vectorCase: c, Era: "2014"})
	}
	return append(late, early...)
}

// clone copies a case's steps: runVectorCase writes each step's expectation
// (and an OnError's delivered message) into it.
func (vc vectorCase) clone() vectorCase {
	vc.Steps = slices.Clone(vc.Steps)
	for i := range vc.Steps {
		if d := vc.Steps[i].Deliver; d != nil {
			dc := *d
			vc.Steps[i].Deliver = &dc
		}
	}
	return vc
}

var nullValue = identity.Null

func nan() float64 { return math.NaN() }

// generate runs every case on the Go nsDOMIdentity.
func generate(t *testing.T) []eraCase {
	cases := vectorCases()
	for i := range cases {
		runVectorCase(t, &cases[i])
	}
	return cases
}

func runVectorCase(t *testing.T, vc *eraCase) {
	rec := &sim.MemRecorder{}
	sys := sim.New(sim.Options{Seed: 1, Recorder: rec})
	defer sys.Close()
	// DOMIdentity is a sink: the page's messages are read back from the trace.
	require.NoError(t, sys.Spawn(wire.DOMIdentity, sim.HandlerFunc(func(*sim.Ctx, sim.Message) {})))
	status, err := appStatus(vc.Kind)
	require.NoError(t, err)
	e := era.Of(era.Era(vc.Era))
	page, err := rp.Open(sys, rp.App{Name: "shop", Origin: rpOrigin, Status: status}, identity.InEra(e))
	require.NoError(t, err)
	require.NoError(t, sys.RunUntilIdle())
	var cp capture
	var got []string
	var inner *vectorCall
	var innerOut *Outcome
	var f forwarders
	innerCall := func() {
		if inner != nil {
			c := *inner
			inner = nil
			out, err := runCallInline(page, Call{Call: c.Call, Options: c.Options}, f, &cp, e)
			require.NoError(t, err)
			innerOut = &out
		}
	}
	f = forwarders{
		onLogin: func(a string) {
			if a == "" {
				got = append(got, "onlogin null")
			} else {
				got = append(got, "onlogin "+a)
			}
			innerCall()
		},
		onLogout: func() { got = append(got, "onlogout"); innerCall() },
		onReady:  func() { got = append(got, "onready"); innerCall() },
		onCancel: func() { got = append(got, "oncancel"); innerCall() },
		onError: func(e string) {
			if cp.on {
				cp.errs = append(cp.errs, e)
			}
			got = append(got, "onerror "+e)
			innerCall()
		},
	}
	for i := range vc.Steps {
		st := &vc.Steps[i]
		got = nil
		switch {
		case st.Call != nil:
			out, err := runCall(sys.RunUntilIdle, rec, page, Call{Call: st.Call.Call, Options: st.Call.Options, UserInput: st.Call.UserInput}, f, &cp, e)
			require.NoError(t, err, "%s step %d", vc.Name, i+1)
			st.Expect = &out
		case st.Deliver != nil:
			inner, innerOut = st.InCallback, nil
			before := rec.Len()
			cb := wire.RPCallback{ID: page.ID(), Assertion: st.Deliver.Assertion}
			if reason, ok := st.Deliver.Message.(string); ok {
				// The parent sends the manager's reason; the page gets its
				// JSON string (2015) or the reason itself (2014).
				cb.Message = reasonOf(reason)
				js := wire.OnErrorString(cb.Message)
				if e.RawOnError() {
					js, _ = wire.JSONStringify(cb.Message)
				}
				st.Deliver.Message = onErrorArgument(e, js)
			}
			require.NoError(t, sys.Send(sim.Message{Name: st.Deliver.Name, From: wire.DOMIdentity, To: page.Addr(), Payload: cb}))
			require.NoError(t, sys.RunUntilIdle())
			if st.InCallback != nil {
				require.NotNil(t, innerOut, "%s: the callback never ran", vc.Name)
				for _, ev := range rec.Since(before) {
					if m, ok := ev.Payload.(wire.RPMessage); ok && ev.Kind == sim.KindHop && ev.From == page.Addr() {
						innerOut.Sent = sentFrom(ev.Name, m)
						break
					}
				}
				st.Expect = innerOut
			}
		}
		st.Callbacks = append([]string{}, got...)
	}
}

// runCallInline is runCall from inside a callback, where the system is
// running: what it sent is read back once the delivery has ended.
func runCallInline(page *rp.Page, c Call, f forwarders, cp *capture, _ era.Era) (Outcome, error) {
	cp.on, cp.errs = true, nil
	var err error
	switch c.Call {
	case "request":
		err = page.Request(requestOptions(c.Options, false, f))
	case "logout":
		err = page.Logout()
	default:
		err = fmt.Errorf("unknown call %q", c.Call)
	}
	cp.on = false
	out := Outcome{OnError: cp.errs}
	if ex, ok := err.(*rp.Exception); ok {
		out.Throws = ex.Message
	} else if err != nil {
		return out, err
	}
	return out, nil
}

// reasonOf reads a one-level JSON object as the JS object a rejection carried.
func reasonOf(s string) any {
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return s
	}
	var o wire.Obj
	for _, k := range slices.Sorted(maps.Keys(m)) {
		o = append(o, wire.KV{Key: k, Value: m[k]})
	}
	return o
}

func TestShimVectorsAreTheGoNSDOMIdentitys(t *testing.T) {
	cases := generate(t)
	b, err := json.MarshalIndent(cases, "", " ")
	require.NoError(t, err)
	b = append(b, '\n')
	if *update {
		require.NoError(t, os.WriteFile(vectorsFile, b, 0o644))
	}
	want, err := os.ReadFile(vectorsFile)
	require.NoError(t, err, "no vectors: go test ./webphone -run ShimVectors -update")
	require.Equal(t, string(want), string(b), "%s is stale: go test ./webphone -run ShimVectors -update, and review the diff", vectorsFile)
}

// nodeShimTest runs the node test of the shim against the vectors with the given
// shim source; it returns node's output and whether it passed.
func nodeShimTest(t *testing.T, shim string) (string, bool) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("MOZIDSIM_REQUIRE_NODE") != "" {
			t.Fatal("node is required (MOZIDSIM_REQUIRE_NODE) but not installed")
		}
		t.Skip("node is not installed: the shim's vectors run in Go only")
	}
	dir := t.TempDir()
	for name, src := range map[string]string{"shim.js": shim} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644))
	}
	abs, err := filepath.Abs("testdata")
	require.NoError(t, err)
	cmd := exec.Command(node, "--test", filepath.Join(abs, "shim.test.js"))
	cmd.Env = append(os.Environ(), "MOZIDSIM_SHIM="+filepath.Join(dir, "shim.js"), "MOZIDSIM_VECTORS="+filepath.Join(abs, "shim-vectors.json"))
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func TestShimPassesTheVectorsInNode(t *testing.T) {
	out, ok := nodeShimTest(t, shimSource)
	require.True(t, ok, "node --test failed:\n%s", out)
	require.Contains(t, out, fmt.Sprintf("# pass %d", len(vectorCases())))
}

func TestAnAlteredShimFailsTheVectors(t *testing.T) {
	for name, alter := range map[string][2]string{
		"a message changed":                               {`" is not an object."`, `" is not a function."`},
		"the user-input rule missing":                     {`&& !ui && !env.syntheticEventsOK`, `&& false`},
		"the call limit off by one":                       {`rpCalls > MAX_RP_CALLS`, `rpCalls >= MAX_RP_CALLS`},
		"2014 without the window's own FxA authorisation": {`if (early && wantIssuer === WANT_ISSUER_FXA`, `if (false && wantIssuer === WANT_ISSUER_FXA`},
		"2014 with 2015's generic exception": {`      if (early) {
        // XPCOM`, `      if (false) {
        // XPCOM`},
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, shimSource, alter[0])
			out, ok := nodeShimTest(t, strings.Replace(shimSource, alter[0], alter[1], -1))
			require.False(t, ok, "an altered shim passed:\n%s", out)
		})
	}
}
