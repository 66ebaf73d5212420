//go:build unix

package main

import (
	"os"
	"syscall"
)

// mapFile maps a file read-only. The pages are the page cache's, which the
// running binary already occupies, so a large binary costs the container no
// memory of its own.
func mapFile(f *os.File, size int64) ([]byte, func(), error) {
	if size == 0 {
		return []byte{}, func() {}, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { syscall.Munmap(b) }, nil
}
