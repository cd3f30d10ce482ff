package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mozidsim/mozidsim/internal/device"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/rp"
)

// ParseSteps decodes a list of steps in the scenario vocabulary (a YAML or JSON
// array), for drivers whose pages are not scenario apps, such as `mozidsim
// serve`. Steps that call a page's API (`{app: ...}`) are refused: there the
// pages are real and call navigator.mozId themselves. Errors name the step by
// its 1-based index.
func ParseSteps(data []byte) ([]Step, error) {
	var list yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("steps: not a JSON or YAML array: %v", err)
	}
	if list.Kind == yaml.DocumentNode && len(list.Content) == 1 {
		list = *list.Content[0]
	}
	if list.Kind != yaml.SequenceNode {
		return nil, errors.New(`steps: want an array such as [{"user": "sign-in", "email": "a@b.c", "password": "..."}]`)
	}
	if len(list.Content) > maxWorldSteps {
		return nil, fmt.Errorf("steps: %d steps in one call, at most %d", len(list.Content), maxWorldSteps)
	}
	steps := make([]Step, 0, len(list.Content))
	for i, n := range list.Content {
		st, err := parseStep(n, i+1)
		if err != nil {
			return nil, fmt.Errorf("step %d: %v", i+1, err)
		}
		if st.Kind == KindApp {
			return nil, fmt.Errorf("step %d: app steps drive scenario pages; here the pages are real and call navigator.mozId themselves", i+1)
		}
		steps = append(steps, st)
	}
	return steps, nil
}

// maxWorldSteps bounds one ParseSteps call: a driver sends a handful at a time.
const maxWorldSteps = 1000

// World plays the steps that act on a phone's world (the user at the FxA
// dialog, network, clock, FxA server, Settings, dialog checks) on a phone whose
// pages are driven by someone else. It is the scenario runner without the
// scenario's apps and expectations.
type World struct{ r *runner }

// NewWorld drives d. The caller owns d and serialises calls. Refused user
// actions are read from d's in-memory trace; a phone that records elsewhere
// passes its recorder to WatchRefusals.
func NewWorld(d *device.Device) *World {
	since := func(i int) []sim.Event {
		evs := d.Sys.Trace()
		if i >= len(evs) {
			return nil
		}
		return evs[i:]
	}
	start := len(d.Sys.Trace())
	return &World{r: &runner{d: d, res: &Result{Logs: map[string][]rp.Entry{}}, apps: map[string]rp.App{},
		refusals: &traceRefusals{since: since, next: start}}}
}

// WatchRefusals reads refused user actions from rec, the phone's recorder
// (events from now on), so that a step the dialog refuses says why.
func (w *World) WatchRefusals(rec *sim.MemRecorder) {
	w.r.refusals = &traceRefusals{since: rec.Since, next: rec.Len()}
}

// Step runs one step until the phone is idle. A failed dialog check is an
// error here, with the words `mozidsim run` uses for it.
func (w *World) Step(st Step) error {
	if st.Kind == KindApp {
		return fmt.Errorf("%s: app steps need a scenario page", st.Text)
	}
	before := len(w.r.res.Problems)
	w.r.refusals.take() // what happened before this step is not its doing
	if err := w.r.step(st); err != nil {
		return err
	}
	for _, why := range w.r.refusals.take() {
		w.r.problem("line %d: %s was refused: %s", st.Line, why.action, why.reason)
	}
	if problems := w.r.res.Problems[before:]; len(problems) > 0 {
		// Step positions in a driver's array are not file lines.
		_, msg, _ := strings.Cut(problems[0], ": ")
		return errors.New(msg)
	}
	return nil
}
