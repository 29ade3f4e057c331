package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/cmd/shmtool/internal/human"
	"github.com/shmkit/shmkit/shm"
)

// segmentJSON is one segment as ls --json and inspect --json print it.
type segmentJSON struct {
	Name          string         `json:"name"`
	Path          string         `json:"path"`
	Kind          string         `json:"kind"`
	KindVersion   uint32         `json:"kind_version"`
	Size          int64          `json:"size"`
	PayloadOffset int            `json:"payload_offset"`
	PayloadSize   int            `json:"payload_size"`
	Mode          string         `json:"mode"`
	OwnerUID      uint32         `json:"owner_uid"`
	LayoutVersion uint32         `json:"layout_version"`
	CreatorPID    int            `json:"creator_pid"`
	CreatorAlive  bool           `json:"creator_alive"`
	CreatedAt     string         `json:"created_at"`
	AgeSeconds    float64        `json:"age_seconds"`
	Elem          *elemJSON      `json:"elem,omitempty"`
	State         map[string]any `json:"state"`
	Error         string         `json:"error,omitempty"`
	Foreign       bool           `json:"foreign,omitempty"` // no shmkit header (ls --all)
}

type elemJSON struct {
	Type        string `json:"type"`
	Size        uint64 `json:"size"`
	Align       uint64 `json:"align"`
	Count       uint64 `json:"count"`
	Fingerprint string `json:"fingerprint"`
}

func newSegmentJSON(info *shm.Info, now time.Time) segmentJSON {
	h := info.Header
	j := segmentJSON{
		Name: info.Name, Path: info.Path, Size: info.Size,
		Mode: fmt.Sprintf("%04o", uint32(info.Mode.Perm())), OwnerUID: info.UID,
		State: map[string]any{},
	}
	if info.Err != nil {
		j.Error = oneLine(info.Err.Error())
		j.Foreign = errors.Is(info.Err, shm.ErrBadMagic)
		return j
	}
	j.Kind, j.KindVersion = h.Kind, h.KindVersion
	j.PayloadOffset, j.PayloadSize = h.PayloadOffset, h.PayloadSize
	j.LayoutVersion, j.CreatorPID, j.CreatorAlive = h.LayoutVersion, h.CreatorPID, h.CreatorAlive()
	j.CreatedAt = h.CreatedAt.UTC().Format(time.RFC3339Nano)
	j.AgeSeconds = now.Sub(h.CreatedAt).Round(time.Millisecond).Seconds()
	if !h.Elem.IsZero() {
		e := h.Elem
		j.Elem = &elemJSON{Type: e.Name, Size: e.Size, Align: e.Align, Count: e.Count, Fingerprint: fmt.Sprintf("%#016x", e.Fingerprint)}
	}
	return j
}

// toMap turns a kind's state struct into inspect's "state" object.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// age formats a duration for humans, in one short unit (3s, 4m, 5h,
// 2d), as ls's AGE column does: go-humanize's relative time, through
// human.Age.
func age(d time.Duration) string {
	var zero time.Time
	return human.Age(zero, zero.Add(d))
}
