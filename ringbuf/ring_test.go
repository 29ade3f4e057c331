package ringbuf_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/testutil"
	"github.com/shmkit/shmkit/ringbuf"
	"github.com/shmkit/shmkit/shm"
)

func TestMain(m *testing.M) {
	testutil.Child("produce", childProduce)
	testutil.Main(m)
}

// produce writes messages first..first+n-1 to p, by Write, Reserve/Commit
// or WriteBatch (in batches of 1 to 40 messages).
func produce(p *ringbuf.Producer, first, n uint64, mode string) error {
	if mode == "batch" {
		return produceBatches(p, first, n)
	}
	buf := make([]byte, 4096)
	for seq := first; seq < first+n; seq++ {
		l := msgLen(seq)
		if mode == "reserve" {
			b, err := p.Reserve(context.Background(), l)
			if err != nil {
				return fmt.Errorf("reserve %d: %w", seq, err)
			}
			fill(b, seq)
			if err := p.Commit(); err != nil {
				return err
			}
			continue
		}
		fill(buf[:l], seq)
		if err := p.Write(buf[:l]); err != nil {
			return fmt.Errorf("write %d: %w", seq, err)
		}
	}
	return nil
}

func produceBatches(p *ringbuf.Producer, first, n uint64) error {
	var batch [][]byte
	for seq := first; seq < first+n; {
		k := min(1+seq%40, first+n-seq)
		batch = batch[:0]
		for i := range k {
			b := make([]byte, msgLen(seq+i))
			fill(b, seq+i)
			batch = append(batch, b)
		}
		if got, err := p.WriteBatch(context.Background(), batch); err != nil || got != len(batch) {
			return fmt.Errorf("write batch at %d: %d of %d, %w", seq, got, len(batch), err)
		}
		seq += k
	}
	return nil
}

// consume reads n messages from c starting at first, by the given method,
// and checks each.
func consume(ctx context.Context, c *ringbuf.Consumer, first, n uint64, mode string) error {
	scratch := make([]byte, 4096)
	seq := first
	checkNext := func(msg []byte) error {
		if err := check(msg, seq, scratch); err != nil {
			return err
		}
		seq++
		return nil
	}
	for seq < first+n {
		switch mode {
		case "next":
			msg, err := c.Next(ctx)
			if err != nil {
				return fmt.Errorf("next at %d: %w", seq, err)
			}
			if err := checkNext(msg); err != nil {
				return err
			}
		case "read":
			buf := make([]byte, 4096)
			k, err := c.ReadContext(ctx, buf)
			if err != nil {
				return fmt.Errorf("read at %d: %w", seq, err)
			}
			if err := checkNext(buf[:k]); err != nil {
				return err
			}
		case "batch":
			if _, err := c.ReadBatch(ctx, int(min(64, first+n-seq)), checkNext); err != nil {
				return fmt.Errorf("batch at %d: %w", seq, err)
			}
		case "iter":
			for msg := range c.Messages(ctx) {
				if err := checkNext(msg); err != nil {
					return err
				}
				if seq == first+n {
					break
				}
			}
			if err := c.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// In one process over heap memory, so that the race detector checks the
// orderings, every write and read method carries messages intact.
func TestHeapRing(t *testing.T) {
	for _, wmode := range []string{"write", "reserve", "batch"} {
		for _, rmode := range []string{"next", "read", "batch", "iter"} {
			t.Run(wmode+"-"+rmode, func(t *testing.T) {
				r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 15, MaxMessage: 4096})
				if err != nil {
					t.Fatal(err)
				}
				p, err := r.Producer()
				if err != nil {
					t.Fatal(err)
				}
				c, err := r.Consumer()
				if err != nil {
					t.Fatal(err)
				}
				const n = 20_000
				done := make(chan error, 1)
				go func() { done <- produce(p, 0, n, wmode) }()
				ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
				defer cancel()
				if err := consume(ctx, c, 0, n, rmode); err != nil {
					t.Fatal(err)
				}
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				p.Close()
				if _, err := c.Next(ctx); err != io.EOF {
					t.Fatalf("Next after the producer closed = %v, want io.EOF", err)
				}
				st := r.State() // both sides have published their counters by now
				if st.Counters.Produced.Messages != n || st.Counters.Consumed.Messages != n || st.Counters.Produced.Bytes != st.Counters.Consumed.Bytes || st.Used != 0 {
					t.Fatalf("counters: %+v", st)
				}
			})
		}
	}
}

func TestTryAndErrors(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	if _, err := r.Producer(); !errors.Is(err, ringbuf.ErrBusy) {
		t.Fatalf("second Producer = %v, want ErrBusy", err)
	}
	if _, err := c.TryNext(); err != ringbuf.ErrEmpty {
		t.Fatalf("TryNext on empty = %v, want ErrEmpty", err)
	}
	if err := p.TryWrite(make([]byte, 1001)); !errors.Is(err, ringbuf.ErrTooLarge) {
		t.Fatalf("TryWrite too large = %v, want ErrTooLarge", err)
	}
	msg := make([]byte, 1000)
	writes := 0
	for p.TryWrite(msg) == nil {
		writes++
	}
	if writes != 4096/1008 || p.TryWrite(msg) != ringbuf.ErrFull {
		t.Fatalf("fit %d messages of 1000 bytes in 4096, want %d then ErrFull", writes, 4096/1008)
	}
	if _, err := c.TryRead(make([]byte, 10)); !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("TryRead into a short buffer = %v, want io.ErrShortBuffer", err)
	}
	if n, err := c.TryRead(make([]byte, 1000)); n != 1000 || err != nil {
		t.Fatalf("TryRead after a short buffer = %d, %v: the message was lost", n, err)
	}
	if err := p.Commit(); !errors.Is(err, ringbuf.ErrNoReservation) {
		t.Fatalf("Commit without Reserve = %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	for range writes - 1 {
		c.TryNext()
	}
	c.Release()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next on an empty ring past the deadline = %v", err)
	}
	for _, bad := range [][2]int{{1000, 10}, {4096, -1}, {4096, 1017}, {3 << 12, 8}} {
		if _, err := ringbuf.New(ringbuf.Config{Capacity: bad[0], MaxMessage: bad[1]}); !errors.Is(err, shm.ErrInvalidSize) {
			t.Errorf("New(%d, %d) = %v, want ErrInvalidSize", bad[0], bad[1], err)
		}
	}
}

// childProduce writes args[1] messages to ring args[0] from sequence
// args[2], by mode args[3], then closes.
func childProduce(args []string) error {
	r, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		return err
	}
	n, _ := strconv.ParseUint(args[1], 10, 64)
	first, _ := strconv.ParseUint(args[2], 10, 64)
	if err := produce(p, first, n, args[3]); err != nil {
		return err
	}
	return p.Close()
}

func createRing(t *testing.T) *ringbuf.Ring {
	t.Helper()
	name := testutil.Name(t)
	r, err := ringbuf.Create(name, ringbuf.Config{Capacity: 1 << 20, MaxMessage: 4096}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		shm.Remove(name)
	})
	return r
}

// Messages of random length 1..4096 cross from one process to another
// complete and in order, through Write and through Reserve/Commit, read
// one by one and in batches.
func TestCrossProcess(t *testing.T) {
	n := crossProcessMessages
	if testing.Short() {
		n /= 10
	}
	for _, mode := range [][2]string{{"write", "next"}, {"reserve", "batch"}, {"batch", "next"}} {
		t.Run(mode[0]+"-"+mode[1], func(t *testing.T) {
			r := createRing(t)
			c, err := r.Consumer()
			if err != nil {
				t.Fatal(err)
			}
			p := testutil.Start(t, "produce", r.Segment().Name(), strconv.Itoa(n), "0", mode[0])
			ctx, cancel := context.WithTimeout(context.Background(), 4*testutil.Timeout)
			defer cancel()
			start := time.Now()
			if err := consume(ctx, c, 0, uint64(n), mode[1]); err != nil {
				t.Fatalf("%v; producer stderr: %s", err, p.Stderr())
			}
			if _, err := c.Next(ctx); err != io.EOF {
				t.Fatalf("after the last message: %v, want io.EOF", err)
			}
			p.Wait()
			t.Logf("%d messages in %v", n, time.Since(start))
		})
	}
}

// A producer killed at any step of a commit: between Reserve and Commit,
// in a batch before its commit, and after the commit but before it
// published its position. The consumer gets every committed message, then
// ErrPeerDead rather than a hang, and never a half-written one; a new
// producer then carries on where the committed messages end, and none is
// lost or repeated.
func TestProducerKilled(t *testing.T) {
	for _, tc := range []struct{ name, failpoint, mode string }{
		{"reserve", "ringbuf/commit/before=kill@101", "reserve"},
		{"batch", "ringbuf/commit/before=kill@7", "batch"},
		{"published", "ringbuf/publish/before=kill@101", "write"},
		{"published-batch", "ringbuf/publish/before=kill@7", "batch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := createRing(t)
			c, err := r.Consumer()
			if err != nil {
				t.Fatal(err)
			}
			p := testutil.StartEnv(t, []string{"SHMKIT_FAILPOINT=" + tc.failpoint}, "produce", r.Segment().Name(), "1000", "0", tc.mode)
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
			defer cancel()
			committed, err := consumeUntilDead(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if sig := p.Signal(); sig != syscall.SIGKILL {
				t.Fatalf("producer ended by %v, want SIGKILL", sig)
			}
			if committed == 0 || committed >= 1000 {
				t.Fatalf("%d messages before the producer died", committed)
			}
			p2 := testutil.Start(t, "produce", r.Segment().Name(), "500", strconv.FormatUint(committed, 10), tc.mode)
			if err := consume(ctx, c, committed, 500, "next"); err != nil {
				t.Fatal(err)
			}
			p2.Wait()
			if _, err := c.Next(ctx); err != io.EOF {
				t.Fatalf("after the new producer's last message: %v, want io.EOF", err)
			}
			if st := r.State(); st.ProducerPos != st.ConsumerPos {
				t.Fatalf("after the new producer closed: %+v", st)
			}
		})
	}
}

// consumeUntilDead reads numbered messages from 0 until the producer is
// found dead, checking each, and returns how many came; it fails if the
// death took long to notice, or anything else went wrong.
func consumeUntilDead(ctx context.Context, c *ringbuf.Consumer) (uint64, error) {
	scratch := make([]byte, 4096)
	for seq := uint64(0); ; seq++ {
		start := time.Now()
		msg, err := c.Next(ctx)
		switch {
		case errors.Is(err, ringbuf.ErrPeerDead) && errors.Is(err, io.ErrUnexpectedEOF):
			if d := time.Since(start); d > 5*time.Second {
				return 0, fmt.Errorf("noticing the dead producer took %v", d)
			}
			return seq, nil
		case err != nil:
			return 0, fmt.Errorf("next at %d: %w", seq, err)
		}
		if err := check(msg, seq, scratch); err != nil {
			return 0, err
		}
	}
}

// A message length must fit the record header's int32, whatever the
// capacity.
func TestMaxMessageFitsHeader(t *testing.T) {
	if _, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 34, MaxMessage: 1 << 31}); !errors.Is(err, shm.ErrInvalidSize) {
		t.Fatalf("New with a 2 GiB max message = %v, want ErrInvalidSize", err)
	}
}

// A consumer parked on an empty ring learns of the producer's Close.
func TestParkedConsumerSeesClose(t *testing.T) {
	r, _ := ringbuf.New(ringbuf.Config{Capacity: 4096, MaxMessage: 100})
	p, _ := r.Producer()
	c, _ := r.Consumer()
	c.SetWait(ringbuf.Block)
	got := make(chan error, 1)
	go func() {
		_, err := c.Next(context.Background())
		got <- err
	}()
	for !r.State().ConsumerWait {
		time.Sleep(time.Millisecond)
	}
	p.Close()
	select {
	case err := <-got:
		if err != io.EOF {
			t.Fatalf("Next after Close = %v, want io.EOF", err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("the parked consumer never saw Close")
	}
}

func init() { testutil.Child("select-writer", childSelectWriter) }

// childSelectWriter opens ring args[0] and writes one message, "from " +
// args[0], when told to; it stays alive (a live producer) until its stdin
// closes.
func childSelectWriter(args []string) error {
	r, err := ringbuf.Open(args[0], nil)
	if err != nil {
		return err
	}
	defer r.Close()
	p, err := r.Producer()
	if err != nil {
		return err
	}
	testutil.Send("ready")
	testutil.Recv()
	if err := p.Write([]byte("from " + args[0])); err != nil {
		return err
	}
	testutil.Recv()
	return nil
}

// Select over three rings fed by three processes returns the one that has
// a message.
func TestSelectAcrossProcesses(t *testing.T) {
	var rings []*ringbuf.Ring
	var cs []*ringbuf.Consumer
	var ps []*testutil.Proc
	for range 3 {
		r := createRing(t)
		c, err := r.Consumer()
		if err != nil {
			t.Fatal(err)
		}
		p := testutil.Start(t, "select-writer", r.Segment().Name())
		p.Expect("ready")
		rings, cs, ps = append(rings, r), append(cs, c), append(ps, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	for _, want := range []int{2, 0, 1} {
		got := make(chan int, 1)
		go func() {
			i, err := ringbuf.Select(ctx, selectables(cs)...)
			if err != nil {
				t.Error(err)
			}
			got <- i
		}()
		for !rings[0].State().ConsumerWait { // all parked
			time.Sleep(time.Millisecond)
		}
		ps[want].Send("go")
		i := <-got
		if i != want {
			t.Fatalf("Select = %d, want %d", i, want)
		}
		msg, err := cs[i].Next(ctx)
		if err != nil || string(msg) != "from "+rings[i].Segment().Name() {
			t.Fatalf("message from ring %d = %q, %v", i, msg, err)
		}
		cs[i].Release()
	}
	for _, p := range ps {
		p.Wait() // closes its stdin: the writer exits
	}
	sctx, scancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer scancel()
	// All three producers have exited; their rings are ready only with
	// ErrPeerDead, which Select reports as ready.
	if i, err := ringbuf.Select(sctx, selectables(cs)...); err != nil || i < 0 {
		t.Fatalf("Select with dead producers = %d, %v", i, err)
	}
}

// A lingering ReadBatch waits a little for more messages, but hands over
// what it has once the linger ends, and stops lingering once a batch's
// worth of bytes is waiting. (Outcomes only: a linger is counted in PAUSEs,
// so its length in time is approximate.)
func TestLinger(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 1024})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	c.SetLinger(time.Second) // long enough for the second message to come while it lingers
	p.Write([]byte("one"))
	go func() {
		time.Sleep(5 * time.Millisecond)
		p.Write([]byte("two")) // arrives while the batch lingers
	}()
	var got []string
	collect := func(msg []byte) error { got = append(got, string(msg)); return nil }
	if n, err := c.ReadBatch(context.Background(), 10, collect); n != 2 || err != nil {
		t.Fatalf("lingering batch = %d %v (%q), want both messages", n, err, got)
	}
	for range 8 { // 8 KiB waiting: no linger, however long it may be
		p.Write(make([]byte, 1000))
	}
	c.SetLinger(time.Hour)
	full := make(chan error, 1)
	go func() {
		n, err := c.ReadBatch(context.Background(), 100, collect)
		if err == nil && n != 8 {
			err = fmt.Errorf("%d messages, want 8", n)
		}
		full <- err
	}()
	select {
	case err := <-full:
		if err != nil {
			t.Fatalf("full batch: %v", err)
		}
	case <-time.After(testutil.Timeout):
		t.Fatal("a full batch lingered on")
	}
	c.SetLinger(0)
	p.Close()
	if _, err := c.ReadBatch(context.Background(), 10, collect); err != io.EOF {
		t.Fatalf("after close = %v, want io.EOF", err)
	}
}

// A batch reads at most an eighth of the ring: a producer waiting for
// room gets what a batch frees when that batch ends, not after a whole
// ring's worth (block mode parked both sides once a lap without it).
func TestBatchShare(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 16, MaxMessage: 4096})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	msg := make([]byte, 4000) // records of 4008 bytes: 16 fill the ring
	for i := range 16 {
		if err := p.TryWrite(msg); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if err := p.TryWrite(msg); !errors.Is(err, ringbuf.ErrFull) {
		t.Fatalf("a 17th message: %v, want ErrFull", err)
	}
	count := func([]byte) error { return nil }
	n, err := c.ReadBatch(context.Background(), 256, count)
	if err != nil || n != 3 { // 3 records pass 8 KiB
		t.Fatalf("a batch of a full ring: %d, %v; want 3 messages", n, err)
	}
	for i := range 2 { // the third record's room pads the wrap
		if err := p.TryWrite(msg); err != nil {
			t.Fatalf("after the batch, message %d: %v, want room for 2", i, err)
		}
	}
	total := n
	for total < 18 {
		n, err := c.ReadBatch(context.Background(), 256, count)
		if err != nil || n > 3 {
			t.Fatalf("batch: %d, %v; want at most 3 messages", n, err)
		}
		total += n
	}
}

// A batch that finds only padding past its share waits for a message
// and returns it: ReadBatch never returns no message and no error. (A
// reservation at the wrap, cancelled with CommitN(0), commits its
// padding alone; the padding is more than an eighth of this ring.)
func TestBatchAfterLonePadding(t *testing.T) {
	r, err := ringbuf.New(ringbuf.Config{Capacity: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.Producer()
	c, _ := r.Consumer()
	for range 4 { // the producer ends at 53,536: 12,000 bytes before the wrap
		if err := p.Write(make([]byte, 13376)); err != nil {
			t.Fatal(err)
		}
	}
	for read := 0; read < 4; { // a message a batch: each is past the share
		n, err := c.ReadBatch(context.Background(), 4, func([]byte) error { return nil })
		if n != 1 || err != nil {
			t.Fatalf("first batches: %d, %v; want one message each", n, err)
		}
		read += n
	}
	if _, err := p.Reserve(context.Background(), 16000); err != nil { // pads to the wrap
		t.Fatal(err)
	}
	if err := p.CommitN(0); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		p.Write([]byte("x"))
	}()
	var got []string
	n, err := c.ReadBatch(context.Background(), 10, func(msg []byte) error { got = append(got, string(msg)); return nil })
	if n != 1 || err != nil || len(got) != 1 || got[0] != "x" {
		t.Fatalf("batch after a lone padding: %d %q, %v; want the one message", n, got, err)
	}
}

// selectables converts consumers for Select.
func selectables(cs []*ringbuf.Consumer) []ringbuf.Selectable {
	out := make([]ringbuf.Selectable, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}
