package bench

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/internal/spin"
)

// dict: a shmkit dict each way, used as a mailbox, to measure how fast a
// value one process Sets is Got by another. The sender Sets message n
// under key n mod dictSlots, behind an 8-byte count; the receiver Gets
// that key until the count is n (spinning: a dict has no wait), and every
// dictSlots/4 messages Sets how far it got under dictAcked, which the
// sender reads before it would overwrite a message not yet read. Spin
// only.

const dictSlots = 64

var dictAcked = []byte("acked")

func dictKeys() [][]byte {
	keys := make([][]byte, dictSlots)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("slot-%02d", i))
	}
	return keys
}

type dictEnd struct {
	d    *dict.Dict
	keys [][]byte
	pos  uint64 // messages sent or received
	seen uint64 // the receiver's acknowledged count, as the sender last read it
	buf  []byte // a value: count and message
}

func dictLink(parent bool, size int, args []string) (*link, error) {
	cfg := dict.Config{Capacity: (dictSlots + 8) * (48 + 16 + size + 16), MaxKey: 16, MaxValue: size + 8, Shards: 1}
	return pairLink(parent, args, func(name string) (*dict.Dict, error) { return dict.Create(name, cfg, nil) },
		func(name string) (*dict.Dict, error) { return dict.Open(name, nil) },
		func(out, in *dict.Dict) (*link, error) {
			tx := &dictEnd{d: out, keys: dictKeys(), buf: make([]byte, 0, size+8)}
			rx := &dictEnd{d: in, keys: dictKeys(), buf: make([]byte, 0, size+8)}
			return &link{tx: tx, rx: rx}, nil // wake-ups: the shard locks may park, uncounted
		})
}

// send Sets msg as the next message, once the receiver has read the one
// it replaces.
func (e *dictEnd) send(msg []byte) error {
	var deadline time.Time
	for i := 0; e.pos-e.seen >= dictSlots; i++ {
		v, ok, err := e.d.AppendGet(e.buf[:0], dictAcked)
		if err != nil {
			return err
		}
		if ok && len(v) == 8 {
			e.seen = binary.LittleEndian.Uint64(v)
		}
		if err := dictWait(i, &deadline); err != nil {
			return err
		}
	}
	e.buf = binary.LittleEndian.AppendUint64(e.buf[:0], e.pos)
	e.buf = append(e.buf, msg...)
	if _, err := e.d.Set(e.keys[e.pos%dictSlots], e.buf, 0); err != nil {
		return err
	}
	e.pos++
	return nil
}

// recv Gets the next message into buf.
func (e *dictEnd) recv(buf []byte) ([]byte, error) {
	var deadline time.Time
	key := e.keys[e.pos%dictSlots]
	for i := 0; ; i++ {
		v, ok, err := e.d.AppendGet(e.buf[:0], key)
		if err != nil {
			return nil, err
		}
		if ok && len(v) >= 8 && binary.LittleEndian.Uint64(v) == e.pos {
			n := copy(buf, v[8:])
			e.pos++
			if e.pos%(dictSlots/4) == 0 {
				var b [8]byte
				binary.LittleEndian.PutUint64(b[:], e.pos)
				if _, err := e.d.Set(dictAcked, b[:], 0); err != nil {
					return nil, err
				}
			}
			return buf[:n], nil
		}
		if err := dictWait(i, &deadline); err != nil {
			return nil, err
		}
	}
}

// dictWait spins, looking at the clock now and then: the peer may have
// died.
func dictWait(i int, deadline *time.Time) error {
	spin.Pause(1)
	if i%(1<<14) == 0 && i > 0 {
		if deadline.IsZero() {
			*deadline = time.Now().Add(peerTimeout)
		} else if time.Now().After(*deadline) {
			return os.ErrDeadlineExceeded
		}
	}
	return nil
}
