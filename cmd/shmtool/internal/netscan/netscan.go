//go:build linux

package netscan

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/procscan"
	"github.com/shmkit/shmkit/shmnet"
)

// Listener is a shmnet listener.
type Listener struct {
	Name  string `json:"name"`
	PID   int    `json:"pid"`   // 0 if its process is not readable here
	Conns int    `json:"conns"` // its open connections
}

// Conn is a shmnet connection: its memory, and who holds it.
type Conn struct {
	Name  string        `json:"name"`
	PIDs  []int         `json:"pids"` // one left: its peer has exited
	State *shmnet.State `json:"state,omitempty"`
	Error string        `json:"error,omitempty"`
}

// Result is one scan.
type Result struct {
	Listeners []Listener `json:"listeners"`
	Conns     []Conn     `json:"conns"`
	// Complete is false if some process's descriptors could not be read.
	Complete bool `json:"complete"`
}

// Scan looks at /proc.
func Scan() Result { return scan("/proc") }

func scan(root string) Result {
	res := Result{Complete: true}
	socks := listeningSockets(filepath.Join(root, "net/unix")) // inode -> name
	sockPID := map[string]int{}
	type group struct {
		conn Conn
		path string // a /proc/PID/fd/N of its memfd, to inspect it through
	}
	groups := map[procscan.FileID]*group{}
	var order []procscan.FileID
	dirs, _ := filepath.Glob(filepath.Join(root, "[0-9]*"))
	slices.SortFunc(dirs, func(a, b string) int { return atoi(filepath.Base(a)) - atoi(filepath.Base(b)) })
	for _, dir := range dirs {
		pid := atoi(filepath.Base(dir))
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			if !os.IsNotExist(err) {
				res.Complete = false
			}
			continue
		}
		for _, fd := range fds {
			path := filepath.Join(dir, "fd", fd.Name())
			link, err := os.Readlink(path)
			if err != nil {
				continue
			}
			if ino, ok := strings.CutPrefix(link, "socket:["); ok {
				ino = strings.TrimSuffix(ino, "]")
				if _, listening := socks[ino]; listening && sockPID[ino] == 0 {
					sockPID[ino] = pid
				}
				continue
			}
			name, ok := shmnet.ConnName(link)
			if !ok {
				continue
			}
			fi, err := os.Stat(path)
			if err != nil {
				continue
			}
			id, ok := procscan.IDOf(fi)
			if !ok {
				continue
			}
			g := groups[id]
			if g == nil {
				g = &group{conn: Conn{Name: name}, path: path}
				groups[id] = g
				order = append(order, id)
			}
			if !slices.Contains(g.conn.PIDs, pid) {
				g.conn.PIDs = append(g.conn.PIDs, pid)
			}
		}
	}
	for _, id := range order {
		g := groups[id]
		if st, err := inspect(g.path); err != nil {
			g.conn.Error = err.Error()
		} else {
			g.conn.State = &st
		}
		res.Conns = append(res.Conns, g.conn)
	}
	for ino, name := range socks {
		l := Listener{Name: name, PID: sockPID[ino]}
		for _, c := range res.Conns {
			if c.Name == name && l.PID != 0 && slices.Contains(c.PIDs, l.PID) {
				l.Conns++
			}
		}
		res.Listeners = append(res.Listeners, l)
	}
	slices.SortFunc(res.Listeners, func(a, b Listener) int { return strings.Compare(a.Name, b.Name) })
	return res
}

// inspect opens a connection's memfd read-only and reads its state.
func inspect(path string) (shmnet.State, error) {
	f, err := os.Open(path)
	if err != nil {
		return shmnet.State{}, err
	}
	defer f.Close()
	return shmnet.InspectFile(f)
}

// listeningSockets reads /proc/net/unix for shmnet listeners: listening
// sockets (the __SO_ACCEPTCON flag) whose abstract path is a listener's.
func listeningSockets(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// Num RefCount Protocol Flags Type St Inode Path
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 {
			continue
		}
		flags, err := strconv.ParseUint(fields[3], 16, 32)
		if err != nil || flags&0x10000 == 0 {
			continue
		}
		if name, ok := shmnet.ListenerName(fields[7]); ok {
			out[fields[6]] = name
		}
	}
	return out
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
