package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
	"github.com/shmkit/shmkit/pool"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newInspect(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect NAME",
		Short: "Show a segment's header and state",
		Long: `Open the segment read-only (O_RDONLY, PROT_READ) and print its decoded header
and the live state of its kind. Inspect never writes to the segment.

A NAME with no segment but a shmnet listener or connections of that name
shows them instead: the listener's pid, and each connection's processes,
bytes each way, what is unread and its state.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			seg, err := shm.Open(args[0], &shm.Options{ReadOnly: true, AllowOtherUsers: true})
			if errors.Is(err, fs.ErrNotExist) { // perhaps a shmnet listener or connection: no file
				if found, nerr := inspectNet(stdout, args[0], asJSON); found || nerr != nil {
					return nerr
				}
			}
			if err != nil {
				return err
			}
			defer seg.Close()
			info, err := seg.Stat()
			if err != nil {
				return err
			}
			j := newSegmentJSON(info, time.Now())
			st, err := kinds.Inspect(seg)
			if err == nil {
				j.State, err = toMap(st)
			}
			if err != nil {
				return fmt.Errorf("inspect %s: %w", args[0], err)
			}
			if asJSON {
				return writeJSON(stdout, j)
			}
			var elems []any
			if j.Kind == "value" || j.Kind == "array" {
				elems, _ = kinds.Elements(seg) // shown when readable; the state says the rest
			}
			var workers []pool.WorkerState
			if ps, ok := st.(pool.State); ok {
				workers = ps.Workers
			}
			return printInspect(stdout, &j, elems, workers)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// printInspect prints the header and the state; elems are a value's or
// an array's elements, workers a pool's slots (a table, not the state's
// list of objects, which takes eight lines a worker).
func printInspect(w io.Writer, j *segmentJSON, elems []any, workers []pool.WorkerState) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s:\t%v\n", k, v) }
	row("name", j.Name)
	row("path", j.Path)
	row("kind", fmt.Sprintf("%s (version %d)", j.Kind, j.KindVersion))
	row("size", fmt.Sprintf("%d bytes (payload %d at offset %d)", j.Size, j.PayloadSize, j.PayloadOffset))
	row("mode", fmt.Sprintf("%s, owner uid %d", j.Mode, j.OwnerUID))
	row("layout", j.LayoutVersion)
	alive := "dead"
	if j.CreatorAlive {
		alive = "alive"
	}
	row("creator", fmt.Sprintf("pid %d (%s)", j.CreatorPID, alive))
	row("created", j.CreatedAt)
	if e := j.Elem; e != nil {
		row("elements", fmt.Sprintf("%d × %s (size %d, align %d, fingerprint %s)", e.Count, e.Type, e.Size, e.Align, e.Fingerprint))
	}
	switch {
	case j.Kind == "value" && len(elems) == 1:
		row("value", elems[0])
		delete(j.State, "bytes") // the same, undecoded (--json keeps it)
	case j.Kind == "array" && elems != nil:
		row("length", len(elems))
		row("first", firstElems(elems, 8))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if j.Kind == pool.Kind {
		delete(j.State, "workers") // the table below (--json keeps them)
	}
	if len(j.State) == 0 {
		return nil
	}
	fmt.Fprintln(w, "state:")
	if err := printTree(w, j.State, "  "); err != nil {
		return err
	}
	if j.Kind == pool.Kind {
		return printWorkers(w, workers, j.CreatorAlive, "  ")
	}
	return nil
}

// firstElems lists up to n elements, and says how many more there are.
func firstElems(elems []any, n int) string {
	parts := make([]string, 0, n+1)
	for _, e := range elems[:min(n, len(elems))] {
		parts = append(parts, fmt.Sprint(e))
	}
	if len(elems) > n {
		parts = append(parts, fmt.Sprintf("... (%d more)", len(elems)-n))
	}
	return strings.Join(parts, ", ")
}

// printTree prints a decoded JSON object as indented "key: value" lines,
// the values of one object aligned, nested objects below their key, and
// lists of scalars on one line: structured text, not Go's map syntax.
func printTree(w io.Writer, m map[string]any, indent string) error {
	keys := make([]string, 0, len(m))
	width := 0
	for k := range m {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case map[string]any:
			fmt.Fprintf(w, "%s%s:\n", indent, k)
			if len(v) == 0 {
				fmt.Fprintf(w, "%s  (none)\n", indent)
			}
			if err := printTree(w, v, indent+"  "); err != nil {
				return err
			}
		case []any:
			if scalars(v) {
				fmt.Fprintf(w, "%s%-*s  %s\n", indent, width+1, k+":", listText(v))
				continue
			}
			fmt.Fprintf(w, "%s%s:\n", indent, k)
			for i, e := range v {
				if sub, ok := e.(map[string]any); ok {
					fmt.Fprintf(w, "%s  [%d]\n", indent, i)
					if err := printTree(w, sub, indent+"    "); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(w, "%s  [%d] %v\n", indent, i, scalarText(e))
				}
			}
		default:
			if _, err := fmt.Fprintf(w, "%s%-*s  %s\n", indent, width+1, k+":", scalarText(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

func scalars(v []any) bool {
	for _, e := range v {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func listText(v []any) string {
	if len(v) == 0 {
		return "(none)"
	}
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = scalarText(e)
	}
	return strings.Join(parts, ", ")
}

// scalarText prints a JSON scalar: whole numbers without an exponent.
func scalarText(v any) string {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) && x < 1e18 && x > -1e18 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case nil:
		return "-"
	}
	return fmt.Sprint(v)
}

// inspectNet prints the shmnet listener and connections called name, and
// reports whether there were any.
func inspectNet(w io.Writer, name string, asJSON bool) (bool, error) {
	res := netscan.Scan()
	var sel netscan.Result
	for _, l := range res.Listeners {
		if l.Name == name {
			sel.Listeners = append(sel.Listeners, l)
		}
	}
	for _, c := range res.Conns {
		if c.Name == name {
			sel.Conns = append(sel.Conns, c)
		}
	}
	if len(sel.Listeners)+len(sel.Conns) == 0 {
		return false, nil
	}
	if asJSON {
		return true, writeJSON(w, netRows(sel))
	}
	return true, printNet(w, sel, name)
}
