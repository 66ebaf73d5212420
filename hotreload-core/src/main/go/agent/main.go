// Command agent is the in-container supervisor of hotreload.
//
// As PID 1 ("agent run") it runs the app from a writable directory, forwards
// signals, reaps zombies and restarts the app on request; "agent install",
// started through a Kubernetes exec, receives a new binary on stdin, swaps it
// in and asks the running supervisor to restart. See README.md for the
// contract the Java side relies on.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// version may be overridden with -ldflags "-X main.version=...".
var version = "0.1.0"

const defaultDirPath = "/var/run/hotreload"

// logger carries a prefix so the agent's own lines can be told apart from the
// app's output, which is interleaved on the same streams.
var logger = log.New(os.Stderr, "[hotreload-agent] ", 0)

func main() {
	os.Exit(dispatch(os.Args[1:]))
}

func dispatch(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:])
	case "install":
		return cmdInstall(args[1:], os.Stdin, os.Stdout)
	case "status":
		return cmdStatus(args[1:], os.Stdout)
	case "kodata":
		return cmdKodata(args[1:], os.Stdin, os.Stdout)
	case "version", "--version", "-version":
		fmt.Printf("hotreload-agent %s %s/%s\n", version, runtime.GOOS, runtime.GOARCH)
		return 0
	case "help", "--help", "-h", "-help":
		usage(os.Stdout)
		return 0
	}
	fmt.Fprintf(os.Stderr, "agent: unknown command %q\n", args[0])
	usage(os.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  agent run [--dir DIR] [--stop-signal TERM] [--stop-timeout 5s] -- COMMAND [ARG...]
  agent install [--dir DIR] [--timeout 30s] [--wait-tcp HOST:PORT] [--settle 200ms] [--stream] < header+payload
  agent status [--dir DIR]
  agent kodata [--dir DIR] [--timeout 30s] [--restart=true] [--wait-tcp HOST:PORT] < tar of the kodata directory
  agent version
DIR defaults to $HOTRELOAD_DIR, else `+defaultDirPath+`.
`)
}

func defaultDir() string {
	if d := os.Getenv("HOTRELOAD_DIR"); d != "" {
		return d
	}
	return defaultDirPath
}

func socketPath(dir string) string { return filepath.Join(dir, "agent.sock") }
func appDirOf(dir string) string   { return filepath.Join(dir, "app") }

// writeJSONLine writes v as one line; HTML escaping is off so messages read
// as written ("<command>", not "\u003ccommand\u003e").
func writeJSONLine(w io.Writer, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"ok":false,"error":"internal: cannot encode result"}` + "\n")
	}
	w.Write(buf.Bytes())
}

var signalNames = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
	"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM,
	"USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
}

// parseSignal accepts the spellings people put in manifests: TERM, SIGTERM, 15.
func parseSignal(s string) (syscall.Signal, error) {
	u := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SIG")
	if sig, ok := signalNames[u]; ok {
		return sig, nil
	}
	if n, err := strconv.Atoi(u); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), nil
	}
	return 0, fmt.Errorf("unknown signal %q (use TERM, INT, HUP, QUIT, USR1, USR2, KILL or a number)", s)
}

// exitCode follows the shell convention so a container killed through its app
// reports the same code it would have reported without the agent.
func exitCode(ws syscall.WaitStatus) int {
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled():
		return 128 + int(ws.Signal())
	}
	return 1
}

func describeExit(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("killed by signal %d (%v)", int(ws.Signal()), ws.Signal())
	}
	return fmt.Sprintf("exited with code %d", exitCode(ws))
}

func cmdStatus(args []string, stdout io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dir", defaultDir(), "state directory of the running supervisor")
	if err := fs.Parse(args); err != nil {
		writeJSONLine(stdout, statusResponse{Error: "status: " + err.Error()})
		return 2
	}
	abs, err := filepath.Abs(*dir)
	if err == nil {
		var st statusResponse
		if st, err = (socketClient{abs}).status(); err == nil {
			writeJSONLine(stdout, st)
			return 0
		}
	}
	writeJSONLine(stdout, map[string]string{"error": err.Error()})
	return 1
}
