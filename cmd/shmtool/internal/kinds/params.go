package kinds

import (
	"errors"
	"fmt"
)

// Params are what Create may need to make a segment; each kind reads the
// ones it needs and refuses the ones that do not apply to it.
type Params struct {
	Size       int    // bytes: raw's payload, a ring's or stream's capacity, a queue's whole size; 0 if not given
	MaxMessage int    // ring: the longest message; 0 for Size/4 - 8
	Slot       int    // queue: the longest message, the size of a slot
	Type       string // value, array: the element type, one of TypeNames
	Len        int    // array: the number of elements
	Value      int64  // semaphore: the initial permits
	Max        int64  // semaphore: the bound on permits; 0 for none
	Tracked    bool   // semaphore: record holders, so that a dead holder's permits return
	Parties    int    // barrier: the number of parties
	MaxKey     int    // dict: the longest key
	MaxValue   int    // dict: the longest value
}

// ErrUsage is returned, wrapped, when Params do not suit a kind: the
// mistake is the caller's, and the message says what it is.
var ErrUsage = errors.New("parameters do not suit the kind")

// usageError marks err as the caller's mistake: it reads as err, and is
// both ErrUsage and err.
type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{ErrUsage, e.err} }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// size returns p.Size, which the kind needs.
func (p Params) size() (int, error) {
	switch {
	case p.Size == 0:
		return 0, usagef("--size: required")
	case p.Size < 0:
		return 0, usagef("--size: %d is not a size", p.Size)
	}
	return p.Size, nil
}

// noSize refuses a size for a kind whose size follows from its type.
func (p Params) noSize() error {
	if p.Size != 0 {
		return usagef("--size applies to --kind raw only")
	}
	return nil
}

// basic returns the element type of a value or array.
func (p Params) basic() (basicType, error) {
	if err := p.noSize(); err != nil {
		return basicType{}, err
	}
	bt, ok := basicTypes[p.Type]
	if !ok {
		return basicType{}, usagef("--type %q: want one of %s", p.Type, TypeNames())
	}
	return bt, nil
}
