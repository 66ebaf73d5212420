package main

import "syscall"

// growPipe asks for a 1 MiB pipe buffer (the unprivileged maximum by default)
// so a large payload crosses in fewer wake-ups; failure only costs speed.
func growPipe(fd int) {
	const fSetPipeSz = 1031
	syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), fSetPipeSz, 1<<20)
}
