package failpoint

import "testing"

func TestParse(t *testing.T) {
	defer parse("")
	parse("a=kill, b=stop@3,bad,=x")
	if !enabled || len(points) != 2 {
		t.Fatalf("parse armed %d points (enabled=%v), want 2", len(points), enabled)
	}
	if p := points["b"]; p.action != "stop" || p.at != 3 {
		t.Fatalf("points[b] = %+v, want stop@3", p)
	}
	parse("")
	if enabled {
		t.Fatal("parse(\"\") left failpoints enabled")
	}
	Inject("a") // disarmed: must return
}
