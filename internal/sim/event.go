package sim

import "time"

// Kind says what an Event records.
type Kind uint8

const (
	// KindHop is a message delivered from one actor to another.
	KindHop Kind = iota + 1
	// KindTimer is a timer an actor armed, firing on virtual time.
	KindTimer
	// KindCallback is a callback a page received (onlogin, onlogout, ...), or a
	// synchronous exception thrown to it.
	KindCallback
	// KindCall is a synchronous call into an actor (navigator.mozId.watch(...)).
	KindCall
	// KindNote is a remark an actor logs (what Gecko dumped to the console).
	KindNote
	// KindDropped is a message sent to an actor that no longer exists.
	KindDropped
	// KindFault is an actor that panicked, or refused a message it could not
	// read (Ctx.Fault); the system carries on without that message.
	KindFault
)

var kindNames = [...]string{"", "hop", "timer", "callback", "call", "note", "dropped", "fault"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Event is one line of the trace.
type Event struct {
	Seq     uint64
	At      time.Duration // virtual time since the start
	Kind    Kind
	From    Addr
	To      Addr
	Name    string
	Payload any
}

// Recorder receives every event in order, on the scheduler's behalf.
type Recorder interface {
	Record(Event)
}
