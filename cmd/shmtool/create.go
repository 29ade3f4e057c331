package main

import (
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newCreate(stdout io.Writer) *cobra.Command {
	var (
		kind, size, mode string
		asJSON           bool
	)
	cmd := &cobra.Command{
		Use:   "create --kind raw --size BYTES NAME",
		Short: "Create a segment",
		Long: `Create a segment called NAME. For --kind raw, --size is the payload size in
bytes, with an optional K, M or G suffix (powers of 1024). The segment is
created 0600 unless --mode says otherwise.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			if kind != "raw" {
				return usagef("--kind %q: this build creates: raw", kind)
			}
			n, err := parseSize(size)
			if err != nil {
				return usagef("--size: %v", err)
			}
			perm, err := strconv.ParseUint(mode, 8, 32)
			if err != nil || perm > 0o777 {
				return usagef("--mode %q: want octal permission bits such as 0600", mode)
			}
			seg, err := shm.Create(args[0], n, &shm.Options{Kind: kind, Mode: fs.FileMode(perm)})
			if err != nil {
				return err
			}
			defer seg.Close()
			info, err := seg.Stat()
			if err != nil {
				return err
			}
			if asJSON {
				j := newSegmentJSON(info, time.Now())
				return writeJSON(stdout, j)
			}
			_, err = fmt.Fprintf(stdout, "created %s (%s, %d payload bytes) at %s\n", info.Name, kind, n, info.Path)
			return err
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "raw", "kind of segment")
	cmd.Flags().StringVar(&size, "size", "", "payload size in bytes (K, M, G suffixes)")
	cmd.Flags().StringVar(&mode, "mode", "0600", "permission bits, octal")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the new segment as JSON")
	return cmd
}

// parseSize reads a byte count such as 4096, 64K or 1M.
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("required")
	}
	mult := int64(1)
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
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > shm.MaxPayloadSize/mult {
		return 0, fmt.Errorf("%q is not a size from 1 byte to 1T", s)
	}
	return n * mult, nil
}
