//go:build linux

package shmnet_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/procfs"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/experimental"
	"google.golang.org/grpc/interop"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/mem"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/shmnet"
)

// BenchmarkCompare measures a shmnet connection beside a Unix socket and
// TCP loopback, in one run, between this process and a server process:
// a raw connection's 64-byte round trip and 64 KiB throughput, and gRPC's
// empty unary call and client streaming of 64 KiB messages. Round trips
// report p50-ns and p99-ns.
//
// The -pool rows stream with a buffer pool fit for 64 KiB messages
// (messagePool), in both processes, for every network alike.
func BenchmarkCompare(b *testing.B) {
	window := []grpc.DialOption{grpc.WithInitialWindowSize(grpcWindow), grpc.WithInitialConnWindowSize(grpcWindow)}
	nobuf := append([]grpc.DialOption{grpc.WithReadBufferSize(0), grpc.WithWriteBufferSize(0)}, window...)
	for _, network := range []string{"shm", "unix", "tcp"} {
		b.Run(network, func(b *testing.B) {
			raw, grpcAddr, stop := startCompareServer(b, network, "default")
			defer stop()
			b.Run("rtt-64B", func(b *testing.B) { benchRTT(b, raw) })
			b.Run("throughput-64KiB", func(b *testing.B) { benchThroughput(b, raw) })
			b.Run("grpc-unary", func(b *testing.B) { benchGRPCUnary(b, network, grpcAddr[0], nil) })
			b.Run("grpc-stream-64KiB", func(b *testing.B) { benchGRPCStream(b, network, grpcAddr[0], nil) })
			b.Run("grpc-stream-64KiB-window16MiB", func(b *testing.B) { benchGRPCStream(b, network, grpcAddr[1], window) })
			b.Run("grpc-stream-64KiB-nobuf-window16MiB", func(b *testing.B) { benchGRPCStream(b, network, grpcAddr[2], nobuf) })
			// A server process of its own: the codec's pool is its process's.
			_, poolAddr, stopPool := startCompareServer(b, network, "pool")
			defer stopPool()
			pool := []grpc.DialOption{experimental.WithBufferPool(messagePool)}
			b.Run("grpc-stream-64KiB-pool", func(b *testing.B) {
				defer useMessagePool()()
				benchGRPCStream(b, network, poolAddr[0], pool)
			})
			b.Run("grpc-stream-64KiB-pool-window16MiB", func(b *testing.B) {
				defer useMessagePool()()
				benchGRPCStream(b, network, poolAddr[1], append(pool, window...))
			})
			b.Run("grpc-stream-64KiB-pool-nobuf-window16MiB", func(b *testing.B) {
				defer useMessagePool()()
				benchGRPCStream(b, network, poolAddr[2], append(pool, nobuf...))
			})
		})
	}
}

func init() {
	testutil.Child("compare-server", childCompareServer)
	experimental.SetDefaultBufferPool(codecPool)
}

// messagePool is a buffer pool for streams of 64 KiB messages: sync.Pools
// of every power of two, which do not clear a buffer they hand out (gRPC
// overwrites every byte it asks for). gRPC's default pool has tiers of
// 256 B, 4, 16 and 32 KiB and 1 MiB, and clears what it hands out: a
// 64 KiB message marshals to 65,544 bytes, so each one takes, and clears,
// a 1 MiB buffer, twice (the client's Marshal, the server's Unmarshal),
// and each 16 KiB DATA frame read clears one more. A user streaming such
// messages would pick a pool that fits them.
var messagePool mem.BufferPool = new(pow2Pool)

type pow2Pool struct{ tiers [48]sync.Pool } // tiers[e]: buffers of cap 1<<e

func (p *pow2Pool) Get(n int) *[]byte {
	e := bits.Len(uint(max(n, 1) - 1)) // the smallest 1<<e >= n
	if b, ok := p.tiers[e].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<e)
	return &b
}

func (p *pow2Pool) Put(b *[]byte) {
	if c := cap(*b); c > 0 && c&(c-1) == 0 && c < 1<<len(p.tiers) {
		p.tiers[bits.Len(uint(c))-1].Put(b)
	}
}

// codecPool is this process's default buffer pool, which gRPC's proto
// codec takes its buffers from (no option sets it per connection): gRPC's
// own default, or messagePool while a -pool row runs (useMessagePool) or
// in a "pool" server process.
var codecPool = &switchPool{def: mem.DefaultBufferPool()}

type switchPool struct {
	def  mem.BufferPool
	mine atomic.Bool // messagePool's turn
}

func (p *switchPool) pool() mem.BufferPool {
	if p.mine.Load() {
		return messagePool
	}
	return p.def
}

func (p *switchPool) Get(n int) *[]byte { return p.pool().Get(n) }
func (p *switchPool) Put(b *[]byte)     { p.pool().Put(b) }

// useMessagePool makes messagePool this process's codec pool until the
// returned func is called.
func useMessagePool() func() {
	codecPool.mine.Store(true)
	return func() { codecPool.mine.Store(false) }
}

// grpcWindow is HTTP/2's flow-control window on both sides, for every
// network alike, in the -window16MiB case. gRPC's default (64 KiB, grown by its estimate of the
// bandwidth-delay product) makes a stream of 64 KiB messages wait for a
// window update, a round trip through both processes' goroutines, about
// once a message; a program that streams large messages sets it.
const grpcWindow = 16 << 20

// listenOn listens on a fresh address of network, and returns it and
// how to dial it.
func listenOn(network, name string) (net.Listener, string, error) {
	switch network {
	case "shm":
		l, err := shmnet.Listen(name, shmnet.Config{})
		return l, name, err
	case "unix":
		l, err := net.Listen("unix", "@"+name)
		return l, "@" + name, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	return l, l.Addr().String(), nil
}

func dialTo(ctx context.Context, network, addr string) (net.Conn, error) {
	if network == "shm" {
		return shmnet.Dial(ctx, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// childCompareServer serves, on network: a raw listener whose connections
// echo 64-byte messages ("e") or sink a stream and answer with its length
// ("s"), and a gRPC interop server.
func childCompareServer(args []string) error {
	network, pool, base := args[0], args[1], args[2]
	var common []grpc.ServerOption
	if pool == "pool" { // before any gRPC server: messagePool throughout
		codecPool.mine.Store(true)
		common = append(common, experimental.BufferPool(messagePool))
	}
	raw, rawAddr, err := listenOn(network, base+"-raw")
	if err != nil {
		return err
	}
	// Two gRPC servers: gRPC's defaults, and a 16 MiB window.
	var grpcAddr [3]string
	window := []grpc.ServerOption{grpc.InitialWindowSize(grpcWindow), grpc.InitialConnWindowSize(grpcWindow)}
	nobuf := append([]grpc.ServerOption{grpc.ReadBufferSize(0), grpc.WriteBufferSize(0)}, window...)
	for i, opts := range [][]grpc.ServerOption{nil, window, nobuf} {
		gl, addr, err := listenOn(network, fmt.Sprintf("%s-grpc%d", base, i))
		if err != nil {
			return err
		}
		s := grpc.NewServer(append(opts, common...)...)
		testgrpc.RegisterTestServiceServer(s, interop.NewTestServer())
		go s.Serve(gl)
		grpcAddr[i] = addr
	}
	testutil.Send("%s %s %s %s", rawAddr, grpcAddr[0], grpcAddr[1], grpcAddr[2])
	for {
		c, err := raw.Accept()
		if err != nil {
			return err
		}
		go serveRaw(c)
	}
}

func serveRaw(c net.Conn) {
	defer c.Close()
	var mode [1]byte
	if _, err := io.ReadFull(c, mode[:]); err != nil {
		return
	}
	if mode[0] == 'e' {
		buf := make([]byte, 64)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}
	var n [8]byte
	var size int64
	binary.Read(c, binary.LittleEndian, &size)
	got, _ := io.CopyN(io.Discard, c, size)
	binary.LittleEndian.PutUint64(n[:], uint64(got))
	c.Write(n[:])
}

// startCompareServer starts a server process for network, whose gRPC
// servers use gRPC's buffer pool (pool "default") or messagePool ("pool").
func startCompareServer(b *testing.B, network, pool string) (raw string, grpcAddr [3]string, stop func()) {
	p := testutil.Start(b, "compare-server", network, pool, testutil.Name(b)+"-"+pool)
	if _, err := fmt.Sscan(p.ReadLine(), &raw, &grpcAddr[0], &grpcAddr[1], &grpcAddr[2]); err != nil {
		b.Fatal(err)
	}
	serverPid.Store(int64(p.Pid()))
	return raw, grpcAddr, p.Kill
}

// serverPid is the server process of the sub-benchmark running now, whose
// CPU time cpuMeter reads.
var serverPid atomic.Int64

// cpuMeter reports the CPU time that this process and the server process
// spend per operation together (cpu-µs/op), and of it the time in the
// kernel (sys-µs/op). On 2 cores a stream that keeps both busy is bound
// by the sum, whatever the network; and what gRPC spends outside the
// kernel over a socket it spends over any network, so that sum minus a
// socket's sys time bounds what any network can win. The throughput's own
// figures swing with the VM; these less.
type cpuMeter struct{ cpu, sys time.Duration }

func startCPU(b *testing.B) cpuMeter {
	cpu, sys := cpuTimes(b)
	return cpuMeter{cpu, sys}
}

func (m cpuMeter) report(b *testing.B) {
	cpu, sys := cpuTimes(b)
	n := float64(b.N)
	b.ReportMetric(float64((cpu-m.cpu).Microseconds())/n, "cpu-µs/op")
	b.ReportMetric(float64((sys-m.sys).Microseconds())/n, "sys-µs/op")
}

// cpuTimes returns the CPU time of this process and the server process
// so far, all of it and the system part.
func cpuTimes(b *testing.B) (cpu, sys time.Duration) {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		b.Fatal(err)
	}
	ticks := func(t uint) time.Duration { return time.Duration(t) * time.Second / 100 } // USER_HZ
	for _, pid := range []int{os.Getpid(), int(serverPid.Load())} {
		p, err := fs.Proc(pid)
		if err != nil {
			b.Fatal(err)
		}
		st, err := p.Stat()
		if err != nil {
			b.Fatal(err)
		}
		cpu += ticks(st.UTime + st.STime)
		sys += ticks(st.STime)
	}
	return cpu, sys
}

// samples keeps the last len(d) round trips without allocating, so
// that the benchmark's allocs/op are the connection's.
type samples struct {
	d []time.Duration
	n int
}

func newSamples() *samples { return &samples{d: make([]time.Duration, 1<<16)} }

func (s *samples) add(d time.Duration) { s.d[s.n%len(s.d)] = d; s.n++ }

func reportQuantiles(b *testing.B, s *samples) {
	d := s.d[:min(s.n, len(s.d))]
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

func benchRTT(b *testing.B, addr string) {
	network := networkOf(b)
	c, err := dialTo(context.Background(), network, addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{'e'})
	msg := make([]byte, 64)
	d := newSamples()
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, msg); err != nil {
			b.Fatal(err)
		}
		d.add(time.Since(start))
	}
	reportQuantiles(b, d)
}

func benchThroughput(b *testing.B, addr string) {
	network := networkOf(b)
	c, err := dialTo(context.Background(), network, addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const block = 64 << 10
	msg := make([]byte, block)
	c.Write([]byte{'s'})
	binary.Write(c, binary.LittleEndian, int64(b.N)*block)
	b.SetBytes(block)
	b.ReportAllocs()
	for range b.N { // not b.Loop: the size is sent first
		if _, err := c.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
	var n [8]byte
	if _, err := io.ReadFull(c, n[:]); err != nil || binary.LittleEndian.Uint64(n[:]) != uint64(b.N)*block {
		b.Fatalf("server got %d bytes, %v; want %d", binary.LittleEndian.Uint64(n[:]), err, b.N*block)
	}
}

// networkOf is the network a BenchmarkCompare sub-benchmark runs over.
func networkOf(b *testing.B) string {
	var network string
	fmt.Sscanf(b.Name(), "BenchmarkCompare/%s", &network)
	for i, r := range network {
		if r == '/' {
			return network[:i]
		}
	}
	return network
}

func grpcClient(b *testing.B, network, addr string, opts []grpc.DialOption) (testgrpc.TestServiceClient, func()) {
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, a string) (net.Conn, error) { return dialTo(ctx, network, addr) }))
	cc, err := grpc.NewClient("passthrough:///"+addr, opts...)
	if err != nil {
		b.Fatal(err)
	}
	return testgrpc.NewTestServiceClient(cc), func() { cc.Close() }
}

func benchGRPCUnary(b *testing.B, network, addr string, opts []grpc.DialOption) {
	tc, done := grpcClient(b, network, addr, opts)
	defer done()
	ctx := context.Background()
	if _, err := tc.EmptyCall(ctx, &testgrpc.Empty{}); err != nil { // connected
		b.Fatal(err)
	}
	d := newSamples()
	for b.Loop() {
		start := time.Now()
		if _, err := tc.EmptyCall(ctx, &testgrpc.Empty{}); err != nil {
			b.Fatal(err)
		}
		d.add(time.Since(start))
	}
	reportQuantiles(b, d)
}

func benchGRPCStream(b *testing.B, network, addr string, opts []grpc.DialOption) {
	tc, done := grpcClient(b, network, addr, opts)
	defer done()
	stream, err := tc.StreamingInputCall(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	req := &testgrpc.StreamingInputCallRequest{Payload: &testgrpc.Payload{Body: make([]byte, 64<<10)}}
	b.SetBytes(64 << 10)
	cpu := startCPU(b)
	for b.Loop() {
		if err := stream.Send(req); err != nil {
			b.Fatal(err)
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil || resp.AggregatedPayloadSize != int32(b.N*64<<10) {
		b.Fatalf("server got %d bytes, %v; want %d", resp.GetAggregatedPayloadSize(), err, b.N*64<<10)
	}
	cpu.report(b)
}
