package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/dict"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newDump(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "dump NAME",
		Short: "Print the contents of a value, array or dict segment",
		Long: `Open a value or array segment read-only and print its elements: decoded for
basic types (int8..int64, uint8..uint64, float32, float64), in hex otherwise.
A value is read as a consistent snapshot; an array is copied as it is at that
moment, element by element, without its lock.

A dict prints one live entry per line: key, value and expiry (if any),
tab-separated, each key and value as text if it is printable UTF-8 and as
0x-prefixed hex otherwise; --json gives both forms. Each entry is read whole,
without a lock and without writing.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			seg, err := shm.Open(args[0], &shm.Options{ReadOnly: true, AllowOtherUsers: true})
			if err != nil {
				return err
			}
			defer seg.Close()
			if seg.Kind() == dict.Kind {
				return dumpDict(stdout, seg, asJSON)
			}
			values, err := kinds.Elements(seg)
			if err != nil {
				return err
			}
			e := seg.Header().Elem
			if asJSON {
				return writeJSON(stdout, struct {
					Name   string `json:"name"`
					Type   string `json:"type"`
					Len    uint64 `json:"len"`
					Values []any  `json:"values"`
				}{seg.Name(), e.Name, e.Count, values})
			}
			if seg.Kind() == "value" {
				_, err := fmt.Fprintln(stdout, values[0])
				return err
			}
			for i, v := range values {
				if _, err := fmt.Fprintf(stdout, "%d\t%v\n", i, v); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"name", "type", "len", "values"}; for a dict, {"name", "entries": [{"key", "key_hex", "value", "value_hex", "expires"}]}`)
	return cmd
}

// dumpDict prints a dict's entries.
func dumpDict(w io.Writer, seg *shm.Segment, asJSON bool) error {
	entries, err := dict.Dump(seg)
	if err != nil {
		return err
	}
	type entryJSON struct {
		Key      string     `json:"key,omitempty"`
		KeyHex   string     `json:"key_hex"`
		Value    string     `json:"value,omitempty"`
		ValueHex string     `json:"value_hex"`
		Expires  *time.Time `json:"expires,omitempty"`
	}
	rows := make([]entryJSON, 0, len(entries))
	for _, e := range entries {
		r := entryJSON{KeyHex: hex.EncodeToString(e.Key), ValueHex: hex.EncodeToString(e.Value)}
		if printable(e.Key) {
			r.Key = string(e.Key)
		}
		if printable(e.Value) {
			r.Value = string(e.Value)
		}
		if !e.Expires.IsZero() {
			r.Expires = &e.Expires
		}
		rows = append(rows, r)
	}
	if asJSON {
		return writeJSON(w, struct {
			Name    string      `json:"name"`
			Entries []entryJSON `json:"entries"`
		}{seg.Name(), rows})
	}
	text := func(b []byte) string {
		if printable(b) {
			return string(b)
		}
		return "0x" + hex.EncodeToString(b)
	}
	for _, e := range entries {
		line := text(e.Key) + "\t" + text(e.Value)
		if !e.Expires.IsZero() {
			line += "\t" + e.Expires.Format(time.RFC3339Nano)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// printable reports whether b reads as text: UTF-8 with no control
// characters (a tab or newline would break the lines).
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
