// Package human formats shmtool's measurements for people: counts, byte
// sizes, nanoseconds and ages in the largest unit that keeps them short.
// It is a thin layer over github.com/dustin/go-humanize, which does the
// formatting (IBytes, ComputeSI, FtoaWithDigits, CustomRelTime), so that
// every command prints sizes the same way: IEC units, "1.0 MiB".
//
//	human.Bytes(1 << 20)         // "1.0 MiB"
//	human.Count(12345)           // "12.35k"
//	human.Ns(1500)               // "1.5µs"
//	human.Age(created, time.Now()) // "5m"
//
// The package returns strings and prints nothing.
package human
