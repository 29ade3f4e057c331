package main

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// versionInfo is what the binary knows of its own build.
type versionInfo struct {
	Module   string `json:"module"`
	Version  string `json:"version"`            // the module version, or "(devel)" for a build from a checkout
	Commit   string `json:"commit,omitempty"`   // vcs.revision, when built from a git checkout
	Time     string `json:"time,omitempty"`     // vcs.time
	Modified bool   `json:"modified,omitempty"` // the checkout had changes
	Go       string `json:"go"`
}

func buildVersion() versionInfo {
	v := versionInfo{Module: "github.com/shmkit/shmkit", Version: "(unknown)"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	v.Go = bi.GoVersion
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line of shmtool --version.
func (v versionInfo) String() string {
	s := v.Version
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if v.Modified {
			s += ", modified"
		}
		s += ")"
	}
	return s + ", " + v.Go
}

func newVersion(stdout io.Writer) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print shmtool's module version, commit and Go version",
		Long: `Print the module version (a tag for go install ...@version, "(devel)" for a
build from a checkout), the git commit and time it was built from, when
known, and the Go version that built it, all from the binary's build info.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			v := buildVersion()
			if asJSON {
				return writeJSON(stdout, v)
			}
			_, err := fmt.Fprintf(stdout, "shmtool %s\nmodule  %s %s\ncommit  %s\nbuilt   %s\ngo      %s\n",
				v.Version, v.Module, v.Version, orNone(v.Commit, v.Modified), orDash(v.Time), v.Go)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

func orNone(commit string, modified bool) string {
	if commit == "" {
		return "-"
	}
	if modified {
		return commit + " (modified)"
	}
	return commit
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
