//go:build amd64 || arm64

package spin

// plainStores says StoreRelease is a plain store, without a fence.
const plainStores = true

// pause executes n PAUSE (YIELD) instructions: a spinning
// core backs off, so that it does not keep pulling the line it polls away
// from the core that writes it.
//
//go:noescape
func Pause(n int)

// prefetch asks the core to bring the line at addr into its cache, to be
// read soon; prefetchWrite, to be written soon (exclusive). Neither
// faults, whatever addr is.
//
//go:noescape
func Prefetch(addr *byte)

//go:noescape
func PrefetchWrite(addr *byte)

// loadFence orders every load before it ahead of every load after it. A
// reader that copies bytes with plain loads and then re-reads a sequence
// to see whether they changed (the observers) needs it: arm64 may satisfy
// the copy's loads after the re-read, even an acquiring one. On amd64
// loads are never reordered with loads; there the opaque call keeps the
// compiler from moving them.
//
//go:noescape
func LoadFence()
