package main

import (
	"strings"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/kinds"
	"github.com/shmkit/shmkit/cmd/shmtool/internal/stress"
	"github.com/shmkit/shmkit/shm"
	"github.com/spf13/cobra"
)

// addCompletions teaches cobra's shell completion (shmtool completion
// bash|zsh|fish|powershell) the segment names the commands take and the
// values of --kind.
func addCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		switch c.Name() {
		case "inspect", "rm", "who", "dump", "watch", "tail":
			c.ValidArgsFunction = segmentNames
		case "create":
			_ = c.RegisterFlagCompletionFunc("kind", fixed(kinds.CreatableNames()))
		case "stress":
			_ = c.RegisterFlagCompletionFunc("kind", fixed(stress.Kinds()))
		}
	}
}

// segmentNames completes the names of the shmkit segments in /dev/shm.
func segmentNames(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	infos, err := shm.List(shm.DefaultDir)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, in := range infos {
		if strings.HasPrefix(in.Name, toComplete) && !contains(args, in.Name) {
			out = append(out, in.Name+"\t"+in.Header.Kind)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func fixed(values []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
