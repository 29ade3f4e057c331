// Package human formats shmtool's measurements for people: counts, byte
// sizes and nanoseconds in the largest unit that keeps them short.
package human
