package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

func newWho(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "who NAME",
		Short: "List the processes that map a segment",
		Long: `List the processes that have the segment mapped, found by device and inode
in /proc/*/maps. Processes whose maps this user may not read are not shown.`,
		Args: exactArgs(1, "one segment NAME"),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := shm.Path(args[0])
			if err != nil {
				return err
			}
			fi, err := os.Lstat(path)
			if err != nil {
				return fmt.Errorf("who %s: %w", args[0], err)
			}
			id, ok := fileID(fi)
			if !ok {
				return fmt.Errorf("who %s: cannot read the file's device and inode", args[0])
			}
			procs := mappers(id)
			if asJSON {
				return writeJSON(stdout, struct {
					Name      string    `json:"name"`
					Path      string    `json:"path"`
					Processes []process `json:"processes"`
				}{args[0], path, procs})
			}
			for _, p := range procs {
				fmt.Fprintf(stdout, "%d\t%s\n", p.PID, p.Command)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// process is one process that maps a segment.
type process struct {
	PID     int    `json:"pid"`
	Command string `json:"command"`
}

// devIno identifies a file as /proc/PID/maps does: "MAJOR:MINOR INODE",
// device numbers in hex.
type devIno struct {
	dev string
	ino uint64
}

// mappers scans /proc for processes with a mapping of the file id.
func mappers(id devIno) []process {
	procs := []process{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		f, err := os.Open(dir + "/maps")
		if err != nil {
			continue // gone, or not ours to read
		}
		found := mapsHas(f, id)
		f.Close()
		if found {
			comm, _ := os.ReadFile(dir + "/comm")
			procs = append(procs, process{PID: pid, Command: string(bytes.TrimSpace(comm))})
		}
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].PID < procs[j].PID })
	return procs
}

// mapsHas reports whether a /proc/PID/maps listing has a line for id.
func mapsHas(r io.Reader, id devIno) bool {
	return slices.Contains(mapsIDs(r), id)
}

// mapsIDs lists the files of a /proc/PID/maps listing. Each line is
// "ADDR PERMS OFFSET DEV INODE [PATH]"; inode 0 is no file.
func mapsIDs(r io.Reader) []devIno {
	var ids []devIno
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		if ino, err := strconv.ParseUint(f[4], 10, 64); err == nil && ino != 0 {
			ids = append(ids, devIno{dev: f[3], ino: ino})
		}
	}
	return ids
}
