package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// createFlags are create's flags: the kind's parameters, and those that
// are not kinds.Params or not yet parsed.
type createFlags struct {
	p      kinds.Params
	size   string
	kind   string
	mode   string
	asJSON bool
}

// params returns the kind's parameters, --size parsed.
func (f *createFlags) params() (kinds.Params, error) {
	p := f.p
	if f.size != "" {
		n, err := parseSize(f.size)
		if err != nil {
			return p, usagef("--size: %v", err)
		}
		p.Size = n
	}
	return p, nil
}

func newCreate(stdout io.Writer) *cobra.Command {
	f := &createFlags{}
	cmd := &cobra.Command{
		Use:   "create --kind KIND [flags] NAME",
		Short: "Create a segment",
		Long: `Create a segment called NAME, 0600 unless --mode says otherwise:

  --kind raw --size BYTES          untyped payload (K, M, G suffixes: powers of 1024)
  --kind mutex                     a robust futex.Mutex
  --kind event                     a futex.Event
  --kind barrier --parties N       a futex.Barrier
  --kind semaphore --value V [--max M] [--tracked]
                                   a semaphore.Semaphore with V permits, bounded by M
                                   (0: unbounded), recording holders if --tracked
  --kind value --type T            a value.Value[T], T one of int8..int64,
                                   uint8..uint64, float32, float64
  --kind array --type T --len N    an array.Array[T] of N elements
  --kind ring --size BYTES [--max-msg N]
                                   a ringbuf message ring with BYTES of data (a power
                                   of two, at least 4K), messages up to N bytes
                                   (default and limit: BYTES/4 - 8)
  --kind stream --size BYTES       a ring for a byte stream (StreamWriter/StreamReader)
  --kind dict --size BYTES [--max-key N] [--max-value N]
                                   a dictionary: as many entries for keys of up to N
                                   bytes (default 64) and values of up to N (default
                                   256) as fit in BYTES
  --kind queue --size BYTES [--slot N]
                                   a ringbuf queue for many producers and consumers:
                                   as many slots for messages of up to N bytes
                                   (default 256) as fit in BYTES, a power of two`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			k, ok := kinds.Lookup(f.kind)
			if !ok {
				return usagef("--kind %q: this build creates %s", f.kind, kindNames())
			}
			perm, err := strconv.ParseUint(f.mode, 8, 32)
			if err != nil || perm > 0o777 {
				return usagef("--mode %q: want octal permission bits such as 0600", f.mode)
			}
			p, err := f.params()
			if err != nil {
				return err
			}
			seg, err := k.Create(args[0], p, &shm.Options{Mode: fs.FileMode(perm)})
			if errors.Is(err, kinds.ErrUsage) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			defer seg.Close()
			info, err := seg.Stat()
			if err != nil {
				return err
			}
			if f.asJSON {
				return writeJSON(stdout, newSegmentJSON(info, time.Now()))
			}
			_, err = fmt.Fprintf(stdout, "created %s (%s, %d payload bytes) at %s\n", info.Name, f.kind, info.Header.PayloadSize, info.Path)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.kind, "kind", "raw", "kind of segment: "+kindNames())
	fl.StringVar(&f.size, "size", "", "payload size in bytes, for --kind raw")
	fl.Int64Var(&f.p.Value, "value", 0, "initial permits, for --kind semaphore")
	fl.Int64Var(&f.p.Max, "max", 0, "bound on permits (0: none), for --kind semaphore")
	fl.BoolVar(&f.p.Tracked, "tracked", false, "record semaphore holders, so that a dead holder's permits return")
	fl.IntVar(&f.p.Parties, "parties", 0, "parties, for --kind barrier")
	fl.StringVar(&f.p.Type, "type", "", "element type, for --kind value and array")
	fl.IntVar(&f.p.Len, "len", 0, "number of elements, for --kind array")
	fl.IntVar(&f.p.MaxMessage, "max-msg", 0, "longest message, for --kind ring")
	fl.IntVar(&f.p.Slot, "slot", 256, "longest message (the slot size), for --kind queue")
	fl.IntVar(&f.p.MaxKey, "max-key", 64, "longest key, for --kind dict")
	fl.IntVar(&f.p.MaxValue, "max-value", 256, "longest value, for --kind dict")
	fl.StringVar(&f.mode, "mode", "0600", "permission bits, octal")
	fl.BoolVar(&f.asJSON, "json", false, "print the new segment as JSON")
	return cmd
}

// kindNames lists the kinds create accepts, for messages.
func kindNames() string { return fmt.Sprint(kinds.Names()) }

// parseSize reads a byte count such as 4096, 64K or 1M.
func parseSize(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	mult := 1
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > shm.MaxPayloadSize/mult {
		return 0, fmt.Errorf("%q is not a size from 1 byte to 1T", s)
	}
	return n * mult, nil
}
