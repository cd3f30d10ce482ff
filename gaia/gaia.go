package gaia

import (
	"time"

	"github.com/mozidsim/mozidsim/internal/era"
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// ModuleState is what the user sees in the FxA dialog.
//
// Screen is the visible screen (also while Busy, under the overlay). Overlay is
// the error overlay's key ("" when hidden). NextEnabled and DoneEnabled say the
// button is shown and enabled and the module would act on it now: both are false
// while Busy and once the flow has reported its outcome. Params is a copy of
// FxaModuleManager's parameters in setParam order (nil before the first).
type ModuleState struct {
	Flow, Screen, Overlay    string
	Busy                     bool
	NextEnabled, DoneEnabled bool
	// Closing: the flow is over and the panel is animating out (fxa_ui.js
	// close() waits for animationend); no input reaches it any more.
	Closing bool
	Params  wire.Obj
}

// Gaia is the handle Spawn returns: what the driver (a scenario runner, the
// phone) needs to look into the System app from outside. Holding it replaces a
// lookup keyed by system, so no package-level state is needed.
type Gaia struct {
	sys *sim.System
	ui  *FxAccountsUI
}

// Spawn starts all Gaia actors on sys (FxAccountsManager, FxAccountsUI,
// FxAccountsDialog, SystemDialogManager, FxAccountsClient, Settings). The FxA
// module itself is spawned by FxAccountsUI when a flow opens. The handle reads
// the dialog's state.
func Spawn(sys *sim.System, opts ...Option) (*Gaia, error) {
	cfg := config{era: era.Default}
	for _, o := range opts {
		o(&cfg)
	}
	ui := NewFxAccountsUI()
	client, settings := NewFxAccountsClient(), NewSettings()
	client.era, settings.era = cfg.era, cfg.era
	ui.era, ui.closeAnimation = cfg.era, cfg.closeAnimation
	actors := []struct {
		addr sim.Addr
		h    sim.Handler
	}{
		{wire.SystemFxAccountsManager, &FxAccountsManager{era: cfg.era}},
		{wire.SystemFxAccountsUI, ui},
		{wire.SystemFxAccountsDialog, NewFxAccountsDialog()},
		{wire.SystemDialogManager, NewSystemDialogManager()},
		{OtherDialog, &otherDialog{}},
		{wire.SystemFxAccountsClient, client},
		{wire.Settings, settings},
	}
	for _, a := range actors {
		if err := sys.Spawn(a.addr, a.h); err != nil {
			return nil, err
		}
	}
	return &Gaia{sys: sys, ui: ui}, nil
}

// Option configures the Gaia actors Spawn starts.
type Option func(*config)

type config struct {
	era            era.Era
	closeAnimation time.Duration
}

// CloseAnimation makes FxAccountsUI.close() wait d of virtual time for the
// panel's animationend before it hides the dialog (fxa_ui.js close()). Zero,
// the default, ends the animation at once: the keyframes' duration was not
// recovered, and a scenario that wants the race names one.
func CloseAnimation(d time.Duration) Option { return func(c *config) { c.closeAnimation = d } }

// InEra makes the System app the Gaia of era e: the contacts-backup branch of
// March 2014 (ozten/gaia@bb3e602d) or the 2015 Gaia (era.Default).
func InEra(e era.Era) Option { return func(c *config) { c.era = era.Of(e) } }

// DialogState reads the open dialog's state on its own goroutine (via sys.Invoke);
// ok=false when no dialog is open. Call it from the driver, not from an actor.
func (g *Gaia) DialogState() (ModuleState, bool, error) {
	sys, ui := g.sys, g.ui
	var mod *FxaModule
	closing := false
	if err := sys.Invoke(wire.SystemFxAccountsUI, func(*sim.Ctx) {
		if ui.iframe {
			mod, closing = ui.module, ui.closing
		}
	}); err != nil {
		return ModuleState{}, false, err
	}
	if mod == nil || !sys.Has(wire.FxAModule) {
		return ModuleState{}, false, nil
	}
	var st ModuleState
	if err := sys.Invoke(wire.FxAModule, func(*sim.Ctx) { st = mod.state() }); err != nil {
		return ModuleState{}, false, err
	}
	st.Closing = closing
	return st, true, nil
}
