// Command app is the program the agent's end-to-end tests supervise: a TCP
// server answering "<version> <pid>" to any HTTP request, with switches for
// the misbehaviours the agent must survive. It speaks just enough HTTP by
// hand so that a cold build cache does not have to compile net/http.
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Set with -ldflags -X so one source yields distinct binaries.
var (
	version    = "dev"
	crash      = ""
	crashAfter = "" // serves, then exits 4 this long after it started listening
)

func main() {
	if os.Getenv("APP_HOLDER") != "" {
		// A helper child that inherited the listening socket and ignores SIGTERM: while it
		// lives, the port stays taken.
		signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
		time.Sleep(time.Hour)
		return
	}
	if d := os.Getenv("APP_CHILD_SLEEP"); d != "" {
		dur, _ := time.ParseDuration(d)
		time.Sleep(dur)
		return
	}
	if crash != "" || os.Getenv("APP_CRASH") != "" {
		fmt.Fprintf(os.Stderr, "app %s crashing on purpose\n", version)
		os.Exit(3)
	}
	if os.Getenv("APP_SPAWN_ORPHAN") != "" {
		// A child that outlives us once we are killed: the agent must reap it.
		self, _ := os.Executable()
		c := exec.Command(self)
		c.Env = append(os.Environ(), "APP_CHILD_SLEEP=300ms")
		if err := c.Start(); err == nil {
			fmt.Printf("spawned child %d\n", c.Process.Pid)
		}
	}

	sigs := make(chan os.Signal, 1)
	if os.Getenv("APP_IGNORE_TERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	}
	ln, err := net.Listen("tcp", os.Getenv("APP_ADDR"))
	if err == nil && crashAfter != "" {
		d, _ := time.ParseDuration(crashAfter)
		go func() {
			time.Sleep(d)
			fmt.Fprintf(os.Stderr, "app %s crashing after it was ready\n", version)
			os.Exit(4)
		}()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	if os.Getenv("APP_CHILD_HOLDS_PORT") != "" {
		self, _ := os.Executable()
		f, _ := ln.(*net.TCPListener).File()
		c := exec.Command(self)
		c.Env = append(os.Environ(), "APP_HOLDER=1")
		c.ExtraFiles = []*os.File{f}
		if err := c.Start(); err == nil {
			fmt.Printf("spawned port holder %d\n", c.Process.Pid)
		}
	}
	fmt.Printf("app %s listening on %s\n", version, ln.Addr())
	go serve(ln)
	<-sigs
	code, _ := strconv.Atoi(os.Getenv("APP_TERM_CODE"))
	fmt.Printf("app %s stopping with code %d\n", version, code)
	os.Exit(code)
}

func serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			var req []byte
			buf := make([]byte, 1024)
			for !strings.Contains(string(req), "\r\n\r\n") {
				n, err := c.Read(buf)
				req = append(req, buf[:n]...)
				if err != nil {
					return
				}
			}
			body := fmt.Sprintf("%s %d\n", version, os.Getpid())
			fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		}()
	}
}
