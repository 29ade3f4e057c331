//go:build linux

package shmnet_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"

	"github.com/shmkit/shmkit/shmnet"
)

// Two ends of a Pipe, here in two goroutines; Attach gives one to a
// child process instead.
func ExamplePipe() {
	a, b, err := shmnet.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	defer b.Close()
	go func() {
		fmt.Fprintln(a, "ping")
		a.CloseWrite() // b reads io.EOF after the data
	}()
	line, _ := bufio.NewReader(b).ReadString('\n')
	fmt.Print(line)
	// Output: ping
}

// net/http over shared memory: the server serves on a Listener, the
// client dials with its transport's DialContext.
func ExampleListen() {
	name := fmt.Sprintf("example-%d", os.Getpid())
	l, err := shmnet.Listen(name, shmnet.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello over %s", r.URL.Path[1:])
	})}
	go srv.Serve(l)
	defer srv.Close()

	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return shmnet.Dial(ctx, name)
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://shm/shared-memory")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(strings.TrimSpace(string(body)))
	// Output: hello over shared-memory
}

// A child process gets one end of a Pipe: Attach puts its descriptors
// in the command, and the child finds them with Inherited (here, the
// same program started with an argument that tells it so).
func ExampleConn_Attach() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		c, err := shmnet.Inherited()
		if err != nil {
			os.Exit(1)
		}
		io.Copy(c, c) // echo until the parent closes its writing side
		c.Close()
		os.Exit(0)
	}
	mine, theirs, err := shmnet.Pipe()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mine.Close()
	cmd := exec.Command(os.Args[0], "worker")
	done, err := theirs.Attach(cmd)
	if err != nil {
		fmt.Println(err)
		return
	}
	err = cmd.Start()
	done() // our copies of the child's descriptors go, so that we see it die
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Fprintln(mine, "echo me")
	mine.CloseWrite()
	reply, _ := io.ReadAll(mine)
	fmt.Print(string(reply))
	cmd.Wait()
}
