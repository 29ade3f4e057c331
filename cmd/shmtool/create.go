package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
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
                                   (default 256) as fit in BYTES, a power of two

A pool is not made here: pool.New makes one in the program that runs its
workers, and ls, inspect and watch show it.`,
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
	fl.StringVar(&f.size, "size", "", "payload size, for --kind raw: 4096, 64K, 1.5M, 1GiB (K, M, G, T, KiB...: powers of 1024; KB, MB, GB, TB: of 1000)")
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
func kindNames() string { return fmt.Sprint(kinds.CreatableNames()) }

// parseSize reads a byte count as a user types it: 4096, 4k, 64K, 64KiB,
// 1.5M, 1MiB, 1MB, 1T, 1TiB, in any case, with or without a space before
// the unit. A bare K, M, G or T, with or without an i (K, Ki, KiB), is a
// power of 1024, as truncate(1) and dd(1) read them; KB, MB, GB and TB are
// powers of 1000, as go-humanize's ParseBytes reads every unit. Sizes
// must come to a whole number of bytes, from 1 byte to 1 TiB
// (shm.MaxPayloadSize).
func parseSize(s string) (int, error) {
	bytes, err := parseBytes(s)
	if err != nil {
		return 0, err
	}
	if bytes.Sign() <= 0 || bytes.Cmp(big.NewInt(shm.MaxPayloadSize)) > 0 {
		return 0, fmt.Errorf("%q is %s bytes: want 1 byte to 1 TiB (%d bytes)", s, bytes, shm.MaxPayloadSize)
	}
	return int(bytes.Int64()), nil
}

// parseBytes is parseSize without its range: the whole number of bytes s
// says, for a caller with a range of its own.
func parseBytes(s string) (*big.Int, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return nil, errors.New("a size is required, such as 4096, 64K or 1MiB")
	}
	num, unit := splitSize(in)
	if !sizeNumber.MatchString(num) {
		return nil, fmt.Errorf("%q is not a size: want a number of bytes, such as 4096, 64K, 1.5MiB or 1MB", s)
	}
	unit = binaryUnit(unit)
	// go-humanize parses; it truncates a fraction of a byte, so whether
	// the size is whole is checked apart, from its unit's exact bytes.
	bytes, err := humanize.ParseBigBytes(num + unit)
	if err != nil {
		return nil, fmt.Errorf("%q: unknown unit %q; want B, K or KiB, M or MiB, G or GiB, T or TiB (powers of 1024), or KB, MB, GB, TB (powers of 1000)", s, strings.TrimSpace(in[len(num):]))
	}
	mult, _ := humanize.ParseBigBytes("1" + unit) // the unit parsed above
	exact, _ := new(big.Rat).SetString(strings.ReplaceAll(num, ",", ""))
	if exact.Mul(exact, new(big.Rat).SetInt(mult)); !exact.IsInt() {
		_, frac, _ := strings.Cut(num, ".")
		return nil, fmt.Errorf("%q is %s bytes, not a whole number of bytes", s, exact.FloatString(len(frac)))
	}
	return bytes, nil
}

// sizeNumber is the number of a size: digits with a decimal point or not,
// or digits grouped in thousands by commas (1,048,576; but 1,5 is
// refused, not read as 15).
var sizeNumber = regexp.MustCompile(`^([0-9]+(\.[0-9]*)?|\.[0-9]+|[0-9]{1,3}(,[0-9]{3})+)$`)

// splitSize splits a size at its first character that is not part of a
// number.
func splitSize(s string) (num, unit string) {
	i := strings.IndexFunc(s, func(r rune) bool { return !('0' <= r && r <= '9' || r == '.' || r == ',') })
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

// binaryUnit turns a bare K, M, G, T, P or E (any case) into KiB ...: a
// shared-memory size is a power of two far more often than of ten.
// Anything else is left for go-humanize to read (or refuse).
func binaryUnit(unit string) string {
	u := strings.ToLower(strings.TrimSpace(unit))
	if len(u) == 1 && strings.Contains("kmgtpe", u) {
		return u + "ib"
	}
	return u
}
