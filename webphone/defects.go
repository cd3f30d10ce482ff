package webphone

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	pubphone "github.com/mozidsim/mozidsim/phone"
)

// Defects are the test-only ways to make the next assertion handed to an app's
// window wrong, so a conformance suite can check that the RP's server refuses
// it (phone.Defects: package phone mints them).
var Defects = slices.Clone(pubphone.Defects)

// SetDefect makes the next onlogin assertion of app's windows wrong in the named way.
func (s *Server) SetDefect(app, defect string) error {
	if !slices.Contains(Defects, defect) {
		return fmt.Errorf("defect %q is not one of %s", defect, strings.Join(Defects, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.ContainsFunc(s.apps, func(a App) bool { return a.Name == app }) {
		return fmt.Errorf("no app %q", app)
	}
	s.defects[app] = defect
	return nil
}

func (s *Server) serveDefect(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		App    string `json:"app"`
		Defect string `json:"defect"`
	}
	if err := jsonStrict(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.SetDefect(req.App, req.Defect); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// applyDefect hands the window the assertion it should get: the real one, or
// one made wrong as asked. Called with Server.mu held, on the page's actor.
func (s *Server) applyDefect(w *window, assertion string) string {
	defect, ok := s.defects[w.app.Name]
	if !ok {
		return assertion
	}
	delete(s.defects, w.app.Name)
	bad, err := s.p.Defective(assertion, defect)
	if err != nil {
		w.s.faults = append(w.s.faults, Fault{Kind: "defect", Window: w.id, Message: err.Error()})
		return assertion
	}
	w.note("test-only: the assertion handed to this window is " + defect)
	return bad
}

// note records a remark on the window's page while it runs (from a callback).
func (w *window) note(msg string) { _ = w.s.p.Note(w.page, "mozidsim serve", msg) }
