package lint

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goFiles returns every .go file of the module, relative to its root.
func goFiles(t *testing.T) (root string, files []string) {
	t.Helper()
	root = "../.."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("module root not found: ", err)
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return root, files
}

func TestImportRules(t *testing.T) {
	root, files := goFiles(t)
	fset := token.NewFileSet()
	for _, rel := range files {
		f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(rel)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch path {
			case "unsafe":
				if !strings.Contains(base, "_unsafe") {
					t.Errorf("%s imports unsafe; move that code to a *_unsafe.go file", rel)
				}
			case "golang.org/x/sys/unix":
				if !strings.HasPrefix(base, "sys_") {
					t.Errorf("%s imports golang.org/x/sys/unix; only the package's sys_*.go file may", rel)
				}
			}
		}
	}
}

func TestEveryPackageHasDoc(t *testing.T) {
	root, files := goFiles(t)
	dirs := map[string]bool{}
	for _, rel := range files {
		if !strings.HasSuffix(rel, "_test.go") {
			dirs[filepath.Dir(rel)] = true
		}
	}
	for dir := range dirs {
		if dir == "." || strings.HasPrefix(dir, "cmd/") { // commands document themselves in main.go
			continue
		}
		if _, err := os.Stat(filepath.Join(root, dir, "doc.go")); err != nil {
			t.Errorf("package %s has no doc.go", dir)
		}
	}
}

// Every failpoint the code injects is listed in the failpoint package's
// documentation, and every listed one exists.
// listedFailpoints returns the failpoint names internal/failpoint/doc.go
// lists.
func listedFailpoints(t *testing.T, root string) map[string]bool {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(root, "internal/failpoint/doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if f := strings.Fields(strings.TrimPrefix(line, "//")); len(f) > 1 && strings.HasPrefix(line, "//\t") && strings.Contains(f[0], "/") {
			listed[f[0]] = true
		}
	}
	return listed
}

// failpointName matches what may be a failpoint's name in a string
// literal or an environment setting: slash-separated words, of which the
// first is that of a listed failpoint.
var failpointName = regexp.MustCompile(`(?:"|FAILPOINT=)([a-z]+(?:/[a-z0-9-]+)+)`)

// Every failpoint name that any file uses, tests and the stress tool's
// tables included, is one that exists: a renamed failpoint must not leave
// a test or a stress kind arming a name nothing injects, which would
// silently test nothing.
func TestFailpointNamesUsedExist(t *testing.T) {
	root, files := goFiles(t)
	listed := listedFailpoints(t, root)
	prefixes := map[string]bool{}
	for name := range listed {
		prefixes[strings.Split(name, "/")[0]] = true
	}
	for _, rel := range files {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range failpointName.FindAllStringSubmatch(string(b), -1) {
			if name := m[1]; prefixes[strings.Split(name, "/")[0]] && !listed[name] {
				t.Errorf("%s uses failpoint %q, which internal/failpoint/doc.go does not list", rel, name)
			}
		}
	}
}

func TestFailpointsDocumented(t *testing.T) {
	root, files := goFiles(t)
	listed := listedFailpoints(t, root)
	used := map[string]bool{}
	for _, rel := range files {
		if strings.HasSuffix(rel, "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(b), "failpoint.Inject(")[1:] {
			name, err := strconv.Unquote(part[:strings.Index(part, ")")])
			if err != nil {
				t.Fatalf("%s: failpoint.Inject with a name that is not a literal", rel)
			}
			used[name] = true
			if !listed[name] {
				t.Errorf("%s: failpoint %q is not listed in internal/failpoint/doc.go", rel, name)
			}
		}
	}
	for name := range listed {
		if !used[name] {
			t.Errorf("internal/failpoint/doc.go lists %q, which no code injects", name)
		}
	}
}
