//go:build linux && race

package shmnet_test

// raceScale divides the bigger tests under the race detector, which is
// some ten times slower.
const raceScale = 10
