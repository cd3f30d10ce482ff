package webphone

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
)

//go:embed shim.js
var shimSource string

//go:embed phone.html
var phoneHTML []byte

// shimApp is what the shim knows of its page's app before the socket opens: the
// page-side checks (audience, user input) depend on the app's status.
type shimApp struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status int    `json:"status"`
}

// shimScript is the shim with the phone's apps and era filled in.
func (s *Server) shimScript() string {
	apps := map[string]shimApp{}
	for origin, a := range s.appOf {
		status, _ := appStatus(a.Kind)
		apps[origin] = shimApp{Name: a.Name, Kind: a.Kind, Status: int(status)}
	}
	b, _ := json.Marshal(apps)
	e, _ := json.Marshal(s.era.String())
	src := strings.Replace(shimSource, "/*APPS*/{}/*END*/", string(b), 1)
	return strings.Replace(src, `/*ERA*/"2015"/*END*/`, string(e), 1)
}

func (s *Server) serveShim(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// Pages of any origin load it, as any page loaded include.js from Persona.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write([]byte(s.shim))
}

func (s *Server) servePhone(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(phoneHTML)
}
