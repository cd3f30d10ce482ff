package jsonhttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDoSendsJSONAndBoundsTheAnswer(t *testing.T) {
	var gotType, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotType = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"error":"no tea"}`))
	}))
	defer srv.Close()

	status, body, err := Do(context.Background(), srv.Client(), http.MethodPost, srv.URL, map[string]int{"a": 1}, 8)
	require.NoError(t, err)
	require.Equal(t, http.StatusTeapot, status)
	require.Equal(t, `{"error"`, string(body), "the answer is cut at the limit")
	require.Equal(t, "application/json", gotType)
	require.Equal(t, `{"a":1}`, gotBody)

	_, _, err = Do(context.Background(), srv.Client(), http.MethodGet, srv.URL, nil, 1<<10)
	require.NoError(t, err)
	require.Empty(t, gotType, "no body, no content type")

	_, _, err = Do(context.Background(), srv.Client(), http.MethodPost, srv.URL, func() {}, 1<<10)
	require.ErrorContains(t, err, "encode the request")
}
