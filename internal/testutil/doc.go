// Package testutil runs cross-process tests: the test binary re-executes
// itself as a child process, named children run instead of the tests, and
// every test's segments are checked for leaks. Children are internal/reexec
// roles; testutil adds what a test wants on top: failures that fail the
// test, a Timeout on every wait, and cleanup when the test ends.
//
// A package's TestMain registers its children and hands over:
//
//	func TestMain(m *testing.M) {
//		testutil.Child("writer", writerChild)
//		testutil.Main(m)
//	}
//
// A test then starts a child, talks to it line by line over its stdin and
// stdout, and checks what it reports:
//
//	p := testutil.Start(t, "writer", name)
//	p.Expect("ready")
//	p.Send("go")
//	p.Wait()
//
// Children coordinate with the parent through these lines or through
// words in shared memory, never through sleeps. A child can be killed at
// a chosen point with SIGKILL, either by the parent (Proc.Kill) or by
// itself at an armed failpoint (see internal/failpoint and StartEnv).
//
// # Caveats
//
// A child's stdout is the handshake channel: children write diagnostics to
// stderr, which the parent shows when the child fails.
package testutil
