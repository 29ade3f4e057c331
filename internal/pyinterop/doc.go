// Package pyinterop holds no code: its tests run the Python package in
// python/shmkit against Go peers, each kind both ways, with real
// processes, SIGKILLs and scribbled bytes, and check that the offsets
// the Python package uses are the ones docs/FORMAT.md gives.
//
// The Python side of every test is python/tests/peer.py; the Python
// package's own tests (python/tests/test_*.py) run from TestPythonSuite.
package pyinterop
