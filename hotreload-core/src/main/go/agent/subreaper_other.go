//go:build !linux

package main

// Other systems have no subreaper; as PID 1 (the container case) orphans come
// to the agent anyway.
func becomeSubreaper() {}
