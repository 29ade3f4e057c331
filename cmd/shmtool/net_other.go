//go:build !linux

package main

import (
	"io"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/netscan"
)

func netRows(netscan.Result) []any { return nil }

func printNet(io.Writer, netscan.Result, string) error { return nil }
