package main

import (
	"fmt"
	"io"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/internal/live"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// lsRow is one file as ls lists it: what inspect --json says of a
// segment, and what ls adds from /proc and the user database.
type lsRow struct {
	segmentJSON
	Owner    string `json:"owner"`         // the owner's user name, or uid when it has none
	NAttch   int    `json:"nattch"`        // processes that map it or hold it open
	Attached []int  `json:"attached_pids"` // their pids, ascending; [] when none

	created time.Time // the header's, zero without one
}

// lsColumn is a column of ls's table.
type lsColumn struct {
	name   string // as -o takes it
	header string
	help   string
	value  func(r *lsRow, f *lsFormat) string
}

// lsFormat is how the table shows values: the clock ages are measured
// against, and whether sizes are raw numbers.
type lsFormat struct {
	now   time.Time
	bytes bool
}

func (f *lsFormat) size(n int64) string {
	if f.bytes {
		return strconv.FormatInt(n, 10)
	}
	return human.Bytes(float64(n))
}

// headerless returns "-" for a file without a readable shmkit header
// (foreign, liveness or broken), and v() otherwise.
func headerless(r *lsRow, v func() string) string {
	if r.Foreign || r.Error != "" {
		return "-"
	}
	return v()
}

var lsColumns = []lsColumn{
	{"name", "NAME", "segment name (a path outside /dev/shm)", func(r *lsRow, _ *lsFormat) string { return r.Name }},
	{"kind", "KIND", "kind; foreign or liveness for files without a shmkit header (--all), ? if broken", func(r *lsRow, _ *lsFormat) string {
		switch {
		case r.Foreign && strings.HasPrefix(filepath.Base(r.Path), live.Prefix):
			return "liveness"
		case r.Foreign:
			return "foreign"
		case r.Error != "":
			return "?"
		}
		return r.Kind
	}},
	{"kver", "KVER", "version of the kind's layout", func(r *lsRow, _ *lsFormat) string {
		return headerless(r, func() string { return strconv.FormatUint(uint64(r.KindVersion), 10) })
	}},
	{"size", "SIZE", "file size, header included", func(r *lsRow, f *lsFormat) string { return f.size(r.Size) }},
	{"payload", "PAYLOAD", "payload size", func(r *lsRow, f *lsFormat) string {
		return headerless(r, func() string { return f.size(int64(r.PayloadSize)) })
	}},
	{"owner", "OWNER", "owner's user name, or uid if it has none", func(r *lsRow, _ *lsFormat) string { return r.Owner }},
	{"uid", "UID", "owner's uid", func(r *lsRow, _ *lsFormat) string { return strconv.FormatUint(uint64(r.OwnerUID), 10) }},
	{"mode", "MODE", "permission bits, octal", func(r *lsRow, _ *lsFormat) string { return r.Mode }},
	{"nattch", "NATTCH", "processes that map it or hold it open", func(r *lsRow, _ *lsFormat) string { return strconv.Itoa(r.NAttch) }},
	{"pids", "PIDS", "those processes' pids", func(r *lsRow, _ *lsFormat) string {
		if len(r.Attached) == 0 {
			return "-"
		}
		s := make([]string, len(r.Attached))
		for i, p := range r.Attached {
			s[i] = strconv.Itoa(p)
		}
		return strings.Join(s, ",")
	}},
	{"cpid", "CPID", "creator's pid", func(r *lsRow, _ *lsFormat) string {
		return headerless(r, func() string { return strconv.Itoa(r.CreatorPID) })
	}},
	{"alive", "ALIVE", "whether the creator still runs", func(r *lsRow, _ *lsFormat) string {
		return headerless(r, func() string { return map[bool]string{true: "yes", false: "no"}[r.CreatorAlive] })
	}},
	{"age", "AGE", "time since it was created", func(r *lsRow, f *lsFormat) string {
		return headerless(r, func() string { return age(f.now.Sub(r.created)) })
	}},
	{"created", "CREATED", "when it was created, RFC 3339, UTC", func(r *lsRow, _ *lsFormat) string {
		return headerless(r, func() string { return r.created.UTC().Format(time.RFC3339) })
	}},
	{"path", "PATH", "the file's path", func(r *lsRow, _ *lsFormat) string { return r.Path }},
}

// The column sets -o names, and the default.
var (
	lsDefault = []string{"name", "kind", "size", "nattch", "owner", "mode", "age"}
	lsWide    = []string{"name", "kind", "kver", "size", "payload", "nattch", "owner", "mode", "cpid", "age", "path"}
)

// lookupColumn returns the column -o calls name, or nil.
func lookupColumn(name string) *lsColumn {
	for i := range lsColumns {
		if lsColumns[i].name == name {
			return &lsColumns[i]
		}
	}
	return nil
}

// columns returns the columns called names, which exist.
func columns(names []string) []*lsColumn {
	cols := make([]*lsColumn, len(names))
	for i, n := range names {
		cols[i] = lookupColumn(n)
	}
	return cols
}

func lsColumnNames() string {
	names := make([]string, len(lsColumns))
	for i, c := range lsColumns {
		names[i] = c.name
	}
	return strings.Join(names, ",")
}

// parseColumns reads -o: "wide", a comma-separated list of columns, or
// one starting with "+", which adds to the default columns.
func parseColumns(spec string) ([]*lsColumn, error) {
	names := lsDefault
	switch s := strings.TrimSpace(spec); {
	case strings.EqualFold(s, "wide"):
		names = lsWide
	case s == "" || s == "+":
		return nil, usagef("-o %q: want wide, or columns such as name,size (%s)", spec, lsColumnNames())
	default:
		if rest, ok := strings.CutPrefix(s, "+"); ok {
			names = append(names[:len(names):len(names)], strings.Split(rest, ",")...)
		} else {
			names = strings.Split(s, ",")
		}
	}
	cols := make([]*lsColumn, 0, len(names))
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		c := lookupColumn(n)
		switch {
		case n == "wide":
			return nil, usagef("-o %q: wide is a column set of its own, not a column to list with others", spec)
		case c == nil:
			return nil, usagef("-o %q: no column %q; the columns are %s", spec, n, lsColumnNames())
		}
		cols = append(cols, c)
	}
	return cols, nil
}

func lsColumnHelp() string {
	var b strings.Builder
	for _, c := range lsColumns {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.help)
	}
	return strings.TrimRight(b.String(), "\n")
}

func newLs(stdout io.Writer) *cobra.Command {
	var (
		asJSON, all, noHeadings, raw bool
		output                       string
	)
	cmd := &cobra.Command{
		Use:   "ls [DIR]",
		Short: "List shmkit segments in /dev/shm or DIR",
		Long: `List the segments that carry a shmkit header, in /dev/shm or in DIR, one a
line, as lsipc and ipcs -m list System V segments. Files without the header
(other programs' segments and shmkit's liveness files) are left out, or
with --all shown as foreign (or liveness); they are never locked. Broken
shmkit segments are listed with their error.

Sizes are in IEC units (1.0 MiB is 1048576 bytes); --bytes prints raw
numbers. NATTCH counts the processes that map the segment or hold it open,
found in /proc/*/maps and /proc/*/fd by the scan who and gc use. Processes
whose /proc entries this user may not read (other users', without
privilege) are not counted; when a listed segment is one that other users
may open (a mode other than 0600), ls says so on stderr.

-o, --output picks the columns. Its value is one of:
  wide            more columns: ` + strings.Join(lsWide, ",") + `
  COL,COL,...     exactly these columns, in this order (as lsipc -o)
  +COL,...        the default columns, then these
The default columns are ` + strings.Join(lsDefault, ",") + `; names are
case-insensitive, and "wide" is never a column. The columns:
` + lsColumnHelp() + `

With --json, ls prints a JSON array instead, every field of every
segment with raw numbers: sizes in bytes (size, payload_size), created_at
in RFC 3339 and age_seconds, mode, owner_uid and owner, nattch and
attached_pids; -o and --noheadings shape the table only and are refused
with --json.

Without DIR, shmnet's listeners and connections follow, which have no file
in /dev/shm (a connection is a memfd): each listener's pid and open
connections, each connection's processes, bytes each way and state, read
from /proc without writing to them; their tables are left out with -o or
--noheadings. With --json they follow the segments in the array, as
objects of kind "shmnet-listener" and "shmnet-conn".`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("want at most one directory, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			custom := cmd.Flags().Changed("output")
			if asJSON && (custom || noHeadings) {
				return usagef("--json prints every field: -o and --noheadings are for the table")
			}
			cols := columns(lsDefault)
			if custom {
				var err error
				if cols, err = parseColumns(output); err != nil {
					return err
				}
			}
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			list := shm.List
			if all {
				list = shm.ListAll
			}
			infos, err := list(dir)
			if err != nil {
				return err
			}
			now := time.Now()
			rows := lsRows(infos, now)
			snap := attach(rows)
			net := netscan.Result{}
			if dir == "" { // shmnet's objects are not files of a directory
				net = netscan.Scan()
			}
			if asJSON {
				all := make([]any, 0, len(rows))
				for _, r := range rows {
					all = append(all, r)
				}
				return writeJSON(stdout, append(all, netRows(net)...))
			}
			if err := printLs(stdout, rows, cols, &lsFormat{now: now, bytes: raw}, !noHeadings); err != nil {
				return err
			}
			if note := scanNote(snap); note != "" && othersMayOpen(rows) {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: NATTCH may leave out other users' processes where others may open a segment: %s\n", note)
			}
			if custom || noHeadings {
				return nil
			}
			return printNet(stdout, net, "")
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print a JSON array, with raw numbers")
	fl.BoolVar(&all, "all", false, "also list files without a shmkit header, as foreign")
	fl.StringVarP(&output, "output", "o", "", "columns: wide, COL,COL,... or +COL,... (see above)")
	fl.BoolVarP(&noHeadings, "noheadings", "n", false, "print no header line")
	fl.BoolVarP(&raw, "bytes", "b", false, "print sizes in bytes, not in KiB, MiB ...")
	return cmd
}

// lsRows turns List's answer into rows, with their owners' names.
func lsRows(infos []shm.Info, now time.Time) []lsRow {
	owners := ownerNames{}
	rows := make([]lsRow, 0, len(infos))
	for i := range infos {
		r := lsRow{segmentJSON: newSegmentJSON(&infos[i], now), Owner: owners.name(infos[i].UID), Attached: []int{}}
		if infos[i].Err == nil {
			r.created = infos[i].Header.CreatedAt
		}
		rows = append(rows, r)
	}
	return rows
}

// othersMayOpen reports whether some row's mode lets users other than
// its owner open it: only those can be in use by processes that a scan
// without privilege cannot see (as gc judges too).
func othersMayOpen(rows []lsRow) bool {
	for _, r := range rows {
		if perm, err := strconv.ParseUint(r.Mode, 8, 32); err == nil && perm&0o077 != 0 {
			return true
		}
	}
	return false
}

// attach fills in NATTCH from one scan of /proc, the one who and gc make;
// nil if there are no rows to scan for.
func attach(rows []lsRow) *procscan.Snapshot {
	if len(rows) == 0 {
		return nil
	}
	snap := procscan.Scan(procscan.All)
	for i := range rows {
		if id, err := procscan.Identify(rows[i].Path); err == nil {
			rows[i].Attached = snap.PIDs(id)
			rows[i].NAttch = len(rows[i].Attached)
		}
	}
	return snap
}

func printLs(w io.Writer, rows []lsRow, cols []*lsColumn, f *lsFormat, headings bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	cells := make([]string, len(cols))
	if headings {
		for i, c := range cols {
			cells[i] = c.header
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	for i := range rows {
		r := &rows[i]
		for j, c := range cols {
			cells[j] = c.value(r, f)
		}
		line := strings.Join(cells, "\t")
		if r.Error != "" && !r.Foreign {
			line += "\t(" + r.Error + ")"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// ownerNames finds user names by uid, each once: the uid itself when the
// user database has no name for it.
type ownerNames map[uint32]string

func (o ownerNames) name(uid uint32) string {
	if n, ok := o[uid]; ok {
		return n
	}
	n := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(n); err == nil && u.Username != "" {
		n = u.Username
	}
	o[uid] = n
	return n
}
