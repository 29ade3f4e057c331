//go:build linux

package shmnet

import (
	"os"
	"testing"
)

// TestAdmits: Config.Perm decides as a socket file's mode would.
func TestAdmits(t *testing.T) {
	me, group := os.Getuid(), os.Getgid()
	other, otherGroup := me+1000, group+1000
	for _, tc := range []struct {
		perm os.FileMode
		cred Cred
		want bool
	}{
		{0o600, Cred{UID: me, GID: group}, true},
		{0o600, Cred{UID: 0, GID: otherGroup}, true}, // root, as with a file
		{0o600, Cred{UID: other, GID: group}, false},
		{0o600, Cred{UID: other, GID: otherGroup}, false},
		{0o660, Cred{UID: other, GID: group}, true},
		{0o660, Cred{UID: other, GID: otherGroup}, false},
		{0o660, Cred{UID: other, GID: otherGroup, Groups: []int{otherGroup + 1, group}}, true}, // a supplementary group, as the kernel's in_group_p
		{0o600, Cred{UID: other, GID: otherGroup, Groups: []int{group}}, false},
		{0o666, Cred{UID: other, GID: otherGroup}, true},
		{0o606, Cred{UID: other, GID: group}, false}, // the group's bits decide for the group, as for a file
	} {
		if got := admits(tc.perm, tc.cred); got != tc.want {
			t.Errorf("admits(%v, %+v) = %v, want %v", tc.perm, tc.cred, got, tc.want)
		}
	}
	if _, err := (Config{Perm: 0o4600}).withDefaults(); err == nil {
		t.Error("a set-id bit in Perm was accepted")
	}
	for _, c := range []int{1, 4095, 3 << 12, MaxCapacity * 2} {
		if _, err := (Config{Capacity: c}).withDefaults(); err == nil {
			t.Errorf("capacity %d accepted", c)
		}
	}
	if _, err := Listen("a/b", Config{}); err == nil {
		t.Error("a name with '/' accepted")
	}
}
