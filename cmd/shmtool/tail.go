package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/follow"
	"github.com/spf13/cobra"
)

func newTail(stdout, stderr io.Writer) *cobra.Command {
	var (
		asJSON bool
		cfg    follow.TailConfig
	)
	cmd := &cobra.Command{
		Use:   "tail NAME",
		Short: "Print a ring's, stream's or queue's messages as they arrive",
		Long: `Print each message committed to the ring, stream or queue from now on: as
text when it is UTF-8, in hex otherwise. By default tail only watches (a
read-only mapping); it does not take the messages from the consumers, and
under load it may miss some (in a queue, those a consumer takes first),
which it says on stderr. With --consume it becomes a consumer and takes
them. --count stops after that many messages; --wait stops after
that long without one.`,
		Args: exactArgs(1, "one ring, stream or queue NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := follow.Tail(args[0], cfg)
			if errors.Is(err, follow.ErrInvalidConfig) {
				return usagef("--count and --wait must not be negative")
			}
			if err != nil {
				return err
			}
			defer t.Close()
			for {
				m, err := t.Next(cmd.Context())
				switch {
				case errors.Is(err, follow.ErrLapped):
					fmt.Fprintln(stderr, "shmtool: tail fell behind; some messages were not shown")
					continue
				case err == io.EOF:
					return nil
				case err != nil:
					return err
				}
				if err := printMessage(stdout, m.Seq, m.Data, asJSON); err != nil {
					return err
				}
			}
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print one {"seq", "len", "text" or "hex"} object per message`)
	cmd.Flags().BoolVar(&cfg.Consume, "consume", false, "become the ring's consumer and take the messages")
	cmd.Flags().IntVar(&cfg.Count, "count", 0, "stop after this many messages (0: never)")
	cmd.Flags().DurationVar(&cfg.Wait, "wait", 0, "stop after this long without a message (0: never)")
	return cmd
}

func printMessage(w io.Writer, seq int, msg []byte, asJSON bool) error {
	text := utf8.Valid(msg)
	if asJSON {
		j := map[string]any{"seq": seq, "len": len(msg)}
		if text {
			j["text"] = string(msg)
		} else {
			j["hex"] = hex.EncodeToString(msg)
		}
		return writeJSONLine(w, j)
	}
	if text {
		_, err := fmt.Fprintf(w, "%d\t%s\n", seq, strconv.Quote(string(msg)))
		return err
	}
	_, err := fmt.Fprintf(w, "%d\t%s\n", seq, hex.EncodeToString(msg))
	return err
}
