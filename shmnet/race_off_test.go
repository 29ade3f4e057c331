//go:build linux && !race

package shmnet_test

const raceScale = 1
