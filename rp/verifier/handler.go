package verifier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxBodyBytes bounds a /v2 request body; a real backed assertion is about 2 KB.
const MaxBodyBytes = 64 << 10

// Handler serves browserid-verifier's POST /v2 (lib/v2.js) with this Verifier:
//   - Content-Type must start with "application/json", else 415
//     "Unsupported Content-Type: <ct> (expected application/json)" (<ct> "none" if absent);
//   - "assertion" and "audience" must be present and truthy, else 400
//     "missing assertion parameter" / "missing audience parameter";
//   - "trustedIssuers", when truthy, must be an array (400 "trusted issuers must be an
//     array") of strings (400 "trusted issuers must be an array of strings"); they are
//     trusted in addition to Verifier.TrustedIssuers;
//   - a verification failure is HTTP 200 {"status":"failure","reason":...};
//   - success is HTTP 200 with the Result ("status":"okay", audience as supplied).
//
// Every error body is {"status":"failure","reason":...}. Bodies over MaxBodyBytes get
// 413, unparsable JSON 400, methods other than POST 405, and a misconfigured
// Verifier 503 "service unavailable".
func (v *Verifier) Handler() http.Handler {
	return http.HandlerFunc(v.serveV2)
}

func (v *Verifier) serveV2(w http.ResponseWriter, r *http.Request) {
	if v == nil {
		writeFailure(w, http.StatusServiceUnavailable, "service unavailable")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeFailure(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed (expected POST)", r.Method))
		return
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "none"
	}
	if !strings.HasPrefix(ct, "application/json") {
		writeFailure(w, http.StatusUnsupportedMediaType, fmt.Sprintf("Unsupported Content-Type: %s (expected application/json)", ct))
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeFailure(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request entity too large (limit %d bytes)", MaxBodyBytes))
			return
		}
		writeFailure(w, http.StatusBadRequest, "cannot read request body: "+err.Error())
		return
	}
	body := map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 {
		var decoded any
		if err := json.Unmarshal(raw, &decoded); err != nil {
			writeFailure(w, http.StatusBadRequest, "invalid JSON in request body: "+err.Error())
			return
		}
		// An array or scalar body has no fields, as req.body had none in express.
		if m, ok := decoded.(map[string]any); ok {
			body = m
		}
	}
	for _, field := range []string{"assertion", "audience"} {
		if !jsTruthy(body[field]) {
			writeFailure(w, http.StatusBadRequest, fmt.Sprintf("missing %s parameter", field))
			return
		}
	}
	trusted := v.TrustedIssuers
	if ti := body["trustedIssuers"]; jsTruthy(ti) {
		list, ok := ti.([]any)
		if !ok {
			writeFailure(w, http.StatusBadRequest, "trusted issuers must be an array")
			return
		}
		trusted = append([]string(nil), v.TrustedIssuers...)
		for _, e := range list {
			s, ok := e.(string)
			if !ok {
				writeFailure(w, http.StatusBadRequest, "trusted issuers must be an array of strings")
				return
			}
			trusted = append(trusted, s)
		}
	}

	assertion, ok := body["assertion"].(string)
	if !ok {
		// browserid-crypto's verifyBundle refuses a non-string bundle.
		writeFailure(w, http.StatusOK, "malformed backed assertion")
		return
	}
	audience, audienceIsString := body["audience"].(string)
	res, err := v.verify(assertion, audience, audienceIsString, trusted)
	if err != nil {
		var f *Failure
		if errors.As(err, &f) {
			writeFailure(w, http.StatusOK, f.Reason)
			return
		}
		writeFailure(w, http.StatusServiceUnavailable, "service unavailable")
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// jsTruthy is JavaScript truthiness for decoded JSON values.
func jsTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0 && x == x
	}
	return true // objects and arrays, even empty ones
}

type failureBody struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func writeFailure(w http.ResponseWriter, code int, reason string) {
	writeJSON(w, code, failureBody{Status: "failure", Reason: reason})
}

// writeJSON answers like express's res.json: JSON.stringify does not escape HTML
// characters, and the type carries charset=utf-8.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"status":"failure","reason":"service unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
