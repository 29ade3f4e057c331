//go:build race

package main

// Under the race detector every process is several times slower: the
// bench test measures one size, and CI runs the whole of it without -race.
var benchTestArgs = []string{"--sizes", "64"}

// raceEnabled tells tests that start many processes to leave them to
// the run without -race.
const raceEnabled = true
