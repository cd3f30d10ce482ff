package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/mozidsim/mozidsim/internal/cliflag"
	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	contactfiles "github.com/mozidsim/mozidsim/scenarios/contacts"
	"github.com/mozidsim/mozidsim/trace"
)

// Files holds the shipped mozId scenarios (this directory's *.yaml). The
// contacts scenarios are in scenarios/contacts (its Files).
//
//go:embed *.yaml
var Files embed.FS

// Shipped is one scenario of the library.
type Shipped struct {
	Name  string
	File  string // e.g. "scenarios/request-sign-in.yaml"
	Kind  string // KindMozID or KindContacts
	About string
	// Era is the file's own era ("" for a scenario that runs in either: the
	// default unless `run --era` says otherwise).
	Era era.Era
}

// Source is the shipped file's text.
func (s Shipped) Source() ([]byte, error) {
	if s.Kind == KindContacts {
		return contactfiles.Files.ReadFile(path.Base(s.File))
	}
	return Files.ReadFile(path.Base(s.File))
}

// library is every shipped scenario: the mozId ones, then the contacts ones,
// each in file name order.
var library = sync.OnceValues(func() ([]Shipped, error) {
	var out []Shipped
	for _, dir := range []struct {
		files fs.FS
		path  string
	}{{Files, "scenarios"}, {contactfiles.Files, "scenarios/contacts"}} {
		names, err := fs.Glob(dir.files, "*.yaml")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			data, err := fs.ReadFile(dir.files, name)
			if err != nil {
				return nil, err
			}
			file := path.Join(dir.path, name)
			sc, err := Parse(file, data)
			if err != nil {
				return nil, err
			}
			out = append(out, Shipped{Name: sc.Name, File: file, Kind: sc.Kind, About: sc.About, Era: sc.Era})
		}
	}
	return out, nil
})

// SeedWalkthroughs are the scenarios of the seed's two walkthroughs
// (fxos-mozid-control-flow parts I and II). Their files name no era: they run,
// and have goldens, in every era.
var SeedWalkthroughs = []string{"seed-walkthrough", "request-sign-in", "watch-signed-out"}

// Library lists the shipped scenarios, in file name order.
func Library() ([]Shipped, error) { return library() }

// Load returns a scenario's file name and text: name is a path to a file, or a
// shipped scenario's name (or file name).
func Load(name string) (file string, source []byte, err error) {
	if data, err := readScenario(name); err == nil {
		return name, data, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", nil, err
	}
	lib, err := Library()
	if err != nil {
		return "", nil, err
	}
	base := strings.TrimSuffix(path.Base(name), ".yaml")
	var names []string
	for _, s := range lib {
		if s.Name == name || strings.TrimSuffix(path.Base(s.File), ".yaml") == base {
			data, err := s.Source()
			return s.File, data, err
		}
		names = append(names, s.Name)
	}
	return "", nil, fmt.Errorf("%s: no such file, and no shipped scenario of that name%s (mozidsim list shows them)", name, cliflag.DidYouMean(base, names))
}

// readScenario reads at most MaxScenarioBytes of a file: /dev/zero or a huge
// file is refused after that much, not read whole into memory.
func readScenario(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: a directory, not a scenario file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxScenarioBytes {
		return nil, tooLarge(name)
	}
	return data, nil
}

func tooLarge(name string) error {
	return &Error{File: name, Msg: fmt.Sprintf("larger than %d bytes, the most a scenario file may hold (shipped ones are a few KB)", MaxScenarioBytes)}
}

// TraceLibrary is the library as package trace reaches it (replay, explain,
// diagram); version is written into the headers of the traces it records.
func TraceLibrary(version string) trace.Library {
	return trace.Library{
		Version: version,
		Names: func() []string {
			lib, _ := Library()
			var names []string
			for _, s := range lib {
				names = append(names, s.Name)
			}
			return names
		},
		Load: Load,
		Run: func(name string, source []byte, seed uint64, eraName string, rec sim.Recorder) (uint64, string, error) {
			sc, err := Parse(name, source)
			if err != nil {
				return 0, "", err
			}
			var e era.Era
			if eraName != "" {
				if e, err = era.Parse(eraName); err != nil {
					return 0, "", err
				}
			}
			// "SCENARIO/PHONE" is one phone of a contacts world (a golden is
			// recorded per phone): the run is the whole world's, the trace that
			// phone's part.
			phone, world := devicePart(name, sc), rec
			if phone != "" {
				world = &sim.MemRecorder{}
			}
			res, err := Run(sc, Options{Seed: seed, Recorder: world, Era: e})
			if err != nil {
				return 0, "", err
			}
			if phone != "" {
				for _, ev := range sc.DeviceEvents(world.(*sim.MemRecorder).Events())[phone] {
					rec.Record(ev)
				}
			}
			return res.Seed, res.Era.String(), nil
		},
	}
}

// devicePart is PHONE when name is "SCENARIO/PHONE", one of a contacts
// scenario's devices, and "" otherwise.
func devicePart(name string, sc *Scenario) string {
	scName, phone, ok := strings.Cut(name, "/")
	if !ok || sc.Contacts == nil || scName != sc.Name {
		return ""
	}
	for _, d := range sc.Contacts.Devices {
		if d.Name == phone {
			return phone
		}
	}
	return ""
}

// Summary is the first sentence of a scenario's about text, clipped to one
// terminal line.
func Summary(about string) string {
	about = strings.Join(strings.Fields(about), " ")
	if i := strings.Index(about, ". "); i >= 0 {
		about = about[:i+1]
	}
	if r := []rune(about); len(r) > summaryWidth {
		about = strings.TrimRight(string(r[:summaryWidth-1]), " ,;:") + "…"
	}
	return about
}

const summaryWidth = 100
