package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Machine is what the results were measured on.
type Machine struct {
	CPU             string  `json:"cpu"`
	Cores           int     `json:"cores"`
	Kernel          string  `json:"kernel"`
	Go              string  `json:"go"`
	SharedCore      bool    `json:"shared_core"` // the two processes ran on one core (at least once)
	PinnedCPUs      []int   `json:"pinned_cpus"` // Config.CPUs, or null
	CopyBytesPerSec float64 `json:"copy_bytes_per_sec"`
}

func describeMachine(cpus []int) Machine {
	m := Machine{CPU: cpuModel(), Cores: runtime.NumCPU(), Kernel: kernelRelease(), Go: runtime.Version(), PinnedCPUs: cpus}
	if len(cpus) == 2 {
		m.SharedCore = cpus[0] == cpus[1]
	}
	return m
}

// String describes the machine in one line.
func (m Machine) String() string {
	pin := "not pinned"
	if len(m.PinnedCPUs) == 2 {
		pin = fmt.Sprintf("pinned to cores %d and %d", m.PinnedCPUs[0], m.PinnedCPUs[1])
	}
	return fmt.Sprintf("%s, %d cores, Linux %s, %s, processes %s", m.CPU, m.Cores, m.Kernel, m.Go, pin)
}

// cpuModel reads the CPU's name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// copyBandwidth measures one core copying 64 KiB blocks from one 4 MiB
// buffer to another (the ring's size, so not all in cache): the floor for
// moving bytes at all, in bytes per second.
func copyBandwidth(d time.Duration) float64 {
	const block, span = 64 << 10, 4 << 20
	src, dst := make([]byte, span), make([]byte, span)
	for i := range src {
		src[i] = byte(i)
	}
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for off := 0; off < span; off += block {
			copy(dst[off:off+block], src[off:off+block])
		}
		n += span
	}
	sink.Add(uint32(dst[n%span]))
	return float64(n) / time.Since(start).Seconds()
}

// currentCPU returns the core the calling thread last ran on, from
// /proc/thread-self/stat (field 39), or -1.
func currentCPU() int {
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		return -1
	}
	i := strings.LastIndexByte(string(b), ')') // the command name may hold spaces
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:])) // from field 3 on
	if len(f) < 37 {
		return -1
	}
	n, err := strconv.Atoi(f[36])
	if err != nil {
		return -1
	}
	return n
}
