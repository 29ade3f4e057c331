//go:build !race

package spin

const RaceEnabled = false
