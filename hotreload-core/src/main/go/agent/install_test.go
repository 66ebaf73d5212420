package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeSupervisor answers like a running "agent run" without running anything.
type fakeSupervisor struct {
	st       statusResponse
	restarts []request
	answers  []restartResponse // one per restart call; default OK
}

func (f *fakeSupervisor) info() (statusResponse, error) { return f.st, nil }

func (f *fakeSupervisor) restart(req request, _ time.Time) (restartResponse, error) {
	f.restarts = append(f.restarts, req)
	if n := len(f.restarts) - 1; n < len(f.answers) {
		return f.answers[n], nil
	}
	return restartResponse{OK: true, PID: 4242, ReadyMillis: 3}, nil
}

type installFixture struct {
	dir, target string
	old         []byte
	sup         *fakeSupervisor
}

func newInstallFixture(t *testing.T) *installFixture {
	t.Helper()
	dir := t.TempDir()
	appDir := appDirOf(dir)
	if err := os.MkdirAll(appDir, 0o755); err != nil {
		t.Fatal(err)
	}
	fx := &installFixture{dir: dir, target: filepath.Join(appDir, "hello"), old: []byte("#!old binary\n")}
	if err := os.WriteFile(fx.target, fx.old, 0o755); err != nil {
		t.Fatal(err)
	}
	fx.sup = &fakeSupervisor{st: statusResponse{Name: "hello", Binary: fx.target}}
	return fx
}

func (fx *installFixture) install(stdin []byte) installResult {
	o := installOptions{dir: fx.dir, deadline: time.Now().Add(10 * time.Second), settle: 200 * time.Millisecond}
	return doInstall(o, bytes.NewReader(stdin), fx.sup, time.Now())
}

// assertUntouched checks the promise of every failed install: the old binary
// is in place, nothing was restarted, no temp file is left behind.
func (fx *installFixture) assertUntouched(t *testing.T, res installResult, wantErr string) {
	t.Helper()
	if res.OK {
		t.Fatalf("install succeeded, want failure %q", wantErr)
	}
	if !strings.Contains(res.Error, wantErr) {
		t.Fatalf("error %q does not mention %q", res.Error, wantErr)
	}
	got, err := os.ReadFile(fx.target)
	if err != nil || !bytes.Equal(got, fx.old) {
		t.Fatalf("old binary changed: %q, %v", got, err)
	}
	if len(fx.sup.restarts) != 0 {
		t.Fatalf("failed install asked for %d restarts", len(fx.sup.restarts))
	}
	entries, _ := os.ReadDir(appDirOf(fx.dir))
	for _, e := range entries {
		if e.Name() != "hello" {
			t.Fatalf("left behind %s", e.Name())
		}
	}
}

func randomBinary(n int) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	copy(b, "#!new binary\n")
	return b
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// stream builds install stdin: header line, then the wire bytes.
func stream(h map[string]any, wire []byte) []byte {
	line, _ := json.Marshal(h)
	return append(append(line, '\n'), wire...)
}

func identityStream(bin []byte) []byte {
	return stream(map[string]any{"v": 1, "name": "hello", "encoding": "identity",
		"size": len(bin), "wireSize": len(bin), "sha256": hexSum(bin)}, bin)
}

func gzipStream(bin []byte) []byte {
	z := gz(bin)
	return stream(map[string]any{"v": 1, "encoding": "gzip",
		"size": len(bin), "wireSize": len(z), "sha256": hexSum(bin)}, z)
}

func TestInstallIdentity(t *testing.T) {
	fx := newInstallFixture(t)
	bin := randomBinary(3<<20 + 17)
	res := fx.install(identityStream(bin))
	if !res.OK {
		t.Fatalf("install failed: %s", res.Error)
	}
	fx.assertInstalled(t, res, bin, int64(len(bin)))
}

func TestInstallGzip(t *testing.T) {
	fx := newInstallFixture(t)
	bin := bytes.Repeat([]byte("compressible "), 100_000)
	in := gzipStream(bin)
	res := fx.install(in)
	if !res.OK {
		t.Fatalf("install failed: %s", res.Error)
	}
	fx.assertInstalled(t, res, bin, int64(len(gz(bin))))
}

func TestInstallEmptyBinaryIsAFileToo(t *testing.T) {
	fx := newInstallFixture(t)
	res := fx.install(identityStream(nil))
	if !res.OK {
		t.Fatalf("install failed: %s", res.Error)
	}
	fx.assertInstalled(t, res, nil, 0)
}

func (fx *installFixture) assertInstalled(t *testing.T, res installResult, bin []byte, wire int64) {
	t.Helper()
	got, err := os.ReadFile(fx.target)
	if err != nil || !bytes.Equal(got, bin) {
		t.Fatalf("target does not hold the new binary (%d bytes, %v)", len(got), err)
	}
	fi, _ := os.Stat(fx.target)
	if fi.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v, want 0755", fi.Mode().Perm())
	}
	prev, err := os.ReadFile(fx.target + ".prev")
	if err != nil || !bytes.Equal(prev, fx.old) {
		t.Fatalf(".prev does not hold the old binary: %q %v", prev, err)
	}
	if len(fx.sup.restarts) != 1 || fx.sup.restarts[0].SettleMillis != 200 {
		t.Fatalf("restarts requested: %+v", fx.sup.restarts)
	}
	if res.SHA256 != hexSum(bin) || res.Size != int64(len(bin)) || res.Bytes != wire || res.PID != 4242 || res.RestartMillis != 3 {
		t.Fatalf("result %+v", res)
	}
	line, _ := json.Marshal(res.wire())
	var m map[string]any
	json.Unmarshal(line, &m)
	for _, k := range []string{"ok", "sha256", "bytes", "size", "pid", "restartMillis", "totalMillis"} {
		if _, ok := m[k]; !ok {
			t.Fatalf("result line %s lacks %q", line, k)
		}
	}
}

func TestInstallRejectsAndKeepsOldBinary(t *testing.T) {
	bin := randomBinary(1 << 20)
	id := identityStream(bin)
	z := gzipStream(bin)
	headerLen := bytes.IndexByte(id, '\n') + 1
	zHeaderLen := bytes.IndexByte(z, '\n') + 1
	otherSum := hexSum([]byte("something else"))
	corrupt := append([]byte(nil), z...)
	copy(corrupt[zHeaderLen+len(z[zHeaderLen:])/2:], "garbage garbage garbage")

	cases := []struct {
		name, want string
		in         []byte
	}{
		{"truncated identity", "truncated stream: got 524288 of 1048576", id[:headerLen+1<<19]},
		{"truncated gzip", "truncated stream", z[:zHeaderLen+(len(z)-zHeaderLen)/2]},
		{"truncated gzip header", "truncated stream", z[:zHeaderLen+5]},
		{"nothing after header", "truncated stream: got 0 of", id[:headerLen]},
		{"bad checksum", "sha256 mismatch", stream(map[string]any{"v": 1, "encoding": "identity", "size": len(bin), "sha256": otherSum}, bin)},
		{"bad checksum gzip", "sha256 mismatch", stream(map[string]any{"v": 1, "encoding": "gzip", "size": len(bin), "wireSize": len(z) - zHeaderLen, "sha256": otherSum}, z[zHeaderLen:])},
		{"decodes larger", "more than the 1000 bytes", stream(map[string]any{"v": 1, "encoding": "gzip", "size": 1000, "wireSize": len(z) - zHeaderLen, "sha256": hexSum(bin)}, z[zHeaderLen:])},
		{"decodes smaller", "payload decodes to 1048576 bytes, header says 2000000", stream(map[string]any{"v": 1, "encoding": "gzip", "size": 2_000_000, "wireSize": len(z) - zHeaderLen, "sha256": hexSum(bin)}, z[zHeaderLen:])},
		{"corrupt gzip", "corrupt gzip payload", corrupt},
		{"not gzip", "corrupt gzip payload", stream(map[string]any{"v": 1, "encoding": "gzip", "size": len(bin), "wireSize": len(bin), "sha256": hexSum(bin)}, bin)},
		{"unknown encoding", `unknown encoding "br"`, stream(map[string]any{"v": 1, "encoding": "br", "size": len(bin), "wireSize": len(bin), "sha256": hexSum(bin)}, bin)},
		{"header too long", "header too long", append([]byte(`{"v":1,"name":"`+strings.Repeat("y", 5000)+`"}`+"\n"), bin...)},
		{"bad header", "invalid header JSON", append([]byte("hello\n"), bin...)},
		{"other name", `header names binary "bye"`, stream(map[string]any{"v": 1, "name": "bye", "size": len(bin), "sha256": hexSum(bin)}, bin)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newInstallFixture(t)
			fx.assertUntouched(t, fx.install(c.in), c.want)
		})
	}
}

// fullDisk fails like a write on a full filesystem after some bytes.
type fullDisk struct {
	w    io.Writer
	left int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.left {
		n, _ := d.w.Write(p[:d.left])
		d.left = 0
		return n, &os.PathError{Op: "write", Path: "temp", Err: syscall.ENOSPC}
	}
	d.left -= len(p)
	return d.w.Write(p)
}

func TestInstallDiskFullKeepsOldBinary(t *testing.T) {
	defer func(orig func(*os.File) io.Writer) { wrapTempWriter = orig }(wrapTempWriter)
	wrapTempWriter = func(f *os.File) io.Writer { return &fullDisk{w: f, left: 300_000} }
	fx := newInstallFixture(t)
	res := fx.install(identityStream(randomBinary(1 << 20)))
	fx.assertUntouched(t, res, "no space left on device")
	if res.Code != "no-space" {
		t.Fatalf("a full disk answers code %q, want no-space: %+v", res.Code, res)
	}
}

func TestInstallUnwritableDirKeepsOldBinary(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories")
	}
	fx := newInstallFixture(t)
	os.Chmod(appDirOf(fx.dir), 0o555)
	defer os.Chmod(appDirOf(fx.dir), 0o755)
	fx.assertUntouched(t, fx.install(identityStream(randomBinary(1000))), "cannot create a temp file")
}

func TestInstallWrongArchitecture(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the ELF check only runs on linux")
	}
	bin := make([]byte, 4096)
	copy(bin, "\x7fELF\x02\x01\x01")
	machine := uint16(183) // arm64
	if runtime.GOARCH == "arm64" {
		machine = 62
	}
	bin[18], bin[19] = byte(machine), byte(machine>>8)
	fx := newInstallFixture(t)
	fx.assertUntouched(t, fx.install(identityStream(bin)), "but this container runs linux/"+runtime.GOARCH)
}

func TestInstallRollsBackWhenNewBinaryDies(t *testing.T) {
	fx := newInstallFixture(t)
	code := 3
	fx.sup.answers = []restartResponse{
		{Error: "new binary (pid 7) exited with code 3 12ms after start", PID: 7, Exited: true, ExitCode: &code, Output: "panic: boom\n"},
		{OK: true, PID: 8},
	}
	bin := randomBinary(5000)
	res := fx.install(identityStream(bin))
	if res.OK || !res.RolledBack || res.PID != 8 || *res.ExitCode != 3 || res.Output != "panic: boom\n" {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(res.Error, "exited with code 3") || !strings.Contains(res.Error, "rolled back") {
		t.Fatalf("error %q", res.Error)
	}
	if got, _ := os.ReadFile(fx.target); !bytes.Equal(got, fx.old) {
		t.Fatal("old binary not restored")
	}
	if len(fx.sup.restarts) != 2 {
		t.Fatalf("%d restarts, want the failed one and the rollback", len(fx.sup.restarts))
	}
	line, _ := json.Marshal(res.wire())
	if !bytes.Contains(line, []byte(`"ok":false`)) || !bytes.Contains(line, []byte(`"rolledBack":true`)) {
		t.Fatalf("result line %s", line)
	}
}

func TestInstallKeepsNewBinaryWhenOnlyThePortIsLate(t *testing.T) {
	fx := newInstallFixture(t)
	fx.sup.answers = []restartResponse{{Error: "new binary (pid 7) is running but 127.0.0.1:1 did not accept", PID: 7}}
	bin := randomBinary(5000)
	res := fx.install(identityStream(bin))
	if res.OK || res.RolledBack || res.Code != "not-ready" || len(fx.sup.restarts) != 1 {
		t.Fatalf("result %+v after %d restarts", res, len(fx.sup.restarts))
	}
	if got, _ := os.ReadFile(fx.target); !bytes.Equal(got, bin) {
		t.Fatal("a running new binary was rolled back")
	}
}

func TestInstallWithoutSupervisor(t *testing.T) {
	dir := t.TempDir()
	bin := randomBinary(100)
	o := installOptions{dir: dir, deadline: time.Now().Add(5 * time.Second)}
	res := doInstall(o, bytes.NewReader(identityStream(bin)), socketClient{dir}, time.Now())
	var nse *noSupervisorError
	if res.OK || !strings.Contains(res.Error, "agent.sock does not exist") || !strings.Contains(res.Error, "agent run") {
		t.Fatalf("result %+v", res)
	}
	_, err := socketClient{dir}.status()
	if !errors.As(err, &nse) {
		t.Fatalf("status error %T %v", err, err)
	}
}

func TestInstallStalledStreamTimesOut(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	bin := randomBinary(1 << 16)
	in := identityStream(bin)
	go w.Write(in[:len(in)-100]) // then nothing: a stalled exec stream
	fx := newInstallFixture(t)
	o := installOptions{dir: fx.dir, deadline: time.Now().Add(300 * time.Millisecond)}
	start := time.Now()
	stdin, ok := stdinWithDeadlines(r)
	if !ok {
		t.Fatal("a pipe takes read deadlines")
	}
	stdin.SetReadDeadline(o.deadline)
	res := doInstall(o, stdin, fx.sup, start)
	if time.Since(start) > 3*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	fx.assertUntouched(t, res, fmt.Sprintf("timed out reading the payload: got %d of %d", len(bin)-100, len(bin)))
}
