// Command shmtool creates, inspects, lists and removes shmkit segments.
//
// Run "shmtool help" for the commands.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
