package phone

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mozidsim/mozidsim/internal/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClockOnlyMovesForward(t *testing.T) {
	c := NewClock(sim.Epoch)
	c.Observe(sim.Epoch.Add(time.Minute))
	c.Observe(sim.Epoch) // a phone behind the others does not turn the clock back
	require.Equal(t, sim.Epoch.Add(time.Minute), c.Now())
}

func TestClientPublishesThePhonesTimeBeforeEachRequest(t *testing.T) {
	c := NewClock(sim.Epoch)
	var seen time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = c.Now() }))
	defer srv.Close()
	phoneTime := sim.Epoch.Add(42 * time.Second)
	hc := c.Client(srv.Client(), func() time.Time { return phoneTime })
	resp, err := hc.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	hc.CloseIdleConnections()
	require.Equal(t, phoneTime, seen)
}
