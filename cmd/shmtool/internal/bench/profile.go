package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

// CPU profiles of the measurements (Config.ProfileDir): one file per
// process per measurement, named for the row and the round, so that
// `go tool pprof` can read one, or merge several given together.

// noProfile is the second process's profile argument when none is asked.
const noProfile = "-"

// profileBase is the path, without the process's suffix, of the profiles
// of one measurement in dir.
func profileBase(dir string, p planned, round int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%s-%d-%s-r%d", p.t.Name, p.mode, p.size, phasesArg(p.idle), round))
}

// The suffixes of the two processes' profiles: the first sends (and
// times round trips), the second receives (and echoes).
const (
	profileSender   = ".send.pprof"
	profileReceiver = ".recv.pprof"
)

// startProfile starts this process's CPU profile into path, and returns
// what stops it and closes the file.
func startProfile(path string) (stop func() error, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// stopInto stops a profile (startProfile's stop) and keeps its error in
// *err unless that holds one already: a profile that could not be
// written whole fails its measurement.
func stopInto(stop func() error, err *error) {
	if e := stop(); e != nil && *err == nil {
		*err = fmt.Errorf("cpu profile: %w", e)
	}
}

// checkProfileDir makes dir if it is not there, and checks that it is a
// directory.
func checkProfileDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%w: profile directory: %v", ErrInvalidConfig, err)
	}
	return nil
}
