//go:build linux

package bench

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/shmkit/shmkit/shmnet"
)

// conn: a shmnet connection (a Pipe, whose second end the child inherits),
// read and written as any net.Conn. Spin mode spins without parking;
// block mode is a connection's default (spin up to shmnet.DefaultSpin,
// then park until the peer's wake-up byte on the socket).

// connSpinForever is a spin longer than any phase.
const connSpinForever = time.Hour

func connLink(parent bool, mode string, args []string) (*link, error) {
	var c *shmnet.Conn
	l := &link{}
	if parent {
		a, b, err := shmnet.Pipe()
		if err != nil {
			return nil, err
		}
		cmd := &exec.Cmd{Env: []string{}}
		done, err := b.Attach(cmd) // the child's descriptors are its 3, 4, ...: link.files
		if err != nil {
			a.Close()
			return nil, err
		}
		env, _ := strings.CutPrefix(cmd.Env[len(cmd.Env)-1], shmnet.PipeEnv+"=")
		c, l.files, l.args = a, cmd.ExtraFiles, []string{env}
		l.closer = func() { done(); a.Close() }
	} else {
		if len(args) != 1 {
			return nil, errors.New("conn: want the inherited descriptors' variable")
		}
		os.Setenv(shmnet.PipeEnv, args[0])
		var err error
		if c, err = shmnet.Inherited(); err != nil {
			return nil, err
		}
		l.closer = func() { c.Close() }
	}
	if mode == "spin" {
		c.SetSpin(connSpinForever)
	}
	l.tx, l.rx = writerTx{c}, readerRx{c}
	return l, nil
}
