package gaia

import (
	"github.com/mozidsim/mozidsim/internal/sim"
	"github.com/mozidsim/mozidsim/internal/wire"
)

// FxAccountsDialog is apps/system/js/fxa_dialog.js, a SystemDialog
// (apps/system/js/system_dialog.js) whose onHide option is FxAccountsUI.reset.
type FxAccountsDialog struct {
	visible bool
}

// NewFxAccountsDialog creates the actor (address wire.SystemFxAccountsDialog).
func NewFxAccountsDialog() *FxAccountsDialog { return &FxAccountsDialog{} }

// Receive handles show and hide(reason).
func (d *FxAccountsDialog) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case MethodShow:
		if d.visible {
			return // a second loadFlow into the open dialog
		}
		d.visible = true
		ctx.Send(wire.SystemDialogManager, EventSystemDialogShow, nil)
	case MethodHide:
		hr, ok := wire.Read[HideRequest](ctx, m)
		if !ok {
			return
		}
		if !d.visible {
			// Two hides crossed (Home while the flow was closing); the first one already ran onHide.
			ctx.Record(sim.KindNote, ctx.Self(), "hide ignored: the dialog is already hidden", hr.Reason)
			return
		}
		d.visible = false
		ctx.Send(wire.SystemDialogManager, EventSystemDialogHide, nil)
		ctx.Send(wire.SystemFxAccountsUI, MethodReset, hr)
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

// SystemDialogManager is apps/system/js/system_dialog_manager.js: it tracks the
// active system dialog, hides it on Home / long-press Home with that event's type
// as the reason, and hides it with 'interrupted' when another dialog shows.
type SystemDialogManager struct {
	active sim.Addr
}

// NewSystemDialogManager creates the actor (address wire.SystemDialogManager).
func NewSystemDialogManager() *SystemDialogManager { return &SystemDialogManager{} }

// Receive handles dialog show/hide events and the Home button.
func (s *SystemDialogManager) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case EventSystemDialogShow:
		if s.active != "" && s.active != m.From {
			ctx.Send(s.active, MethodHide, HideRequest{Reason: ReasonInterrupted})
		}
		s.active = m.From
	case EventSystemDialogHide:
		if s.active == m.From {
			s.active = ""
		}
	case wire.UserHome, wire.UserHoldHome:
		if s.active == "" {
			ctx.Record(sim.KindNote, ctx.Self(), "no active dialog", m.Name+" hides nothing")
			return
		}
		ctx.Send(s.active, MethodHide, HideRequest{Reason: m.Name})
		s.active = ""
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}

// otherDialog is another SystemDialog (OtherDialog): shown by the world, it
// publishes system-dialog-show like any dialog, so SystemDialogManager hides
// the active one with 'interrupted' (system_dialog_manager.js activateDialog).
type otherDialog struct{ visible bool }

func (o *otherDialog) Receive(ctx *sim.Ctx, m sim.Message) {
	switch m.Name {
	case MethodShow:
		if o.visible {
			return
		}
		o.visible = true
		ctx.Send(wire.SystemDialogManager, EventSystemDialogShow, nil)
	case MethodHide:
		if o.visible {
			o.visible = false
			ctx.Send(wire.SystemDialogManager, EventSystemDialogHide, nil)
		}
	default:
		ctx.Record(sim.KindNote, ctx.Self(), "ignored message", m.Name)
	}
}
