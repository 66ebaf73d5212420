package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	backoffMin   = 100 * time.Millisecond
	backoffMax   = 10 * time.Second
	backoffReset = 10 * time.Second // a run this long counts as healthy
	tailSize     = 4096
)

// proc is one start of the app. Its exit status only ever arrives through the
// supervisor's single reaper, so a wait for "any child" can never steal it.
type proc struct {
	pid      int
	started  time.Time
	ended    time.Time
	done     chan struct{} // closed once reaped
	status   syscall.WaitStatus
	stopping bool // the exit was asked for: no backoff restart
	// installed: an install started it and saw it ready; a crash soon after rolls
	// back to the previous binary.
	installed bool
	tail      *tail
	output    sync.WaitGroup // stdout and stderr copiers
	sha256    string         // computed on demand for status
}

type supervisor struct {
	dir, bin, name string
	argv           []string // argv[0] stays what the user wrote
	stopSignal     syscall.Signal
	stopTimeout    time.Duration
	note           string
	agentStart     time.Time
	stdin          uintptr
	env            []string // the app's environment: KO_DATA_PATH may point at the synced copy

	restartMu sync.Mutex // one requested restart at a time

	mu       sync.Mutex
	cur      *proc
	last     *proc
	starts   int
	lastExit *int
	backoff  time.Duration
	timerGen int
	timer    *time.Timer
	shutting bool
	// rolledBack says why the binary running now is the one before the last
	// install (status reports it until the next install).
	rolledBack string
	exitOnce   sync.Once
	exitCh     chan int
}

func cmdRun(args []string) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	dir := fs.String("dir", defaultDir(), "state directory (socket and app binary)")
	stopSig := fs.String("stop-signal", "TERM", "signal asking the app to stop before a restart")
	stopTimeout := fs.Duration("stop-timeout", 5*time.Second, "time to wait after the stop signal before SIGKILL")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	command := fs.Args()
	if len(command) == 0 {
		logger.Print("run: missing command; usage: agent run [flags] -- COMMAND [ARG...]")
		return 2
	}
	sig, err := parseSignal(*stopSig)
	if err != nil {
		logger.Printf("run: %v", err)
		return 2
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		logger.Printf("run: %v", err)
		return 2
	}
	s := &supervisor{
		dir:         absDir,
		argv:        command,
		stopSignal:  sig,
		stopTimeout: *stopTimeout,
		agentStart:  time.Now(),
		backoff:     backoffMin,
		exitCh:      make(chan int, 1),
	}
	return s.run()
}

func (s *supervisor) run() int {
	// Subscribe before the first start so no SIGCHLD or early TERM is missed.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	becomeSubreaper()
	s.stdin = stdinForApp()

	orig, err := lookPath(s.argv[0])
	if err != nil {
		// Keep going: the supervisor stays up (backoff) so an install can
		// still deliver a binary, and the log says what is wrong.
		logger.Printf("cannot find %s: %v", s.argv[0], err)
		orig = s.argv[0]
	}
	s.name = filepath.Base(orig)
	s.bin = orig
	resumed, err := s.prepareAppDir(orig)
	if err != nil {
		s.note = fmt.Sprintf("running %s in place, installs will fail: %v", orig, err)
		logger.Print(s.note)
	} else {
		s.bin = filepath.Join(appDirOf(s.dir), s.name)
		if resumed {
			logger.Printf("the container restarted: resuming the binary delivered before (%s)", s.bin)
		}
	}

	s.env = prepareKodata(s.dir, os.Environ(), resumed)

	ln, err := s.listen()
	if err != nil {
		msg := fmt.Sprintf("no control socket, installs will fail: %v", err)
		logger.Print(msg)
		if s.note == "" {
			s.note = msg
		}
	} else {
		go s.serve(ln)
		defer func() {
			ln.Close()
			os.Remove(socketPath(s.dir))
		}()
	}

	s.mu.Lock()
	if _, err := s.startLocked(); err != nil {
		logger.Print(err)
		s.scheduleLocked(0)
	}
	s.mu.Unlock()

	// Signal delivery drops a SIGCHLD when the channel is full; a slow sweep
	// makes sure an exit is never missed for good.
	sweep := time.NewTicker(time.Second)
	defer sweep.Stop()
	for {
		select {
		case <-sweep.C:
			s.reap()
		case sg := <-sigs:
			s.onSignal(sg.(syscall.Signal))
		case code := <-s.exitCh:
			s.mu.Lock()
			last := s.last
			s.mu.Unlock()
			if last != nil {
				waitTimeout(&last.output, 200*time.Millisecond)
			}
			return code
		}
	}
}

// prepareAppDir puts the app's binary into the writable state directory. The
// directory is the pod's (an emptyDir) and outlives a container restart: the
// binary delivered last resumes then, so a restarted container serves the
// session's code rather than the image's for the seconds until the session
// would deliver it again (a Service routes to it meanwhile). Only while the
// image's binary is the one that binary was delivered over: a new image (an
// in-place image update of a bare pod) and a fresh directory start from the
// image's binary. Reports whether it resumed.
func (s *supervisor) prepareAppDir(orig string) (bool, error) {
	appDir := appDirOf(s.dir)
	if err := os.MkdirAll(appDir, 0o755); err != nil {
		return false, err
	}
	if entries, err := os.ReadDir(appDir); err == nil {
		for _, e := range entries {
			// Leftovers of installs interrupted by the previous container.
			if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
				os.Remove(filepath.Join(appDir, e.Name()))
			}
		}
	}
	dst := filepath.Join(appDir, s.name)
	record := filepath.Join(appDir, ".image-sha256")
	imageSum, hashErr := hashFile(orig)
	if hashErr == nil {
		if was, err := os.ReadFile(record); err == nil && string(was) == imageSum {
			if st, err := os.Stat(dst); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				return true, nil
			}
		}
	}
	os.Remove(record)
	os.Remove(dst + ".prev")
	// The image's binary runs again: no install's order applies to it.
	os.Remove(generationFile(dst))
	if si, err := os.Stat(orig); err == nil {
		if di, err := os.Stat(dst); err == nil && os.SameFile(si, di) {
			return false, nil
		}
	}
	if err := copyExecutable(orig, dst); err != nil {
		return false, err
	}
	if hashErr == nil {
		os.WriteFile(record, []byte(imageSum), 0o644)
		rememberHash(dst, imageSum) // the first delta's base: not hashed a second time
	}
	return false, nil
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, in)
	if err == nil {
		err = tmp.Chmod(0o755)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func (s *supervisor) listen() (net.Listener, error) {
	sock := socketPath(s.dir)
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	// emptyDir outlives a container restart, so the previous agent's socket
	// may still be there.
	os.Remove(sock)
	return net.Listen("unix", sock)
}

// stdinForApp passes the agent's stdin on; if there is none (closed fd 0) the
// app gets an already-closed pipe instead of a failing exec.
func stdinForApp() uintptr {
	var st syscall.Stat_t
	if syscall.Fstat(0, &st) == nil {
		return 0
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0
	}
	w.Close()
	return r.Fd()
}

func lookPath(file string) (string, error) {
	if strings.Contains(file, "/") {
		abs, err := filepath.Abs(file)
		if err != nil {
			return "", err
		}
		_, err = os.Stat(abs)
		return abs, err
	}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if d == "" {
			d = "."
		}
		p := filepath.Join(d, file)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return filepath.Abs(p)
		}
	}
	return "", errors.New("not found in PATH")
}

// startLocked starts the binary; s.mu must be held so the reaper cannot see
// the new pid before it is recorded.
func (s *supervisor) startLocked() (*proc, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", s.bin, err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("start %s: %w", s.bin, err)
	}
	attr := &syscall.ProcAttr{
		Env:   s.env,
		Files: []uintptr{s.stdin, outW.Fd(), errW.Fd()},
		// Its own process group: a stop reaches the helpers it started too, so none is
		// left holding the port the next binary needs.
		Sys: &syscall.SysProcAttr{Setpgid: true},
	}
	pid, err := syscall.ForkExec(s.bin, s.argv, attr)
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("start %s: %w", s.bin, err)
	}
	p := &proc{pid: pid, started: time.Now(), done: make(chan struct{}), tail: &tail{}}
	p.output.Add(2)
	go p.copyOutput(outR, os.Stdout)
	go p.copyOutput(errR, os.Stderr)
	logger.Printf("started %s (pid %d)", s.bin, pid)
	s.starts++
	s.cur = p
	s.last = p
	return p, nil
}

func (p *proc) copyOutput(r *os.File, w io.Writer) {
	defer p.output.Done()
	defer r.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			w.Write(buf[:n])
			p.tail.Write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (s *supervisor) reap() {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
		s.exited(pid, ws)
	}
}

func (s *supervisor) exited(pid int, ws syscall.WaitStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.cur
	if p == nil || p.pid != pid {
		return // an orphan we adopted as PID 1 or subreaper
	}
	s.cur = nil
	p.status = ws
	p.ended = time.Now()
	code := exitCode(ws)
	s.lastExit = &code
	close(p.done)
	ran := p.ended.Sub(p.started)
	switch {
	case s.shutting:
		s.finish(code)
	case p.stopping:
		// The requested restart that stopped it starts the next one.
	default:
		logger.Printf("app (pid %d) %s after %v", pid, describeExit(ws), ran.Round(time.Millisecond))
		if p.installed && code != 0 && ran < crashWindow && s.rollBackLocked(describeExit(ws), ran) {
			s.backoff = backoffMin
			s.cancelTimerLocked()
			if _, err := s.startLocked(); err == nil {
				return
			}
		}
		s.scheduleLocked(ran)
	}
}

// crashWindow: an installed binary that dies this soon after it was ready is
// taken for a bad build, not a transient failure, and rolled back.
const crashWindow = 10 * time.Second

// rollBackLocked puts the binary of the install before back in place after the
// newly installed one crashed shortly after it was ready. An install that holds
// the directory's lock decides for itself; without a previous binary nothing
// changes. The generation record goes, so a redelivery of either build is taken.
func (s *supervisor) rollBackLocked(how string, ran time.Duration) bool {
	prev := s.bin + ".prev"
	if _, err := os.Stat(prev); err != nil {
		return false
	}
	f, err := os.OpenFile(filepath.Join(s.dir, "install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return false
	}
	defer f.Close()
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		return false
	}
	if err := os.Rename(prev, s.bin); err != nil {
		logger.Printf("rollback after crash failed: %v", err)
		return false
	}
	os.Remove(generationFile(s.bin))
	s.rolledBack = fmt.Sprintf("the installed binary %s %v after it was ready; rolled back to the previous binary", how, ran.Round(time.Millisecond))
	logger.Print(s.rolledBack)
	return true
}

// scheduleLocked arms a backoff restart. The delay doubles while the app keeps
// dying young, so a crash loop costs little and never ends the container.
func (s *supervisor) scheduleLocked(ran time.Duration) {
	if ran >= backoffReset {
		s.backoff = backoffMin
	}
	d := s.backoff
	s.backoff = min(2*d, backoffMax)
	s.cancelTimerLocked()
	gen := s.timerGen
	logger.Printf("restarting in %v", d)
	s.timer = time.AfterFunc(d, func() { s.backoffFired(gen) })
}

func (s *supervisor) cancelTimerLocked() {
	// The generation guards against a timer that already fired and is
	// waiting for the lock.
	s.timerGen++
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

func (s *supervisor) backoffFired(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen != s.timerGen || s.shutting || s.cur != nil {
		return
	}
	s.timer = nil
	if _, err := s.startLocked(); err != nil {
		logger.Print(err)
		s.scheduleLocked(0)
	}
}

func (s *supervisor) finish(code int) {
	s.exitOnce.Do(func() { s.exitCh <- code })
}

func (s *supervisor) onSignal(sig syscall.Signal) {
	if sig == syscall.SIGCHLD {
		s.reap()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.cur
	if sig == syscall.SIGTERM || sig == syscall.SIGINT {
		first := !s.shutting
		s.shutting = true
		s.cancelTimerLocked()
		if p == nil {
			code := 0
			if s.lastExit != nil {
				code = *s.lastExit
			}
			s.finish(code)
			return
		}
		if first {
			logger.Printf("got %v, stopping app (pid %d)", sig, p.pid)
			go s.killAfter(p, s.stopTimeout)
		}
	}
	if p != nil {
		signalGroup(p.pid, sig)
	}
}

// signalGroup signals the app's process group (its pgid is its pid), and the
// app alone if the group is gone.
func signalGroup(pid int, sig syscall.Signal) {
	if syscall.Kill(-pid, sig) != nil {
		syscall.Kill(pid, sig)
	}
}

func (s *supervisor) killAfter(p *proc, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		s.mu.Lock()
		if s.cur == p {
			logger.Printf("app (pid %d) still running %v after the stop signal, sending SIGKILL", p.pid, d)
			signalGroup(p.pid, syscall.SIGKILL)
		}
		s.mu.Unlock()
	}
}

// requestRestart stops the running app gracefully and starts the binary now
// in place, then waits until it is running (and listening, if asked).
func (s *supervisor) requestRestart(req request) restartResponse {
	t0 := time.Now()
	timeout := time.Duration(req.TimeoutMillis) * time.Millisecond
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	deadline := t0.Add(timeout)
	s.restartMu.Lock()
	defer s.restartMu.Unlock()

	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		return restartResponse{Error: "agent is shutting down"}
	}
	s.cancelTimerLocked()
	s.backoff = backoffMin
	old := s.cur
	if old != nil {
		old.stopping = true
		signalGroup(old.pid, s.stopSignal)
	}
	s.mu.Unlock()

	if old != nil {
		s.killAfter(old, s.stopTimeout)
		<-old.done
		// Whatever of the old app's group outlived it (a helper that ignored the stop
		// signal) goes now; as PID 1 or subreaper the agent reaps it.
		syscall.Kill(-old.pid, syscall.SIGKILL)
	}

	s.mu.Lock()
	if s.shutting {
		s.mu.Unlock()
		return restartResponse{Error: "agent is shutting down"}
	}
	p, err := s.startLocked()
	if err != nil {
		s.scheduleLocked(0)
		s.mu.Unlock()
		return restartResponse{Error: err.Error(), StartFailed: true}
	}
	s.mu.Unlock()
	resp := s.awaitReady(p, req, t0, deadline)
	if resp.OK {
		s.mu.Lock()
		p.installed = true
		s.rolledBack = ""
		s.mu.Unlock()
	}
	return resp
}

func (s *supervisor) awaitReady(p *proc, req request, t0, deadline time.Time) restartResponse {
	ok := restartResponse{OK: true, PID: p.pid, ReadyMillis: time.Since(t0).Milliseconds()}
	exitedEarly := func(what string) restartResponse {
		// Give the copiers a moment so the output tail holds the last words.
		waitTimeout(&p.output, 100*time.Millisecond)
		code := exitCode(p.status)
		return restartResponse{
			Error: fmt.Sprintf("new binary (pid %d) %s %v after start%s",
				p.pid, describeExit(p.status), p.ended.Sub(p.started).Round(time.Millisecond), what),
			PID:      p.pid,
			Exited:   true,
			ExitCode: &code,
			Output:   p.tail.String(),
		}
	}
	settle := time.Duration(req.SettleMillis) * time.Millisecond
	if req.WaitTCP == "" {
		if settle <= 0 {
			return ok
		}
		t := time.NewTimer(settle)
		defer t.Stop()
		select {
		case <-p.done:
			return exitedEarly("")
		case <-t.C:
			return ok
		}
	}
	// A process that accepts connections has clearly started, so the port
	// check replaces the settle wait. Refused local connects are cheap: poll
	// tightly while a fast app is likely to come up, then every 10ms.
	interval := time.Millisecond
	for {
		select {
		case <-p.done:
			return exitedEarly(", before " + req.WaitTCP + " accepted a connection")
		default:
		}
		c, err := net.DialTimeout("tcp", req.WaitTCP, 250*time.Millisecond)
		if err == nil {
			c.Close()
			ok.ReadyMillis = time.Since(t0).Milliseconds()
			return ok
		}
		if time.Now().After(deadline) {
			return restartResponse{PID: p.pid, Error: fmt.Sprintf(
				"new binary (pid %d) is running but %s did not accept a connection within %v: %v",
				p.pid, req.WaitTCP, deadline.Sub(t0).Round(time.Millisecond), err)}
		}
		t := time.NewTimer(interval)
		select {
		case <-t.C:
		case <-p.done:
			t.Stop()
		}
		if time.Since(p.started) > 100*time.Millisecond {
			interval = 10 * time.Millisecond
		}
	}
}

func (s *supervisor) status(hash bool) statusResponse {
	s.mu.Lock()
	st := statusResponse{
		Restarts:          max(s.starts-1, 0),
		LastExitCode:      s.lastExit,
		Binary:            s.bin,
		Name:              s.name,
		Note:              s.note,
		AgentUptimeMillis: time.Since(s.agentStart).Milliseconds(),
		StopTimeoutMillis: s.stopTimeout.Milliseconds(),
		GOOS:              runtime.GOOS,
		GOARCH:            runtime.GOARCH,
		Version:           version,
		State:             "backoff",
		RolledBack:        s.rolledBack,
	}
	p := s.cur
	switch {
	case s.shutting:
		st.State = "stopping"
	case p != nil && p.stopping:
		st.State = "restarting"
	case p != nil:
		st.State = "running"
	}
	var cached string
	if p != nil {
		st.PID = p.pid
		st.UptimeMillis = time.Since(p.started).Milliseconds()
		cached = p.sha256
	}
	s.mu.Unlock()

	if !hash {
		return st
	}
	if p == nil {
		st.SHA256, _ = hashFile(s.bin)
		return st
	}
	if cached == "" {
		// /proc/PID/exe is the inode the process runs even after a rename
		// replaced the file, so status never reports a binary not running.
		sum, err := hashFile("/proc/" + strconv.Itoa(p.pid) + "/exe")
		if err != nil {
			sum, _ = hashFile(s.bin)
		}
		s.mu.Lock()
		if s.cur == p {
			p.sha256 = sum
		}
		s.mu.Unlock()
		cached = sum
	}
	st.SHA256 = cached
	return st
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// tail keeps the last bytes the app printed, to explain a failed start.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tail) Write(b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(b) >= tailSize {
		t.buf = append(t.buf[:0], b[len(b)-tailSize:]...)
		return
	}
	if drop := len(t.buf) + len(b) - tailSize; drop > 0 {
		t.buf = append(t.buf[:0], t.buf[drop:]...)
	}
	t.buf = append(t.buf, b...)
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.ToValidUTF8(string(t.buf), "\uFFFD")
}
