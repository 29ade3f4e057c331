//go:build linux

package shmnet_test

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"testing"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

// net/http over shmnet between two processes: the server answers each
// request with its body's length and CRC, and also sends the body back.

func init() { testutil.Child("http-server", childHTTPServer) }

func childHTTPServer(args []string) error {
	l, err := shmnet.Listen(args[0], shmnet.Config{})
	if err != nil {
		return err
	}
	testutil.Send("ready")
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Body", fmt.Sprintf("%d %08x", len(body), crc32.ChecksumIEEE(body)))
		w.Write(body)
	}))
}

func TestHTTP(t *testing.T) {
	requests := 10000 / raceScale
	if testing.Short() {
		requests = 1000
	}
	name := testutil.Name(t)
	server := testutil.Start(t, "http-server", name)
	server.Expect("ready")
	tr := &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return shmnet.Dial(ctx, name) },
		MaxIdleConnsPerHost: 4,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	rng := rand.New(rand.NewPCG(3, 4))
	body := make([]byte, 1<<20)
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	var total int64
	for i := range requests {
		// Sizes from 0 B to 1 MiB, spread evenly over their orders of
		// magnitude, both ends included.
		n := 0
		switch {
		case i == 1:
			n = len(body)
		case i > 1:
			n = min(len(body), int(float64(rng.IntN(1<<20))*rng.Float64()*rng.Float64()))
		}
		resp, err := client.Post("http://shm/echo", "application/octet-stream", bytes.NewReader(body[:n]))
		if err != nil {
			t.Fatalf("request %d (%d bytes): %v", i, n, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf("%d %08x", n, crc32.ChecksumIEEE(body[:n]))
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("X-Body") != want || !bytes.Equal(got, body[:n]) {
			t.Fatalf("request %d: status %d, X-Body %q (want %q), %d bytes back, %v", i, resp.StatusCode, resp.Header.Get("X-Body"), want, len(got), err)
		}
		total += int64(n)
	}
	t.Logf("%d requests, %d bytes each way", requests, total)
	server.Kill()
}
