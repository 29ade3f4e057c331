//go:build !linux

package bench

import "errors"

// connLink: shmnet is Linux only.
func connLink(bool, string, []string) (*link, error) {
	return nil, errors.New("conn: shmnet is Linux only")
}
