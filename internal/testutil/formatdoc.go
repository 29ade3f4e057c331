package testutil

import (
	"os"
	"strings"
	"testing"
)

// FormatRows returns the table rows of docs/FORMAT.md's section headed
// "## "+heading, as "OFFSET SIZE" (the first two cells) for each row whose
// offset starts with a digit or '+', and the section's text; a layout
// test compares them with the code's offsets. dir is the path from the
// test's package to the repository's root ("..").
func FormatRows(t testing.TB, dir, heading string) (rows []string, section string) {
	t.Helper()
	doc, err := os.ReadFile(dir + "/docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## "+heading)
	if !ok {
		t.Fatalf("docs/FORMAT.md has no section %q", heading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 {
			if off := strings.TrimSpace(cells[1]); off != "" && strings.ContainsAny(off[:1], "+0123456789") {
				rows = append(rows, off+" "+strings.TrimSpace(cells[2]))
			}
		}
	}
	return rows, section
}
