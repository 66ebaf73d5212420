package main

import "syscall"

// becomeSubreaper makes orphans of the app our children even when the agent
// is not PID 1 (shared process namespace, a local run), so they get reaped
// here rather than piling up as zombies elsewhere.
func becomeSubreaper() {
	const prSetChildSubreaper = 36
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
}
