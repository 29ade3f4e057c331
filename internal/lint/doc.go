// Package lint holds the tests that enforce shmkit's source rules, which
// gofmt, go vet and staticcheck do not know:
//
//   - "unsafe" is imported only in files whose names contain "_unsafe";
//   - golang.org/x/sys/unix is imported only in files named sys_*.go, one
//     small door per package;
//   - every package has a doc.go.
//
// It has no code of its own.
package lint
