// Command pause is the pod sandbox process for the local cluster: it holds the
// pod's namespaces, reaps orphaned children when it is PID 1 of a shared PID
// namespace, and exits on SIGTERM or SIGINT. It is static (CGO_ENABLED=0) and
// is the only file of the sandbox image that scripts/cluster builds.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		os.Stdout.WriteString("hotreload pause\n")
		return
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
