//go:build linux

package shmnet

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// PipeEnv names the variable through which a child finds the connection
// its parent attached (Attach): "FD,ROLE", the first of its two
// descriptors (the socket, then the memory) and which end it is.
const PipeEnv = "SHMNET_PIPE"

const pipeEnv = PipeEnv

// Pipe returns the two ends of a new connection, as Python's
// multiprocessing.Pipe does: both in this process, to use here (two
// goroutines) or to hand one to a child process with Attach. The buffers
// are DefaultCapacity each way.
func Pipe() (*Conn, *Conn, error) {
	r, err := newResources("pipe", DefaultCapacity)
	if err != nil {
		return nil, nil, err
	}
	sa, sb, err := socketPair()
	if err != nil {
		r.close()
		return nil, nil, err
	}
	// The second end has a descriptor and a mapping of its own, so that
	// either can be closed, or sent to a child, alone.
	rb := &resources{}
	rb.memfd, err = dupFile(r.memfd)
	if err == nil {
		rb.mem, err = mapFile(rb.memfd, false)
	}
	if err != nil {
		r.close()
		rb.close()
		sa.Close()
		sb.Close()
		return nil, nil, err
	}
	a, err := newConn("pipe", 0, r, DefaultCapacity, sa, spins(DefaultSpin))
	if err != nil {
		rb.close()
		sb.Close()
		return nil, nil, err
	}
	b, err := newConn("pipe", 1, rb, DefaultCapacity, sb, spins(DefaultSpin))
	if err != nil {
		a.Close()
		return nil, nil, err
	}
	me := selfCred()
	a.setCred(me)
	b.setCred(me)
	b.first = a
	b.attachable = true
	return a, b, nil
}

// Attach hands c, the second end of a Pipe, to the child process cmd
// will start: its descriptors go into cmd.ExtraFiles and their numbers
// into cmd.Env, where Inherited finds them. c is closed in this process
// (without closing the connection). Call done after cmd.Start (or if it
// fails): it closes this process's copies, so that the other end sees
// the child's death, and once the child has started makes the other
// end's PeerCred the child's.
func (c *Conn) Attach(cmd *exec.Cmd) (done func(), err error) {
	if !c.attachable {
		return nil, errors.New("shmnet: Attach: not the second end of a Pipe, or already attached")
	}
	if err := c.gate.Enter(); err != nil {
		return nil, c.opErr("attach", err)
	}
	sock, err := c.sock.File() // a dup
	var files []*os.File
	if err == nil {
		files = append(files, sock)
		var f *os.File
		if f, err = dupFile(c.memfd); err == nil {
			files = append(files, f)
		}
	}
	c.gate.Leave()
	if err != nil {
		closeAll(files)
		return nil, err
	}
	first := 3 + len(cmd.ExtraFiles)
	cmd.ExtraFiles = append(cmd.ExtraFiles, files...)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d,%d", pipeEnv, first, c.role))
	c.detached, c.attachable = true, false
	c.Close()
	return func() {
		closeAll(files)
		if cmd.Process != nil && c.first != nil { // started: the first end's peer is the child
			c.first.setCred(childCred(cmd))
		}
	}, nil
}

// childCred is who the child cmd started as: its pid, and the uid and gid
// it asked for, or ours.
func childCred(cmd *exec.Cmd) Cred {
	cred := selfCred()
	cred.PID = cmd.Process.Pid
	if a := cmd.SysProcAttr; a != nil && a.Credential != nil {
		cred.UID, cred.GID = int(a.Credential.Uid), int(a.Credential.Gid)
		if !a.Credential.NoSetGroups {
			cred.Groups = cred.Groups[:0]
			for _, g := range a.Credential.Groups {
				cred.Groups = append(cred.Groups, int(g))
			}
		}
	}
	return cred
}

// selfCred is this process's Cred.
func selfCred() Cred {
	groups, _ := os.Getgroups()
	return Cred{PID: os.Getpid(), UID: os.Getuid(), GID: os.Getgid(), Groups: groups}
}

// Inherited returns the connection the parent attached to this process
// (Attach), or ErrNoPipe. It takes the connection once: the variable
// that named it is cleared, so that this process's own children do not
// see it. A variable that is malformed, or names descriptors that are not
// an attached connection's (a Unix socket, then a connection's sealed
// memfd), gives an error that matches ErrNoPipe, and leaves them open.
func Inherited() (*Conn, error) {
	v, ok := os.LookupEnv(pipeEnv)
	if !ok {
		return nil, ErrNoPipe
	}
	os.Unsetenv(pipeEnv)
	fdText, roleText, _ := strings.Cut(v, ",")
	first, err1 := strconv.Atoi(fdText)
	role, err2 := strconv.Atoi(roleText)
	if err1 != nil || err2 != nil || first < 3 || role < 0 || role > 1 {
		return nil, noPipeError{v, "want FD,ROLE, FD at least 3 and ROLE 0 or 1"}
	}
	if err := checkInherited(first); err != nil { // nothing is closed: the descriptors may be another's
		return nil, noPipeError{v, err.Error()}
	}
	files := make([]*os.File, 2)
	for i := range files {
		files[i] = os.NewFile(uintptr(first+i), "shmnet-inherited")
	}
	sock, err := fileUnixConn(files[0])
	if err != nil {
		closeAll(files[1:])
		return nil, err
	}
	r, capacity, err := takeResources(files[1:])
	if err != nil {
		sock.Close()
		return nil, err
	}
	cred, err := peerCred(sock)
	if err != nil {
		r.close()
		sock.Close()
		return nil, err
	}
	c, err := newConn("pipe", role, r, capacity, sock, spins(DefaultSpin))
	if err != nil {
		return nil, err
	}
	c.setCred(cred)
	return c, nil
}
