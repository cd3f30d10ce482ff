// Package scenarios is mozidsim's scenario format, its runner and the shipped
// scenario library. It stands for no historic component: it is the test driver
// that plays the page's script (rp), the user at the Gaia FxA dialog and the
// world (network, clock, the FxA server, Settings) against one simulated phone
// (internal/device), the way Gecko's mochitests and Gaia's integration tests
// drove the real thing.
//
// One format, two kinds: a mozId scenario (pages of apps calling
// navigator.mozId on one phone) and a `kind: contacts` scenario (phones backing
// contacts up to the fruux-like provider, as the 2014 Gaia prototype did), with
// one header (name, about, seed, era, accounts), one parser and one Run.
//
// A scenario file is YAML, decoded strictly: an unknown field, a step of no
// known kind or a value of the wrong type is an error naming the file and line.
// Every step runs until the whole system is idle before the next starts, and the
// virtual clock moves only on `advance` (or while the server is slow), so a run
// is deterministic: the same file gives the same callback log and trace.
package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mozidsim/mozidsim/gaia"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/wire"
	"github.com/mozidsim/mozidsim/internal/yamlerr"
	"github.com/mozidsim/mozidsim/rp"
)

// Scenario is one parsed scenario file, of either kind: a mozId scenario (no
// `kind:`; one device, apps whose pages call navigator.mozId) or a `kind:
// contacts` scenario (phones backing contacts up to a provider). Both share the
// header: name, about, seed, era, accounts.
type Scenario struct {
	File  string // where it came from (for messages)
	Kind  string // KindMozID ("") or KindContacts
	Name  string
	About string
	Seed  uint64
	// Era is the file's `era:` ("" when it names none: era.Default, or the
	// run's Options.Era).
	Era      era.Era
	Accounts []Account
	// A mozId scenario's phone, apps, steps and expectations.
	Device DeviceSpec
	Apps   []AppSpec
	Steps  []Step
	// Expect maps an app to every callback line its page must receive, in order;
	// HasExpect is false when the file has no expect section (the run only logs).
	Expect    map[string][]string
	ExpectApp []string // the apps of Expect in file order
	HasExpect bool
	// Contacts is what a `kind: contacts` scenario adds (nil for a mozId one).
	Contacts *ContactsSpec
}

// Scenario kinds (the header's `kind:`).
const (
	KindMozID    = ""
	KindContacts = "contacts"
)

// Account exists on the FxA server at the start.
type Account struct {
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
	Verified *bool  `yaml:"verified"` // default true
}

// DeviceSpec is the phone at the start.
type DeviceSpec struct {
	User    string   `yaml:"user"`
	AuthAge Duration `yaml:"authAge"`
	Online  *bool    `yaml:"online"`
	// CloseAnimation is the FxA dialog's closing animation in virtual time
	// (default 0s: it ends at once).
	CloseAnimation Duration `yaml:"closeAnimation"`
}

// AppSpec is one app whose page is open at the start.
type AppSpec struct {
	Name   string `yaml:"name"`
	Origin string `yaml:"origin"`
	Kind   string `yaml:"kind"` // certified (default) | privileged | web | browser
	// Process: apps naming the same process share one content process and its
	// message manager ("" is a process of the app's own).
	Process string `yaml:"process"`
	// DeclaresPermission false: the manifest lacks the firefox-accounts
	// permission (nil: it declares it).
	DeclaresPermission *bool `yaml:"declaresPermission"`
}

// App is the rp.App of the i-th app spec.
func (a AppSpec) App(i int) rp.App {
	status, _ := AppStatus(a.Kind)
	return rp.App{Name: a.Name, Origin: a.Origin, Status: status, AppID: 1000 + i, Process: a.Process,
		Undeclared: a.DeclaresPermission != nil && !*a.DeclaresPermission}
}

// Duration is a Go duration written as "2h", "10m", "30s".
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := parseDuration(n)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

func parseDuration(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, errors.New("want a duration like 30s, 10m or 2h")
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (want e.g. 30s, 10m, 2h)", n.Value)
	}
	if v < 0 {
		return 0, fmt.Errorf("duration %s is negative", n.Value)
	}
	return v, nil
}

// Step kinds.
const (
	KindApp     = "app"
	KindUser    = "user"
	KindNetwork = "network"
	KindAdvance = "advance"
	KindServer  = "server"
	KindDevice  = "device"
	KindDialog  = "dialog" // a check: what the FxA dialog shows now
)

// Step is one thing that happens. Kind says which fields mean something.
type Step struct {
	Line int    // the step's line in the file
	Kind string // KindApp, KindUser, ...
	Text string // the step as written, on one line, for messages

	App  string // KindApp: which app
	Call string // KindApp: watch | request | logout | close | open

	Watch   WatchSpec
	Request RequestSpec

	// Action is the user action, network state, server or device operation.
	Action string

	Email, Password, Value string
	YearOfBirth            int
	Advance                time.Duration // KindAdvance
	Delay                  time.Duration // server: slow
	Endpoint               string        // server: fail|throttle ("" for every endpoint)
	Status, Errno          int           // server: fail|throttle
	RetryAfter             int           // server: fail|throttle (seconds)
	// Overlay is a dialog check's expected error overlay ("" none); Action holds
	// the expected screen, or "closed".
	Overlay string
}

// WatchSpec is the options object of navigator.mozId.watch(). JS values are
// Go values as identity reads them: nil absent, identity.Null for null,
// float64, string, bool.
type WatchSpec struct {
	WantIssuer                  string
	Audience                    any
	LoggedInUser, LoggedInEmail any
	Callbacks                   []string
	NotFunctions                []string
}

// RequestSpec is the options object of navigator.mozId.request().
type RequestSpec struct {
	OnCancel                      bool
	RefreshAuthentication         any
	PrivacyPolicy, TermsOfService any
	Audience                      any
	UserInput                     bool
	Extra                         wire.Obj
}

// The page callbacks a watch passes unless the scenario says otherwise.
var defaultCallbacks = []string{wire.CbLogin, wire.CbLogout, wire.CbReady, wire.CbError}

// Limits on a scenario: far above what a story of a phone needs, far below
// what would take the runner minutes or gigabytes.
const (
	MaxScenarioBytes = 256 << 10
	MaxSteps         = 1000
	maxRetryAfter    = 86400 // a day: longer is no throttle a phone would wait out
)

// Error is a scenario file that cannot be run: it names the file, the line and
// what is wrong.
type Error struct {
	File string
	Line int // 0 when the whole file is concerned
	Msg  string
	// Earlier are the problems the run found before this step (failed checks,
	// refused actions): they happened first, so they are reported first.
	Earlier []string
}

func (e *Error) Error() string {
	var b strings.Builder
	for _, p := range e.Earlier {
		b.WriteString(p + "\n")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%s:%d: %s", e.File, e.Line, e.Msg)
	} else {
		fmt.Fprintf(&b, "%s: %s", e.File, e.Msg)
	}
	return b.String()
}

// fileHeader is what every scenario file starts with, of either kind; a kind's
// document adds its steps and expectations. Decoding is strict: a key that is
// in neither is an error naming its line.
type fileHeader struct {
	Kind     string      `yaml:"kind"`
	Name     string      `yaml:"name"`
	About    string      `yaml:"about"`
	Seed     *uint64     `yaml:"seed"`
	Era      yaml.Node   `yaml:"era"`
	Accounts []Account   `yaml:"accounts"`
	Device   *DeviceSpec `yaml:"device"`
	Apps     []AppSpec   `yaml:"apps"`
	// kind: contacts
	Devices  []ContactsDevice `yaml:"devices"`
	Provider *ProviderSpec    `yaml:"provider"`
}

// mozIDDocument is a mozId scenario: steps and expectations stay nodes so that
// each error can name its own line.
type mozIDDocument struct {
	Head   fileHeader  `yaml:",inline"`
	Steps  []yaml.Node `yaml:"steps"`
	Expect yaml.Node   `yaml:"expect"`
}

// scenarioKinds is every kind of scenario: how its document decodes and what
// its header must and must not hold.
var scenarioKinds = map[string]struct {
	defaultSeed uint64
	// decode strictly decodes the whole file and returns its header.
	decode func(dec *yaml.Decoder) (*fileHeader, func(sc *Scenario, data []byte) error, error)
}{
	KindMozID: {defaultSeed: 1, decode: func(dec *yaml.Decoder) (*fileHeader, func(*Scenario, []byte) error, error) {
		var doc mozIDDocument
		if err := dec.Decode(&doc); err != nil {
			return nil, nil, err
		}
		return &doc.Head, func(sc *Scenario, _ []byte) error { return parseMozID(sc, &doc) }, nil
	}},
	KindContacts: {defaultSeed: 0, decode: func(dec *yaml.Decoder) (*fileHeader, func(*Scenario, []byte) error, error) {
		var doc contactsDocument
		if err := dec.Decode(&doc); err != nil {
			return nil, nil, err
		}
		return &doc.Head, func(sc *Scenario, data []byte) error { return parseContacts(sc, &doc, data) }, nil
	}},
}

// KindOf reads a scenario file's `kind:` without checking the rest ("" for a
// mozId scenario, or for text that is not YAML: Parse says what is wrong).
func KindOf(data []byte) string {
	var head struct {
		Kind string `yaml:"kind"`
	}
	if yaml.Unmarshal(data, &head) != nil {
		return ""
	}
	return head.Kind
}

// Parse decodes a scenario file. file names it in errors.
func Parse(file string, data []byte) (*Scenario, error) {
	bad := func(line int, format string, args ...any) error {
		return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxScenarioBytes {
		return nil, tooLarge(file) // also a source read back from a trace
	}
	kind := KindOf(data)
	k, ok := scenarioKinds[kind]
	if !ok {
		return nil, bad(0, "kind %q is not a kind of scenario (leave kind out for a mozId scenario, or write kind: contacts)", kind)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	raw, finish, err := k.decode(dec)
	if err != nil {
		return nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, bad(extra.Line, "a second YAML document: a scenario file holds one")
	}
	if strings.TrimSpace(raw.Name) == "" {
		return nil, bad(0, "name is required")
	}
	sc := &Scenario{File: file, Kind: kind, Name: raw.Name, About: strings.TrimSpace(raw.About), Seed: k.defaultSeed,
		Accounts: raw.Accounts, Expect: map[string][]string{}}
	if raw.Seed != nil {
		sc.Seed = *raw.Seed
	}
	if raw.Era.Kind != 0 {
		if raw.Era.Kind != yaml.ScalarNode || raw.Era.Tag == "!!null" {
			return nil, bad(raw.Era.Line, "era: want 2014 or 2015")
		}
		e, err := era.Parse(raw.Era.Value)
		if err != nil {
			return nil, bad(raw.Era.Line, "%v", err)
		}
		sc.Era = e
	}
	emails := map[string]bool{}
	for i, a := range raw.Accounts {
		if a.Email == "" {
			return nil, bad(0, "accounts[%d]: email is required", i)
		}
		if emails[a.Email] {
			return nil, bad(0, "accounts[%d]: %s is listed twice", i, a.Email)
		}
		emails[a.Email] = true
	}
	if err := finish(sc, data); err != nil {
		return nil, err
	}
	return sc, nil
}

// parseMozID checks a mozId scenario's device and apps and decodes its steps
// and expectations.
func parseMozID(sc *Scenario, raw *mozIDDocument) error {
	bad := func(line int, format string, args ...any) error {
		return &Error{File: sc.File, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case raw.Head.Devices != nil:
		return bad(0, "devices: a list of phones is for kind: contacts; a mozId scenario has one device")
	case raw.Head.Provider != nil:
		return bad(0, "provider: only a kind: contacts scenario has a contacts provider")
	}
	if raw.Head.Device != nil {
		sc.Device = *raw.Head.Device
	}
	sc.Apps = raw.Head.Apps
	emails := accountSet(sc.Accounts)
	if u := sc.Device.User; u != "" && !emails[u] {
		return bad(0, "device.user %s is not one of the accounts", u)
	}
	apps := map[string]bool{}
	for i, a := range sc.Apps {
		switch {
		case a.Name == "":
			return bad(0, "apps[%d]: name is required", i)
		case apps[a.Name]:
			return bad(0, "apps[%d]: app %q is listed twice", i, a.Name)
		case a.Origin == "":
			return bad(0, "apps[%d] (%s): origin is required", i, a.Name)
		}
		status, err := AppStatus(a.Kind)
		if err != nil {
			return bad(0, "apps[%d] (%s): %v", i, a.Name, err)
		}
		if status == wire.AppNotInstalled && a.DeclaresPermission != nil {
			return bad(0, "apps[%d] (%s): declaresPermission: a page in the Browser app has no manifest", i, a.Name)
		}
		apps[a.Name] = true
	}
	if len(raw.Steps) > MaxSteps {
		return bad(raw.Steps[MaxSteps].Line, "step %d: more than %d steps, the most a scenario may have", MaxSteps+1, MaxSteps)
	}
	for i := range raw.Steps {
		st, err := parseStep(&raw.Steps[i], i+1)
		if err != nil {
			return bad(raw.Steps[i].Line, "step %d: %v", i+1, err)
		}
		if st.Kind == KindApp && !apps[st.App] {
			return bad(st.Line, "step %d: no app %q (apps: %s)", i+1, st.App, strings.Join(appNames(sc.Apps), ", "))
		}
		sc.Steps = append(sc.Steps, st)
	}
	if raw.Expect.Kind != 0 {
		sc.HasExpect = true
		if raw.Expect.Kind != yaml.MappingNode {
			return bad(raw.Expect.Line, "expect: want a mapping of app name to a list of callbacks")
		}
		for i := 0; i+1 < len(raw.Expect.Content); i += 2 {
			k, v := raw.Expect.Content[i], raw.Expect.Content[i+1]
			if !apps[k.Value] {
				return bad(k.Line, "expect: no app %q", k.Value)
			}
			if _, dup := sc.Expect[k.Value]; dup {
				return bad(k.Line, "expect: app %q is listed twice", k.Value)
			}
			lines, err := stringList(v)
			if err != nil {
				return bad(v.Line, "expect.%s: %v", k.Value, err)
			}
			for j, l := range lines {
				if err := checkExpectLine(l); err != nil {
					return bad(v.Line, "expect.%s[%d]: %v", k.Value, j, err)
				}
			}
			sc.Expect[k.Value] = lines
			sc.ExpectApp = append(sc.ExpectApp, k.Value)
		}
	}
	return nil
}

// accountSet is the scenario's account e-mails.
func accountSet(accounts []Account) map[string]bool {
	out := map[string]bool{}
	for _, a := range accounts {
		out[a.Email] = true
	}
	return out
}

func appNames(apps []AppSpec) []string {
	var names []string
	for _, a := range apps {
		names = append(names, a.Name)
	}
	return names
}

// AppStatus is the principal's app status for an app kind ("" is certified).
// A page in the Browser app (kind browser) is not an installed app at all.
func AppStatus(kind string) (wire.AppStatus, error) {
	switch kind {
	case "", "certified":
		return wire.AppCertified, nil
	case "privileged":
		return wire.AppPrivileged, nil
	case "web":
		return wire.AppInstalled, nil
	case "browser":
		return wire.AppNotInstalled, nil
	}
	return 0, fmt.Errorf("kind %q is not one of certified, privileged, web, browser", kind)
}

// yamlError rewrites yaml.v3's messages as file:line: what.
func yamlError(file string, err error) error {
	return yamlerr.Wrap(err, func(line int, msg string) error { return &Error{File: file, Line: line, Msg: msg} })
}

// stepKinds maps a step's leading key to its kind; an app step is recognised by "app".
var stepKinds = []string{KindApp, KindUser, KindNetwork, KindAdvance, KindServer, KindDevice, KindDialog}

var appCalls = []string{"watch", "request", "logout", "close", "open"}

// fields maps a step's action to the extra fields it takes (beyond its kind key).
var userFields = map[string][]string{
	"sign-in":       {"email", "password"},
	"sign-up":       {"email", "password", "yearOfBirth"},
	"refresh-auth":  {"password"},
	"type-email":    {"value"},
	"type-password": {"value"},
	"choose-year":   {"value"},
	"next":          nil, "back": nil, "done": nil, "close": nil, "home": nil, "holdhome": nil,
}

var serverFields = map[string][]string{
	"verify":          {"email"},
	"change-password": {"email", "password"},
	"delete-account":  {"email"},
	"down":            nil,
	"up":              nil,
	"slow":            {"delay"},
	"fail":            {"endpoint", "status", "errno", "retryAfter"},
	"throttle":        {"endpoint", "retryAfter"},
}

// dialogScreens are what a dialog check can expect.
var dialogScreens = []string{"ENTER_EMAIL", "COPPA", "SET_PASSWORD", "ENTER_PASSWORD", "SIGNUP_SUCCESS",
	"SIGNIN_SUCCESS", "REFRESH_AUTH", "closed"}

// dialogOverlays are the error overlays the FxA dialog can show (Gaia's 2015
// fxam_errors.js table: every other error key shows UNKNOWN).
var dialogOverlays = []string{gaia.ErrConnection, gaia.ErrInvalidEmail, gaia.ErrInvalidPassword, gaia.ErrCoppa,
	gaia.ErrCoppaFTU, gaia.ErrOffline, gaia.ErrResetPassword, gaia.ErrUnknown}

// serverEndpoints are the auth server's /v1 endpoints the phone calls.
var serverEndpoints = []string{"/account/create", "/account/login", "/account/status", "/recovery_email/status",
	"/recovery_email/resend_code", "/session/destroy", "/certificate/sign"}

var deviceFields = map[string][]string{
	"sign-in":       {"email", "password"},
	"sign-out":      nil,
	"system-dialog": nil,
}

// required fields per kind and action; the others are optional.
var requiredFields = map[string][]string{
	"user sign-in": {"email", "password"}, "user sign-up": {"email", "password", "yearOfBirth"},
	"user refresh-auth": {"password"}, "user type-email": {"value"}, "user type-password": {"value"},
	"user choose-year": {"value"},
	"server verify":    {"email"}, "server change-password": {"email", "password"},
	"server delete-account": {"email"}, "server slow": {"delay"}, "server fail": {"status"},
	"device sign-in": {"email", "password"},
}

// stepDecoder decodes the fields of one kind of mozId step into st and returns
// the keys the step may have besides its kind's.
type stepDecoder func(st *Step, fields map[string]*yaml.Node, order []string) ([]string, error)

// stepDecoders is the mozId step table: a step's kind (its leading key) and how
// the rest of it decodes. (A contacts step's table is contactsActions.)
var stepDecoders = map[string]stepDecoder{
	KindApp:     decodeAppStep,
	KindUser:    actionStep(userFields),
	KindNetwork: decodeNetworkStep,
	KindAdvance: decodeAdvanceStep,
	KindServer:  actionStep(serverFields),
	KindDevice:  actionStep(deviceFields),
	KindDialog:  decodeDialogStep,
}

func parseStep(n *yaml.Node, index int) (Step, error) {
	st := Step{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return st, errors.New("want a mapping such as {app: shop, watch: {}}")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	flow := *n
	flow.Style = yaml.FlowStyle
	_ = enc.Encode(&flow)
	st.Text = strings.TrimSpace(buf.String())

	fields := map[string]*yaml.Node{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if _, dup := fields[k]; dup {
			return st, fmt.Errorf("field %q given twice", k)
		}
		fields[k] = n.Content[i+1]
		order = append(order, k)
	}
	for _, k := range stepKinds {
		if _, ok := fields[k]; ok {
			st.Kind = k
			break
		}
	}
	if st.Kind == "" {
		return st, fmt.Errorf("no step kind: want one of %s", strings.Join(stepKinds, ", "))
	}
	extra, err := stepDecoders[st.Kind](&st, fields, order)
	if err != nil {
		return st, err
	}
	allowed := append([]string{st.Kind}, extra...)
	for _, k := range order {
		if !slices.Contains(allowed, k) {
			what := st.Kind
			if st.Action != "" {
				what += " " + st.Action
			} else if st.Call != "" {
				what = st.Call
			}
			return st, fmt.Errorf("unknown field %q for a %s step", k, what)
		}
	}
	return st, nil
}

// decodeAppStep reads {app: A, CALL: options}: one call per step.
func decodeAppStep(st *Step, fields map[string]*yaml.Node, order []string) ([]string, error) {
	v, err := scalar(fields, "app")
	if err != nil {
		return nil, err
	}
	st.App = v
	for _, c := range appCalls {
		if _, ok := fields[c]; ok {
			if st.Call != "" {
				return nil, fmt.Errorf("both %s and %s: one call per step", st.Call, c)
			}
			st.Call = c
		}
	}
	if st.Call == "" {
		for _, k := range order {
			if k != "app" {
				return nil, fmt.Errorf("unknown field %q for an app step (want one of %s)", k, strings.Join(appCalls, ", "))
			}
		}
		return nil, fmt.Errorf("app %s: no call (want one of %s)", st.App, strings.Join(appCalls, ", "))
	}
	switch st.Call {
	case "watch":
		st.Watch, err = parseWatch(fields["watch"])
	case "request":
		st.Request, err = parseRequest(fields["request"])
	default:
		if c := fields[st.Call]; !(c.Kind == yaml.MappingNode && len(c.Content) == 0) && c.Tag != "!!null" {
			err = fmt.Errorf("%s takes no options (write %s: {})", st.Call, st.Call)
		}
	}
	return []string{st.Call}, err
}

// decodeAdvanceStep reads {advance: 10m}.
func decodeAdvanceStep(st *Step, fields map[string]*yaml.Node, _ []string) ([]string, error) {
	d, err := parseDuration(fields["advance"])
	st.Advance = d
	return nil, err
}

// decodeDialogStep reads {dialog: SCREEN, overlay: KEY}, a check.
func decodeDialogStep(st *Step, fields map[string]*yaml.Node, _ []string) ([]string, error) {
	v, err := scalar(fields, "dialog")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(dialogScreens, v) {
		return nil, fmt.Errorf("dialog %q: want a screen (%s) or closed", v, strings.Join(dialogScreens[:len(dialogScreens)-1], ", "))
	}
	st.Action = v
	if _, ok := fields["overlay"]; ok {
		if st.Overlay, err = scalar(fields, "overlay"); err != nil {
			return nil, err
		}
		if !slices.Contains(dialogOverlays, st.Overlay) {
			return nil, fmt.Errorf("overlay %q: want one of %s (or leave overlay out for none)", st.Overlay, strings.Join(dialogOverlays, ", "))
		}
		if v == "closed" {
			return nil, errors.New("a closed dialog shows no overlay (leave overlay out)")
		}
	}
	return []string{"overlay"}, nil
}

// decodeNetworkStep reads {network: offline|online}.
func decodeNetworkStep(st *Step, fields map[string]*yaml.Node, _ []string) ([]string, error) {
	v, err := scalar(fields, "network")
	if err != nil {
		return nil, err
	}
	if v != "offline" && v != "online" {
		return nil, fmt.Errorf("network %q: want offline or online", v)
	}
	st.Action = v
	return nil, nil
}

// actionStep decodes the steps whose value names an action with fields of its
// own (user, server, device): table maps each action to the fields it takes.
func actionStep(table map[string][]string) stepDecoder {
	return func(st *Step, fields map[string]*yaml.Node, _ []string) ([]string, error) {
		v, err := scalar(fields, st.Kind)
		if err != nil {
			return nil, err
		}
		extra, ok := table[v]
		if !ok {
			known := slices.Sorted(maps.Keys(table))
			return nil, fmt.Errorf("%s %q is not one of %s", st.Kind, v, strings.Join(known, ", "))
		}
		st.Action = v
		for _, r := range requiredFields[st.Kind+" "+v] {
			if _, ok := fields[r]; !ok {
				return nil, fmt.Errorf("%s %s: %s is required", st.Kind, v, r)
			}
		}
		return extra, st.readFields(fields, extra)
	}
}

func (st *Step) readFields(fields map[string]*yaml.Node, names []string) error {
	for _, name := range names {
		n, ok := fields[name]
		if !ok {
			continue
		}
		var err error
		switch name {
		case "email":
			st.Email, err = scalar(fields, name)
		case "password":
			st.Password, err = scalar(fields, name)
		case "value":
			st.Value, err = scalar(fields, name)
		case "endpoint":
			st.Endpoint, err = scalar(fields, name)
			if err == nil && !slices.Contains(serverEndpoints, strings.TrimPrefix(st.Endpoint, "/v1")) {
				err = fmt.Errorf("endpoint %q is not one the device calls (%s)", st.Endpoint, strings.Join(serverEndpoints, ", "))
			}
		case "delay":
			st.Delay, err = parseDuration(n)
		case "yearOfBirth":
			st.YearOfBirth, err = intField(n, name)
		case "status":
			st.Status, err = intField(n, name)
		case "errno":
			st.Errno, err = intField(n, name)
		case "retryAfter":
			if st.RetryAfter, err = intField(n, name); err == nil && (st.RetryAfter < 0 || st.RetryAfter > maxRetryAfter) {
				err = fmt.Errorf("%s: %d is not a number of seconds from 0 to %d", name, st.RetryAfter, maxRetryAfter)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func scalar(fields map[string]*yaml.Node, name string) (string, error) {
	n := fields[name]
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", fmt.Errorf("%s: want a plain value", name)
	}
	return n.Value, nil
}

func intField(n *yaml.Node, name string) (int, error) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number", name, n.Value)
	}
	return v, nil
}

func boolField(n *yaml.Node, name string) (bool, error) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		return false, fmt.Errorf("%s: %q is not true or false", name, n.Value)
	}
	return v, nil
}

func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("want a list")
	}
	out := []string{}
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: want a string", e.Line)
		}
		out = append(out, e.Value)
	}
	return out, nil
}

func optionFields(n *yaml.Node, call string) (map[string]*yaml.Node, []string, error) {
	if n.Tag == "!!null" {
		return map[string]*yaml.Node{}, nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("%s: want an options mapping ({} for none)", call)
	}
	m := map[string]*yaml.Node{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		m[k] = n.Content[i+1]
		order = append(order, k)
	}
	return m, order, nil
}

var watchOptions = []string{"wantIssuer", "audience", "loggedInUser", "loggedInEmail", "callbacks", "notFunctions"}

var allCallbacks = []string{wire.CbLogin, wire.CbLogout, wire.CbReady, wire.CbError, wire.CbCancel}

func parseWatch(n *yaml.Node) (WatchSpec, error) {
	w := WatchSpec{WantIssuer: wire.WantIssuerFxA, Callbacks: defaultCallbacks}
	m, order, err := optionFields(n, "watch")
	if err != nil {
		return w, err
	}
	for _, k := range order {
		if !slices.Contains(watchOptions, k) {
			return w, fmt.Errorf("watch: unknown option %q (known: %s)", k, strings.Join(watchOptions, ", "))
		}
	}
	if v, ok := m["wantIssuer"]; ok {
		if v.Tag == "!!null" || v.Kind != yaml.ScalarNode {
			return w, errors.New("watch.wantIssuer: want a string")
		}
		w.WantIssuer = v.Value
	}
	for _, o := range []struct {
		key string
		dst *any
	}{{"audience", &w.Audience}, {"loggedInUser", &w.LoggedInUser}, {"loggedInEmail", &w.LoggedInEmail}} {
		if v, ok := m[o.key]; ok {
			if *o.dst, err = jsValue(v); err != nil {
				return w, fmt.Errorf("watch.%s: %v", o.key, err)
			}
		}
	}
	for _, list := range []struct {
		key string
		dst *[]string
	}{{"callbacks", &w.Callbacks}, {"notFunctions", &w.NotFunctions}} {
		v, ok := m[list.key]
		if !ok {
			continue
		}
		names, err := stringList(v)
		if err != nil {
			return w, fmt.Errorf("watch.%s: %v", list.key, err)
		}
		for _, name := range names {
			if !slices.Contains(allCallbacks, name) {
				return w, fmt.Errorf("watch.%s: %q is not a callback (%s)", list.key, name, strings.Join(allCallbacks, ", "))
			}
		}
		*list.dst = names
	}
	return w, nil
}

var requestOptions = []string{"oncancel", "refreshAuthentication", "privacyPolicy", "termsOfService", "audience", "userInput", "extra"}

func parseRequest(n *yaml.Node) (RequestSpec, error) {
	r := RequestSpec{OnCancel: true, UserInput: true}
	m, order, err := optionFields(n, "request")
	if err != nil {
		return r, err
	}
	for _, k := range order {
		if !slices.Contains(requestOptions, k) {
			return r, fmt.Errorf("request: unknown option %q (known: %s)", k, strings.Join(requestOptions, ", "))
		}
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"oncancel", &r.OnCancel}, {"userInput", &r.UserInput}} {
		if v, ok := m[b.key]; ok {
			if *b.dst, err = boolField(v, "request."+b.key); err != nil {
				return r, err
			}
		}
	}
	var extra any
	for _, o := range []struct {
		key string
		dst *any
	}{{"refreshAuthentication", &r.RefreshAuthentication}, {"privacyPolicy", &r.PrivacyPolicy},
		{"termsOfService", &r.TermsOfService}, {"audience", &r.Audience}, {"extra", &extra}} {
		if v, ok := m[o.key]; ok {
			if *o.dst, err = jsValue(v); err != nil {
				return r, fmt.Errorf("request.%s: %v", o.key, err)
			}
		}
	}
	if extra != nil {
		obj, isObj := extra.(wire.Obj)
		if !isObj {
			return r, errors.New("request.extra: want a mapping of further options")
		}
		r.Extra = obj
	}
	return r, nil
}

// jsValue turns a YAML value into the JS value a page would pass: null, a
// string, a number (float64), a boolean, an object (wire.Obj, keys in order) or
// an array. Aliases are followed, but a value that contains itself, or that
// aliases expand past maxJSNodes, is refused rather than walked forever.
func jsValue(n *yaml.Node) (any, error) {
	w := jsWalker{budget: maxJSNodes, expanding: map[*yaml.Node]bool{}}
	return w.value(n)
}

// maxJSNodes bounds one option value: real options are a handful of nodes.
const maxJSNodes = 10_000

type jsWalker struct {
	budget    int
	expanding map[*yaml.Node]bool
}

func (w *jsWalker) value(n *yaml.Node) (any, error) {
	if w.budget--; w.budget < 0 {
		return nil, fmt.Errorf("line %d: value too large (over %d nodes once aliases are expanded)", n.Line, maxJSNodes)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return rp.Null, nil
		case "!!bool":
			return n.Value == "true", nil
		case "!!int", "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f, nil
			}
		}
		return n.Value, nil
	case yaml.MappingNode:
		obj := wire.Obj{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := w.value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			obj = append(obj, wire.O(n.Content[i].Value, v)...)
		}
		return obj, nil
	case yaml.SequenceNode:
		arr := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, err := w.value(e)
			if err != nil {
				return nil, err
			}
			arr[i] = v
		}
		return arr, nil
	case yaml.AliasNode:
		if w.expanding[n.Alias] {
			return nil, fmt.Errorf("line %d: alias *%s refers to a value that contains it", n.Line, n.Value)
		}
		w.expanding[n.Alias] = true
		defer delete(w.expanding, n.Alias)
		return w.value(n.Alias)
	}
	return nil, nil
}

// checkExpectLine refuses expectation lines that could never match.
func checkExpectLine(l string) error {
	cb, _, _ := strings.Cut(l, " ")
	if !slices.Contains(append(allCallbacks, wire.CbThrows), cb) {
		return fmt.Errorf("%q does not start with a callback (%s, %s)", l, strings.Join(allCallbacks, ", "), wire.CbThrows)
	}
	return nil
}
