package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type installOptions struct {
	dir      string
	deadline time.Time
	waitTCP  string
	settle   time.Duration
	noFsync  bool
}

type installResult struct {
	OK            bool
	Error         string
	SHA256        string
	Bytes         int64
	Size          int64
	PID           int
	RestartMillis int64
	TotalMillis   int64
	RolledBack    bool
	ExitCode      *int
	Output        string
	// Code names a failure a client acts on: "base-mismatch" asks for the whole binary;
	// "no-space" says the volume is full, so the same install may get through later.
	Code          string
	CurrentSHA256 string
}

type installSuccess struct {
	OK            bool   `json:"ok"`
	SHA256        string `json:"sha256"`
	Bytes         int64  `json:"bytes"`
	Size          int64  `json:"size"`
	PID           int    `json:"pid"`
	RestartMillis int64  `json:"restartMillis"`
	TotalMillis   int64  `json:"totalMillis"`
}

type installFailure struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error"`
	SHA256      string `json:"sha256,omitempty"`
	Bytes       int64  `json:"bytes"`
	Size        int64  `json:"size,omitempty"`
	PID         int    `json:"pid,omitempty"`
	RolledBack  bool   `json:"rolledBack"`
	ExitCode    *int   `json:"exitCode,omitempty"`
	Output      string `json:"output,omitempty"`
	TotalMillis int64  `json:"totalMillis"`
	Code        string `json:"code,omitempty"`
	Current     string `json:"currentSha256,omitempty"`
}

// wire returns the JSON shape the caller sees: the success line carries every
// number, the failure line only what is known.
func (r installResult) wire() any {
	if r.OK {
		return installSuccess{true, r.SHA256, r.Bytes, r.Size, r.PID, r.RestartMillis, r.TotalMillis}
	}
	return installFailure{false, r.Error, r.SHA256, r.Bytes, r.Size, r.PID, r.RolledBack, r.ExitCode, r.Output, r.TotalMillis, r.Code, r.CurrentSHA256}
}

func cmdInstall(args []string, stdin *os.File, stdout io.Writer) int {
	t0 := time.Now()
	fset := flag.NewFlagSet("install", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	dir := fset.String("dir", defaultDir(), "state directory of the running supervisor")
	timeout := fset.Duration("timeout", 30*time.Second, "limit for the whole install")
	waitTCP := fset.String("wait-tcp", "", "HOST:PORT that must accept a connection before the install succeeds")
	settle := fset.Duration("settle", 200*time.Millisecond, "a new process exiting within this time counts as a failed start")
	fsync := fset.Bool("fsync", true, "fsync the new binary before the rename")
	stream := fset.Bool("stream", false, "install one payload after another until stdin ends, answering each")
	err := fset.Parse(args)
	if err == nil && fset.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fset.Arg(0))
	}
	var abs string
	if err == nil {
		abs, err = filepath.Abs(*dir)
	}
	if err != nil {
		writeJSONLine(stdout, installResult{Error: "install: " + err.Error()}.wire())
		return 2
	}
	deadline := t0.Add(*timeout)
	opts := installOptions{dir: abs, deadline: deadline, waitTCP: *waitTCP, settle: *settle, noFsync: !*fsync}
	if *stream {
		return serveInstalls(opts, *timeout, stdin, stdout, socketClient{abs})
	}
	in, _ := stdinWithDeadlines(stdin)
	in.SetReadDeadline(deadline)
	res := doInstall(opts, in, socketClient{abs}, t0)
	writeJSONLine(stdout, res.wire())
	if !res.OK {
		return 1
	}
	return 0
}

// deadlineReader is stdin with read deadlines where the kernel allows them.
type deadlineReader interface {
	io.Reader
	SetReadDeadline(t time.Time) error
}

type noDeadline struct{ io.Reader }

func (noDeadline) SetReadDeadline(time.Time) error { return nil }

// stdinWithDeadlines lets --timeout interrupt a stalled exec stream: a pipe or
// socket switched to non-blocking mode goes through Go's poller, which honours
// read deadlines. Terminals and files are left alone (their deadlines do
// nothing). The duplicate fd keeps the returned file's lifetime apart from f's.
func stdinWithDeadlines(f *os.File) (deadlineReader, bool) {
	var st syscall.Stat_t
	fd := int(f.Fd())
	if syscall.Fstat(fd, &st) != nil {
		return noDeadline{f}, false
	}
	if m := st.Mode & syscall.S_IFMT; m != syscall.S_IFIFO && m != syscall.S_IFSOCK {
		return noDeadline{f}, false
	}
	if m := st.Mode & syscall.S_IFMT; m == syscall.S_IFIFO {
		growPipe(fd)
	}
	dup, err := syscall.Dup(fd)
	if err != nil {
		return noDeadline{f}, false
	}
	syscall.CloseOnExec(dup)
	if syscall.SetNonblock(dup, true) != nil {
		syscall.Close(dup)
		return noDeadline{f}, false
	}
	nf := os.NewFile(uintptr(dup), f.Name())
	if nf.SetReadDeadline(time.Time{}) != nil {
		syscall.SetNonblock(dup, false)
		nf.Close()
		return noDeadline{f}, false
	}
	return nf, true
}

// serveInstalls serves one long-lived exec: header and payload, answer, and
// again, so a client that keeps the stream open pays for the exec (the API
// server, the kubelet, runc) once instead of on every reload. Waiting for the
// next header has no deadline; each install has --timeout from its first byte.
// When a payload cannot be read to its end the framing is lost: the answer is
// written and the stream ends.
func serveInstalls(o installOptions, timeout time.Duration, stdin *os.File, stdout io.Writer, cl supervisorClient) int {
	in, _ := stdinWithDeadlines(stdin)
	br := bufio.NewReaderSize(in, 64<<10)
	for {
		in.SetReadDeadline(time.Time{})
		if _, err := br.Peek(1); err != nil {
			return 0 // the client closed the stream
		}
		t0 := time.Now()
		o.deadline = t0.Add(timeout)
		in.SetReadDeadline(o.deadline)
		h, err := readHeader(br)
		if err != nil {
			writeJSONLine(stdout, installResult{Error: err.Error()}.wire())
			return 1
		}
		res := installPayload(o, br, h, cl, t0)
		if !res.OK && res.Bytes < *h.WireSize {
			// Refused before or while reading the payload: skip what is left of it.
			n, err := io.CopyN(io.Discard, br, *h.WireSize-res.Bytes)
			if err != nil {
				writeJSONLine(stdout, res.wire())
				return 1
			}
			res.Bytes += n
		}
		writeJSONLine(stdout, res.wire())
	}
}

func doInstall(o installOptions, in io.Reader, cl supervisorClient, t0 time.Time) installResult {
	br := bufio.NewReaderSize(in, 64<<10)
	h, err := readHeader(br)
	if err != nil {
		return installResult{Error: err.Error(), TotalMillis: time.Since(t0).Milliseconds()}
	}
	return installPayload(o, br, h, cl, t0)
}

// installPayload installs the payload that follows a header already read.
func installPayload(o installOptions, br *bufio.Reader, h *header, cl supervisorClient, t0 time.Time) (res installResult) {
	defer func() { res.TotalMillis = time.Since(t0).Milliseconds() }()
	fail := func(format string, a ...any) installResult {
		res.OK = false
		res.Error = fmt.Sprintf(format, a...)
		return res
	}

	st, err := cl.info()
	if err != nil {
		return fail("%v", err)
	}
	name := h.Name
	if name == "" {
		name = st.Name
	}
	if name != st.Name {
		return fail("header names binary %q but the supervisor runs %q", name, st.Name)
	}
	appDir := appDirOf(o.dir)
	target := filepath.Join(appDir, name)
	if st.Binary != target {
		msg := fmt.Sprintf("the supervisor runs %s, not %s", st.Binary, target)
		if st.Note != "" {
			msg += ": " + st.Note
		}
		return fail("%s", msg)
	}

	var base []byte
	if h.Encoding == "delta" {
		mapped, release, current, err := openBase(target, h.Base)
		if err != nil {
			return fail("%v", err)
		}
		if release == nil {
			// Read the payload anyway: the client is still writing it and then
			// reads this answer, which asks it for the whole binary.
			n, _ := io.CopyN(io.Discard, br, *h.WireSize)
			res.Bytes = n
			res.Code = "base-mismatch"
			res.CurrentSHA256 = current
			return fail("the delta applies to %s but the running binary is %s: send the whole binary", h.Base, current)
		}
		defer release()
		base = mapped
	}
	rc, err := receive(br, h, appDir, name, !o.noFsync, base)
	res.Bytes = rc.wireBytes
	res.Size = rc.size
	if err != nil {
		if outOfSpace(err) {
			res.Code = "no-space"
		}
		return fail("%v", err)
	}
	res.SHA256 = h.SHA256

	unlock, err := lockDir(o.dir, o.deadline)
	if err != nil {
		os.Remove(rc.tmp)
		return fail("%v", err)
	}
	defer unlock()
	// Under the lock, so that of two installs waiting for it the newer wins
	// whichever gets it first.
	installed, _ := readGeneration(target)
	if h.Generation > 0 && installed.Session == h.Session && installed.Generation > h.Generation {
		os.Remove(rc.tmp)
		res.Code = "stale"
		return fail("generation %d of session %s is stale: generation %d is installed", h.Generation, h.Session, installed.Generation)
	}
	prev, err := commit(rc.tmp, target)
	if err != nil {
		if outOfSpace(err) {
			res.Code = "no-space"
		}
		return fail("%v", err)
	}
	writeGeneration(target, generation{h.Session, h.Generation})
	rememberHash(target, h.SHA256)

	// The stop phase runs on the supervisor's own --stop-timeout, on top of
	// our limit, so the socket deadline leaves room for it.
	grace := time.Duration(st.StopTimeoutMillis)*time.Millisecond + 5*time.Second
	req := request{SettleMillis: o.settle.Milliseconds(), WaitTCP: o.waitTCP,
		TimeoutMillis: max(time.Until(o.deadline).Milliseconds(), 1)}
	rr, err := cl.restart(req, o.deadline.Add(grace))
	if err != nil {
		return fail("binary installed at %s but the restart failed: %v", target, err)
	}
	if rr.OK {
		res.OK = true
		res.PID = rr.PID
		res.RestartMillis = rr.ReadyMillis
		return res
	}
	res.Error = rr.Error
	res.ExitCode = rr.ExitCode
	res.Output = rr.Output
	res.PID = rr.PID
	if !(rr.Exited || rr.StartFailed) {
		// Installed and running, only its port is late: not a refusal, and not to be
		// sent again.
		res.Code = "not-ready"
		return res
	}
	if prev == "" {
		res.Error += "; no previous binary to roll back to"
		return res
	}
	// Roll back so the app keeps serving the last good version while the
	// developer fixes the new one.
	if err := os.Rename(prev, target); err != nil {
		res.Error += "; rollback failed: " + err.Error()
		return res
	}
	// What runs again is the older install: a redelivery of it must not be stale.
	writeGeneration(target, installed)
	req.TimeoutMillis = max(time.Until(o.deadline).Milliseconds(), 10_000)
	rb, err := cl.restart(req, time.Now().Add(time.Duration(req.TimeoutMillis)*time.Millisecond+grace))
	switch {
	case err != nil:
		res.Error += "; rolled back the binary but its restart failed: " + err.Error()
	case !rb.OK:
		res.Error += "; rolled back the binary but the previous version did not start either: " + rb.Error
	default:
		res.RolledBack = true
		res.PID = rb.PID
		res.Error += "; rolled back to the previous binary"
	}
	return res
}

type receipt struct {
	tmp       string
	wireBytes int64
	size      int64
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil {
		c.err = err
	}
	return n, err
}

// outOfSpace tells a full volume, which frees up when its files go (a retry
// may get through), from a refusal that would be the same every time.
func outOfSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// wrapTempWriter lets tests simulate a full disk.
var wrapTempWriter = func(f *os.File) io.Writer { return f }

// receive streams exactly the announced wire bytes into a temp file beside
// the target and verifies them; on any error the temp file is gone.
// A delta payload is gzipped operations that copy from base.
func receive(r io.Reader, h *header, appDir, name string, fsync bool, base []byte) (rc receipt, err error) {
	wire := &countingReader{r: r}
	limited := io.LimitReader(wire, *h.WireSize)
	sweepTemps(appDir, name)
	// The pid in the name tells a later install whether this one is still alive.
	f, err := os.CreateTemp(appDir, fmt.Sprintf(".%s.tmp-%d-*", name, os.Getpid()))
	if err != nil {
		return rc, fmt.Errorf("cannot create a temp file in %s: %w", appDir, err)
	}
	rc.tmp = f.Name()
	defer func() {
		rc.wireBytes = wire.n
		if err != nil {
			f.Close()
			os.Remove(rc.tmp)
			rc.tmp = ""
		}
	}()

	readFailure := func(err error) error {
		if wire.err != nil && !errors.Is(wire.err, io.EOF) {
			if errors.Is(wire.err, os.ErrDeadlineExceeded) {
				return fmt.Errorf("timed out reading the payload: got %d of %d bytes", wire.n, *h.WireSize)
			}
			return fmt.Errorf("read payload after %d of %d bytes: %v", wire.n, *h.WireSize, wire.err)
		}
		// Only the stream itself ending early is truncation; a decoder
		// giving up midway means the bytes were wrong.
		if errors.Is(wire.err, io.EOF) && wire.n < *h.WireSize {
			return fmt.Errorf("truncated stream: got %d of %d payload bytes", wire.n, *h.WireSize)
		}
		return fmt.Errorf("corrupt %s payload: %v", h.Encoding, err)
	}

	var src io.Reader = limited
	if h.Encoding == "gzip" || h.Encoding == "delta" {
		zr, err := gzip.NewReader(limited)
		if err != nil {
			return rc, readFailure(err)
		}
		src = zr
	}
	if h.Encoding == "delta" {
		src = newDeltaReader(src, base)
	}

	out := wrapTempWriter(f)
	sum := sha256.New()
	var head []byte
	buf := make([]byte, 256<<10)
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			rc.size += int64(n)
			if rc.size > *h.Size {
				return rc, fmt.Errorf("size mismatch: payload decodes to more than the %d bytes announced", *h.Size)
			}
			if len(head) < 20 {
				head = append(head, buf[:min(n, 20-len(head))]...)
			}
			sum.Write(buf[:n])
			if _, werr := out.Write(buf[:n]); werr != nil {
				return rc, werr // names the file: "write <tmp>: no space left on device"
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rc, readFailure(rerr)
		}
	}
	if wire.n < *h.WireSize {
		return rc, readFailure(io.ErrUnexpectedEOF)
	}
	if rc.size != *h.Size {
		return rc, fmt.Errorf("size mismatch: payload decodes to %d bytes, header says %d", rc.size, *h.Size)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != h.SHA256 {
		return rc, fmt.Errorf("sha256 mismatch: payload is %s, header says %s", got, h.SHA256)
	}
	if err := checkArch(head); err != nil {
		return rc, err
	}
	if fsync {
		if err := f.Sync(); err != nil {
			return rc, fmt.Errorf("fsync %s: %w", rc.tmp, err)
		}
	}
	if err := f.Chmod(0o755); err != nil {
		return rc, fmt.Errorf("chmod %s: %v", rc.tmp, err)
	}
	if err := f.Close(); err != nil {
		return rc, fmt.Errorf("close %s: %w", rc.tmp, err)
	}
	return rc, nil
}

var elfMachines = map[string]uint16{
	"386": 3, "amd64": 62, "arm": 40, "arm64": 183, "riscv64": 243,
	"ppc64": 21, "ppc64le": 21, "s390x": 22, "loong64": 258,
	"mips": 8, "mipsle": 8, "mips64": 8, "mips64le": 8,
}

var elfArchs = map[uint16]string{3: "386", 62: "amd64", 40: "arm", 183: "arm64", 243: "riscv64",
	21: "ppc64/ppc64le", 22: "s390x", 258: "loong64", 8: "mips"}

// checkArch turns the classic "exec format error" after a swap into a clear
// refusal before the running binary is touched.
func checkArch(head []byte) error {
	if runtime.GOOS != "linux" || len(head) < 20 || !bytes.HasPrefix(head, []byte("\x7fELF")) {
		return nil
	}
	want, known := elfMachines[runtime.GOARCH]
	if !known {
		return nil
	}
	var order binary.ByteOrder = binary.LittleEndian
	if head[5] == 2 {
		order = binary.BigEndian
	}
	got := order.Uint16(head[18:20])
	if got == want {
		return nil
	}
	arch, ok := elfArchs[got]
	if !ok {
		arch = fmt.Sprintf("ELF machine %d", got)
	}
	return fmt.Errorf("binary is built for %s but this container runs linux/%s: build with GOARCH=%s",
		arch, runtime.GOARCH, runtime.GOARCH)
}

// commit keeps the running binary as NAME.prev (a hard link costs nothing)
// and renames the new one over NAME. A rename never meets ETXTBSY and never
// exposes a half-written file.
func commit(tmp, target string) (prev string, err error) {
	prev = target + ".prev"
	os.Remove(prev)
	if err := os.Link(target, prev); err != nil {
		if errors.Is(err, fs.ErrNotExist) || copyExecutable(target, prev) != nil {
			prev = ""
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("rename into place: %v", err)
	}
	return prev, nil
}

// sweepTemps removes the temp files of installs that were killed mid-stream
// (their process is gone), so a killed install never fills the directory.
func sweepTemps(appDir, name string) {
	entries, err := os.ReadDir(appDir)
	if err != nil {
		return
	}
	prefix := "." + name + ".tmp-"
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.Remove(filepath.Join(appDir, e.Name()))
		}
	}
}

// generation is the order of the install that put the binary in place.
type generation struct {
	Session    string
	Generation int64
}

func generationFile(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".generation")
}

// readGeneration returns the zero generation when none was recorded: the
// image's own binary, or an install by a client that sends none.
func readGeneration(target string) (generation, error) {
	b, err := os.ReadFile(generationFile(target))
	if err != nil {
		return generation{}, err
	}
	var g generation
	if _, err := fmt.Sscanf(string(b), "%s %d", &g.Session, &g.Generation); err != nil {
		return generation{}, err
	}
	return g, nil
}

func writeGeneration(target string, g generation) {
	if g.Generation <= 0 || g.Session == "" {
		os.Remove(generationFile(target))
		return
	}
	os.WriteFile(generationFile(target), []byte(fmt.Sprintf("%s %d\n", g.Session, g.Generation)), 0o644)
}

// lockDir serialises installs into one directory so .prev and the restart
// belong to the same install.
func lockDir(dir string, deadline time.Time) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("install lock: %v", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("install lock: %v", err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, errors.New("timed out waiting for another install into the same directory")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
