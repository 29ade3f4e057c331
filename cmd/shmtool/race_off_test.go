//go:build !race

package main

var benchTestArgs []string
