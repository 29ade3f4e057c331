//go:build !race

package main

var benchTestArgs []string

// raceEnabled tells tests that start many processes to leave them to
// the run without -race.
const raceEnabled = false
