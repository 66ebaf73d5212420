package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// The socket protocol is private to the agent: one JSON request line, one
// JSON response line, then the connection closes. Keeping it one-shot means a
// client that dies mid-call leaves nothing behind in the supervisor.

const maxRequestLine = 64 << 10

type request struct {
	Op string `json:"op"` // "status" or "restart"
	// status only: hashing a fresh binary costs milliseconds an install
	// does not need to spend.
	NoHash bool `json:"noHash,omitempty"`
	// restart only:
	SettleMillis  int64  `json:"settleMillis,omitempty"`
	WaitTCP       string `json:"waitTCP,omitempty"`
	TimeoutMillis int64  `json:"timeoutMillis,omitempty"`
}

type statusResponse struct {
	PID          int    `json:"pid"`
	SHA256       string `json:"sha256"`
	Restarts     int    `json:"restarts"`
	LastExitCode *int   `json:"lastExitCode"`
	UptimeMillis int64  `json:"uptimeMillis"`
	Binary       string `json:"binary"`
	Name         string `json:"name"`
	State        string `json:"state"`
	// Note says why installs cannot work when the agent had to run the
	// original binary in place (state directory not writable).
	Note              string `json:"note,omitempty"`
	AgentUptimeMillis int64  `json:"agentUptimeMillis"`
	StopTimeoutMillis int64  `json:"stopTimeoutMillis"`
	GOOS              string `json:"goos"`
	GOARCH            string `json:"goarch"`
	Version           string `json:"version"`
	Error             string `json:"error,omitempty"`
	// RolledBack says why the binary running is the one before the last install:
	// the installed one crashed soon after it was ready.
	RolledBack string `json:"rolledBack,omitempty"`
}

type restartResponse struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	PID   int    `json:"pid,omitempty"`
	// ReadyMillis runs from the supervisor receiving the request to the new
	// process running (or, with WaitTCP, accepting a connection).
	ReadyMillis int64 `json:"readyMillis"`
	// StartFailed or Exited tell the installer that the new binary is bad and
	// rolling back is worthwhile; a mere port timeout sets neither.
	StartFailed bool   `json:"startFailed,omitempty"`
	Exited      bool   `json:"exited,omitempty"`
	ExitCode    *int   `json:"exitCode,omitempty"`
	Output      string `json:"output,omitempty"`
}

type noSupervisorError struct{ dir, why string }

func (e *noSupervisorError) Error() string {
	return fmt.Sprintf("no agent supervisor listening in %s: %s (the container must run `agent run --dir %s -- <command>` "+
		"with that directory writable; its log says why it could not listen)", e.dir, e.why, e.dir)
}

// call performs one request against the supervisor listening in dir.
func call(dir string, req request, resp any, deadline time.Time) error {
	sock := socketPath(dir)
	c, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		switch {
		case errors.Is(err, os.ErrNotExist):
			return &noSupervisorError{dir, sock + " does not exist"}
		case errors.Is(err, syscall.ECONNREFUSED):
			return &noSupervisorError{dir, sock + " is stale, nobody listens on it"}
		}
		return fmt.Errorf("connect to supervisor at %s: %w", sock, err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	b, _ := json.Marshal(req)
	if _, err := c.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("send %s request to supervisor: %w", req.Op, err)
	}
	line, err := bufio.NewReaderSize(c, 4096).ReadBytes('\n')
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("supervisor did not answer the %s request in time", req.Op)
		}
		return fmt.Errorf("read supervisor answer to %s: %w", req.Op, err)
	}
	if err := json.Unmarshal(line, resp); err != nil {
		return fmt.Errorf("bad supervisor answer to %s: %w", req.Op, err)
	}
	return nil
}

// supervisorClient is what install needs from the running supervisor; tests
// replace it with a fake.
type supervisorClient interface {
	info() (statusResponse, error) // status without the sha256
	restart(req request, deadline time.Time) (restartResponse, error)
}

type socketClient struct{ dir string }

func (c socketClient) status() (statusResponse, error) {
	return c.statusReq(request{Op: "status"})
}

func (c socketClient) statusReq(req request) (statusResponse, error) {
	var st statusResponse
	err := call(c.dir, req, &st, time.Now().Add(10*time.Second))
	if err == nil && st.Error != "" {
		err = errors.New(st.Error)
	}
	return st, err
}

func (c socketClient) info() (statusResponse, error) {
	return c.statusReq(request{Op: "status", NoHash: true})
}

func (c socketClient) restart(req request, deadline time.Time) (restartResponse, error) {
	req.Op = "restart"
	var r restartResponse
	err := call(c.dir, req, &r, deadline)
	return r, err
}

// serve answers requests until the listener is closed.
func (s *supervisor) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			logger.Printf("socket accept: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		go s.handle(c)
	}
}

func (s *supervisor) handle(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReaderSize(c, 4096)
	var line []byte
	for len(line) <= maxRequestLine {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			return
		}
	}
	c.SetReadDeadline(time.Time{})
	var req request
	var resp any
	if err := json.Unmarshal(line, &req); err != nil {
		resp = restartResponse{Error: "bad request: " + err.Error()}
	} else {
		switch req.Op {
		case "status":
			resp = s.status(!req.NoHash)
		case "restart":
			resp = s.requestRestart(req)
		default:
			resp = restartResponse{Error: fmt.Sprintf("unknown op %q", req.Op)}
		}
	}
	writeJSONLine(c, resp)
}
