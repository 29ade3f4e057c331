package futex

// noCopy marks a struct that must not be copied after first use: go vet's
// copylocks check reports copies of structs that contain it.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
