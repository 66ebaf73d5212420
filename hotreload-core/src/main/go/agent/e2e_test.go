package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binaries the end-to-end tests run as real processes, built once.
var (
	agentBin string
	// runBin is the agent started as supervisor: agentBin, or under -race a
	// race-instrumented build. Installs keep using the plain build, whose
	// start-up the race runtime would slow tenfold.
	runBin   string
	appV1    string // prints "v1 <pid>"
	appV2    string // prints "v2 <pid>"
	appV3    string // prints "v3 <pid>": another image
	appCrash string // exits 3 at once
	// appCrashLater serves, then exits 4 700 ms later
	appCrashLater string
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := 0
	if testing.Short() {
		code = m.Run()
	} else {
		dir, err := os.MkdirTemp("", "agent-e2e-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := buildTestBinaries(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		} else {
			code = m.Run()
		}
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func buildTestBinaries(dir string) error {
	agentBin = filepath.Join(dir, "agent")
	appV1 = filepath.Join(dir, "v1", "app")
	appV2 = filepath.Join(dir, "v2", "app")
	appV3 = filepath.Join(dir, "v3", "app")
	appCrash = filepath.Join(dir, "crash", "app")
	appCrashLater = filepath.Join(dir, "crash-later", "app")
	runBin = agentBin
	// Built the way the Java library builds it.
	builds := [][]string{
		{"build", "-trimpath", "-ldflags=-s -w", "-o", agentBin, "."},
		{"build", "-ldflags=-X main.version=v1", "-o", appV1, "./testdata/app"},
		{"build", "-ldflags=-X main.version=v2", "-o", appV2, "./testdata/app"},
		{"build", "-ldflags=-X main.version=v3", "-o", appV3, "./testdata/app"},
		{"build", "-ldflags=-X main.version=crash -X main.crash=1", "-o", appCrash, "./testdata/app"},
		{"build", "-ldflags=-X main.version=crash-later -X main.crashAfter=700ms", "-o", appCrashLater, "./testdata/app"},
	}
	if raceEnabled {
		// The supervisor's goroutines are checked end to end.
		runBin = filepath.Join(dir, "agent-race")
		builds = append(builds, []string{"build", "-race", "-o", runBin, "."})
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, args := range builds {
		wg.Add(1)
		go func(i int, args []string) {
			defer wg.Done()
			cmd := exec.Command("go", args...)
			cmd.Env = os.Environ()
			if i == 0 {
				cmd.Env = append(cmd.Env, "CGO_ENABLED=0")
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}(i, args)
	}
	wg.Wait()
	return errors.Join(errs...)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type agentProc struct {
	t       *testing.T
	dir     string
	addr    string
	cmd     *exec.Cmd
	out     *lockedBuffer
	done    chan struct{}
	exitErr error
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startAgent(t *testing.T, app string, env []string, flags ...string) *agentProc {
	t.Helper()
	return startAgentIn(t, t.TempDir(), app, env, flags...)
}

// startAgentIn starts an agent on a state directory that may hold what an
// agent before it left there, as a restarted container finds its emptyDir.
func startAgentIn(t *testing.T, dir, app string, env []string, flags ...string) *agentProc {
	t.Helper()
	if agentBin == "" {
		t.Skip("end-to-end test: binaries are not built with -short")
	}
	a := &agentProc{t: t, dir: dir, addr: freeAddr(t), out: &lockedBuffer{}, done: make(chan struct{})}
	args := append([]string{"run", "--dir", a.dir}, flags...)
	a.cmd = exec.Command(runBin, append(args, "--", app)...)
	a.cmd.Env = append(append(os.Environ(), "APP_ADDR="+a.addr), env...)
	a.cmd.Stdout = a.out
	a.cmd.Stderr = a.out
	// Own process group, so cleanup can kill the app even if the agent died.
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		a.exitErr = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		select {
		case <-a.done:
		default:
			a.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-a.done:
			case <-time.After(5 * time.Second):
				t.Errorf("agent did not stop on SIGTERM")
			}
		}
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
		<-a.done
		if strings.Contains(a.out.String(), "DATA RACE") {
			t.Errorf("race detected in the agent")
		}
		if t.Failed() {
			t.Logf("agent output:\n%s", a.out.String())
		}
	})
	return a
}

func (a *agentProc) alive() bool {
	select {
	case <-a.done:
		return false
	default:
		return true
	}
}

// get sends a minimal HTTP request to the app and returns the body.
func get(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\n\r\n"); err != nil {
		return "", err
	}
	resp, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	_, body, ok := strings.Cut(string(resp), "\r\n\r\n")
	if !ok {
		return "", fmt.Errorf("bad response %q", resp)
	}
	return strings.TrimSpace(body), nil
}

// waitServing waits until the app answers and returns its version and pid.
func (a *agentProc) waitServing() (string, int) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		body, err := get(a.addr)
		if err == nil {
			v, p, _ := strings.Cut(body, " ")
			pid, _ := strconv.Atoi(p)
			return v, pid
		}
		if !a.alive() || time.Now().After(deadline) {
			a.t.Fatalf("app never served on %s: %v (agent alive: %v)", a.addr, err, a.alive())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (a *agentProc) status() statusResponse {
	a.t.Helper()
	out, err := exec.Command(agentBin, "status", "--dir", a.dir).Output()
	if err != nil {
		a.t.Fatalf("agent status: %v: %s", err, out)
	}
	var st statusResponse
	if err := json.Unmarshal(out, &st); err != nil {
		a.t.Fatalf("status output %q: %v", out, err)
	}
	return st
}

func installStream(t testing.TB, binPath, encoding string) []byte {
	bin, err := os.ReadFile(binPath)
	if err != nil {
		t.Fatal(err)
	}
	if encoding == "gzip" {
		return gzipStream(bin)
	}
	// No name: the agent defaults to the binary it runs.
	return stream(map[string]any{"v": 1, "encoding": "identity", "size": len(bin), "wireSize": len(bin), "sha256": hexSum(bin)}, bin)
}

func (a *agentProc) install(stdin []byte, flags ...string) installResult {
	a.t.Helper()
	res, _ := runInstall(a.t, a.dir, stdin, flags...)
	return res
}

func runInstall(t testing.TB, dir string, stdin []byte, flags ...string) (installResult, int) {
	cmd := exec.Command(agentBin, append([]string{"install", "--dir", dir}, flags...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("agent install: %v", err)
	}
	if bytes.Count(out, []byte("\n")) != 1 {
		t.Fatalf("install must print exactly one line, got %q (stderr %q)", out, stderr.String())
	}
	var res installResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("install output %q: %v", out, err)
	}
	if res.OK != (code == 0) {
		t.Fatalf("install printed ok=%v but exited %d: %s", res.OK, code, out)
	}
	return res, code
}

func fileSum(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return hexSum(b)
}

func TestE2EInstallServesNewVersion(t *testing.T) {
	a := startAgent(t, appV1, nil)
	v, pid := a.waitServing()
	if v != "v1" {
		t.Fatalf("serving %q", v)
	}
	st := a.status()
	if st.PID != pid || st.SHA256 != fileSum(t, appV1) || st.Binary != filepath.Join(a.dir, "app", "app") ||
		st.GOOS != runtime.GOOS || st.GOARCH != runtime.GOARCH || st.Restarts != 0 || st.State != "running" {
		t.Fatalf("status before install: %+v (app pid %d)", st, pid)
	}

	res := a.install(installStream(t, appV2, "gzip"), "--wait-tcp", a.addr)
	if !res.OK {
		t.Fatalf("install failed: %+v", res)
	}
	if res.PID == pid || res.SHA256 != fileSum(t, appV2) || res.Bytes >= res.Size {
		t.Fatalf("result %+v", res)
	}
	body, err := get(a.addr)
	if err != nil || body != fmt.Sprintf("v2 %d", res.PID) {
		t.Fatalf("after install the app answers %q, %v; want v2 from pid %d", body, err, res.PID)
	}
	st = a.status()
	if st.PID != res.PID || st.SHA256 != res.SHA256 || st.Restarts != 1 || st.LastExitCode == nil {
		t.Fatalf("status after install: %+v", st)
	}
	// Installing without --wait-tcp returns after the settle time.
	res = a.install(installStream(t, appV1, "identity"))
	if !res.OK || res.TotalMillis < 200 {
		t.Fatalf("result %+v", res)
	}
	if v, pid := a.waitServing(); v != "v1" || pid != res.PID {
		t.Fatalf("serving %s from %d, want v1 from %d", v, pid, res.PID)
	}
}

// A container restart keeps the pod's emptyDir: the agent that starts then
// runs the binary delivered last, not the image's, unless the image changed.
func TestE2EAgentRestartedOnTheSameDirectory_resumesTheDeliveredBinary(t *testing.T) {
	dir := t.TempDir()
	first := startAgentIn(t, dir, appV1, nil)
	first.waitServing()
	if res := first.install(installStream(t, appV2, "gzip"), "--wait-tcp", first.addr); !res.OK {
		t.Fatalf("install failed: %+v", res)
	}
	syscall.Kill(-first.cmd.Process.Pid, syscall.SIGKILL) // the container dies with all it ran
	<-first.done

	again := startAgentIn(t, dir, appV1, nil)
	if v, _ := again.waitServing(); v != "v2" {
		t.Fatalf("after a restart on the same image the agent serves %q, want the delivered v2", v)
	}
	if st := again.status(); st.SHA256 != fileSum(t, appV2) {
		t.Fatalf("status after the restart: %+v, want the sha256 of v2", st)
	}
	if !strings.Contains(again.out.String(), "resuming the binary delivered before") {
		t.Fatalf("the agent did not say it resumed: %s", again.out.String())
	}
	syscall.Kill(-again.cmd.Process.Pid, syscall.SIGKILL)
	<-again.done

	// Another image: what was delivered over the old one is not this image's code.
	other := startAgentIn(t, dir, appV3, nil)
	if v, _ := other.waitServing(); v != "v3" {
		t.Fatalf("after a restart on another image the agent serves %q, want the image's binary", v)
	}
}

func TestE2ECrashingBinaryRollsBack(t *testing.T) {
	a := startAgent(t, appV1, nil)
	a.waitServing()
	for _, flags := range [][]string{{"--wait-tcp", a.addr}, nil} {
		res := a.install(installStream(t, appCrash, "identity"), flags...)
		if res.OK || !res.RolledBack || res.ExitCode == nil || *res.ExitCode != 3 ||
			!strings.Contains(res.Output, "crashing on purpose") || !strings.Contains(res.Error, "exited with code 3") {
			t.Fatalf("install of a crashing binary (flags %v): %+v", flags, res)
		}
		if v, pid := a.waitServing(); v != "v1" || pid != res.PID {
			t.Fatalf("after rollback serving %s from %d, want v1 from %d", v, pid, res.PID)
		}
		if st := a.status(); st.SHA256 != fileSum(t, appV1) {
			t.Fatalf("status after rollback: %+v", st)
		}
	}
}

func TestE2EBinaryThatCrashesSoonAfterItWasReady_isRolledBackByTheAgent(t *testing.T) {
	a := startAgent(t, appV1, nil)
	a.waitServing()
	res := a.install(installStream(t, appCrashLater, "identity"), "--wait-tcp", a.addr)
	if !res.OK {
		t.Fatalf("the install sees it ready: %+v", res)
	}
	// 700 ms later it exits 4; the agent puts v1 back and starts it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := a.status()
		if st.SHA256 == fileSum(t, appV1) && st.State == "running" {
			if !strings.Contains(st.RolledBack, "exited with code 4") ||
				!strings.Contains(st.RolledBack, "rolled back to the previous binary") {
				t.Fatalf("status says %q", st.RolledBack)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not rolled back within 10 s: %+v\n%s", st, a.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, _ := a.waitServing(); v != "v1" {
		t.Fatalf("serving %s after the rollback, want v1", v)
	}
	// The build that crashed may be sent again (a redelivery is not stale), and a good
	// install clears the note.
	if res := a.install(installStream(t, appV2, "identity"), "--wait-tcp", a.addr); !res.OK {
		t.Fatalf("install after rollback: %+v", res)
	}
	if st := a.status(); st.RolledBack != "" || st.SHA256 != fileSum(t, appV2) {
		t.Fatalf("status after the next install: %+v", st)
	}
}

func TestE2ECrashLoopKeepsAgentUp(t *testing.T) {
	a := startAgent(t, appCrash, nil)
	time.Sleep(1600 * time.Millisecond)
	if !a.alive() {
		t.Fatal("agent died with its app")
	}
	st := a.status()
	// Backoff 100, 200, 400, 800 ms: a handful of starts, not hundreds.
	if st.Restarts < 2 || st.Restarts > 6 || st.LastExitCode == nil || *st.LastExitCode != 3 {
		t.Fatalf("status of a crash loop: %+v", st)
	}
	res := a.install(installStream(t, appV1, "identity"), "--wait-tcp", a.addr)
	if !res.OK {
		t.Fatalf("install into a crash loop: %+v", res)
	}
	if v, _ := a.waitServing(); v != "v1" {
		t.Fatalf("serving %s", v)
	}
	time.Sleep(300 * time.Millisecond)
	if st := a.status(); st.PID != res.PID || st.State != "running" {
		t.Fatalf("a pending backoff restarted the app behind the install: %+v", st)
	}
}

func TestE2EHundredInstalls(t *testing.T) {
	a := startAgent(t, appV1, nil)
	_, pid := a.waitServing()
	streams := map[string][]byte{"v1": installStream(t, appV1, "gzip"), "v2": installStream(t, appV2, "identity")}
	var totals, restarts []int
	start := time.Now()
	for i := 0; i < 100; i++ {
		want := "v2"
		if i%2 == 1 {
			want = "v1"
		}
		res := a.install(streams[want], "--wait-tcp", a.addr)
		if !res.OK || res.PID == pid {
			t.Fatalf("install %d: %+v (previous pid %d)", i, res, pid)
		}
		pid = res.PID
		body, err := get(a.addr)
		if err != nil || body != fmt.Sprintf("%s %d", want, pid) {
			t.Fatalf("install %d: app answers %q, %v; want %s from %d", i, body, err, want, pid)
		}
		totals = append(totals, int(res.TotalMillis))
		restarts = append(restarts, int(res.RestartMillis))
	}
	sort.Ints(totals)
	sort.Ints(restarts)
	t.Logf("100 installs in %v, median totalMillis %d, restartMillis %d",
		time.Since(start).Round(time.Millisecond), totals[50], restarts[50])
	if st := a.status(); st.Restarts != 100 {
		t.Fatalf("status after 100 installs: %+v", st)
	}
}

func TestE2ESigtermStopsAppAndExits(t *testing.T) {
	a := startAgent(t, appV1, []string{"APP_TERM_CODE=7"})
	_, pid := a.waitServing()
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		t.Fatal("agent still running 5s after SIGTERM")
	}
	var ee *exec.ExitError
	if !errors.As(a.exitErr, &ee) || ee.ExitCode() != 7 {
		t.Fatalf("agent exit %v, want the app's code 7", a.exitErr)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Fatalf("app pid %d still exists: %v", pid, err)
	}
	if !strings.Contains(a.out.String(), "app v1 stopping with code 7") {
		t.Fatalf("app did not get SIGTERM: %s", a.out.String())
	}
	if _, err := os.Stat(socketPath(a.dir)); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
}

func TestE2EStopTimeoutEscalatesToKill(t *testing.T) {
	a := startAgent(t, appV1, []string{"APP_IGNORE_TERM=1"}, "--stop-timeout", "300ms")
	a.waitServing()
	res := a.install(installStream(t, appV2, "identity"), "--wait-tcp", a.addr)
	if !res.OK || res.RestartMillis < 300 {
		t.Fatalf("install over an app ignoring SIGTERM: %+v", res)
	}
	if v, _ := a.waitServing(); v != "v2" {
		t.Fatalf("serving %s", v)
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		t.Fatal("agent still running 5s after SIGTERM")
	}
	var ee *exec.ExitError
	if !errors.As(a.exitErr, &ee) || ee.ExitCode() != 128+9 {
		t.Fatalf("agent exit %v, want 137 (app killed)", a.exitErr)
	}
}

func TestE2EStopSignalFlag(t *testing.T) {
	a := startAgent(t, appV1, []string{"APP_TERM_CODE=5"}, "--stop-signal", "INT")
	a.waitServing()
	if res := a.install(installStream(t, appV2, "identity"), "--wait-tcp", a.addr); !res.OK {
		t.Fatalf("install: %+v", res)
	}
	if st := a.status(); st.LastExitCode == nil || *st.LastExitCode != 5 {
		t.Fatalf("old app did not stop through SIGINT: %+v", st)
	}
}

func procStat(pid int) (state byte, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	// The command name may hold spaces; fields resume after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ppid, _ = strconv.Atoi(f[1])
	return f[0][0], ppid, true
}

func TestE2EReapsOrphans(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc and a subreaper")
	}
	a := startAgent(t, appV1, []string{"APP_SPAWN_ORPHAN=1"})
	a.waitServing()
	m := regexp.MustCompile(`spawned child (\d+)`).FindStringSubmatch(a.out.String())
	if m == nil {
		t.Fatalf("app did not spawn its child: %s", a.out.String())
	}
	child, _ := strconv.Atoi(m[1])
	res := a.install(installStream(t, appV2, "identity"), "--wait-tcp", a.addr)
	if !res.OK {
		t.Fatalf("install: %+v", res)
	}
	agentPid := a.cmd.Process.Pid
	if _, ppid, ok := procStat(child); ok && ppid != agentPid {
		t.Fatalf("orphan %d has parent %d, not the agent %d", child, ppid, agentPid)
	}
	// The orphan sleeps 300ms; once it exits the agent must reap it.
	deadline := time.Now().Add(3 * time.Second)
	for {
		state, _, ok := procStat(child)
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("orphan %d still there in state %c", child, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st := a.status(); st.PID != res.PID || st.State != "running" {
		t.Fatalf("reaping an orphan disturbed the app: %+v", st)
	}
}

func TestE2EConcurrentInstalls(t *testing.T) {
	a := startAgent(t, appV1, nil)
	a.waitServing()
	var wg sync.WaitGroup
	results := make([]installResult, 4)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			bin := appV1
			if i%2 == 0 {
				bin = appV2
			}
			results[i], _ = runInstall(t, a.dir, installStream(t, bin, "identity"), "--wait-tcp", a.addr)
		}(i)
	}
	wg.Wait()
	for i, r := range results {
		if !r.OK {
			t.Fatalf("concurrent install %d: %+v", i, r)
		}
	}
	if st := a.status(); st.Restarts != 4 {
		t.Fatalf("status: %+v", st)
	}
}

func TestE2ECLIErrors(t *testing.T) {
	if agentBin == "" {
		t.Skip("end-to-end test: binaries are not built with -short")
	}
	out, err := exec.Command(agentBin, "version").Output()
	if err != nil || !strings.Contains(string(out), runtime.GOOS+"/"+runtime.GOARCH) {
		t.Fatalf("version: %q %v", out, err)
	}
	dir := t.TempDir()
	res, code := runInstall(t, dir, identityStream([]byte("x")))
	if code != 1 || !strings.Contains(res.Error, "agent.sock does not exist") {
		t.Fatalf("install without supervisor: exit %d, %+v", code, res)
	}
	res, code = runInstall(t, dir, nil, "--bogus")
	if code != 2 || !strings.Contains(res.Error, "bogus") {
		t.Fatalf("install with a bad flag: exit %d, %+v", code, res)
	}
	cmd := exec.Command(agentBin, "status", "--dir", dir)
	out, err = cmd.Output()
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), `"error"`) {
		t.Fatalf("status without supervisor: %q %v", out, err)
	}
}

func TestE2EStreamInstallsOneAfterAnotherOnOneStdin(t *testing.T) {
	a := startAgent(t, appV1, nil)
	a.waitServing()
	cmd := exec.Command(agentBin, "install", "--dir", a.dir, "--stream", "--wait-tcp", a.addr)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answers := bufio.NewReader(stdout)
	next := func(payload []byte) installResult {
		t.Helper()
		if _, err := stdin.Write(payload); err != nil {
			t.Fatal(err)
		}
		line, err := answers.ReadBytes('\n')
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		var res installResult
		if err := json.Unmarshal(line, &res); err != nil {
			t.Fatalf("answer %q: %v", line, err)
		}
		return res
	}

	if res := next(installStream(t, appV2, "gzip")); !res.OK {
		t.Fatalf("first install: %+v", res)
	}
	if v, _ := a.waitServing(); v != "v2" {
		t.Fatalf("serving %s after the first install", v)
	}
	// A refused payload read to its end keeps the stream usable.
	bin, _ := os.ReadFile(appV1)
	wrong := stream(map[string]any{"v": 1, "encoding": "identity", "size": len(bin), "sha256": hexSum([]byte("other"))}, bin)
	if res := next(wrong); res.OK || !strings.Contains(res.Error, "sha256 mismatch") {
		t.Fatalf("wrong checksum: %+v", res)
	}
	if res := next(installStream(t, appV1, "identity")); !res.OK {
		t.Fatalf("install after a refusal: %+v", res)
	}
	if v, _ := a.waitServing(); v != "v1" {
		t.Fatalf("serving %s after the last install", v)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("closing stdin must end the stream cleanly: %v", err)
	}
}

func TestE2EHelperHoldingThePort_isStoppedWithItsApp(t *testing.T) {
	a := startAgent(t, appV1, []string{"APP_CHILD_HOLDS_PORT=1"})
	a.waitServing()

	res := a.install(installStream(t, appV2, "identity"), "--wait-tcp", a.addr)

	if !res.OK {
		t.Fatalf("install failed (a helper of the old app still holds the port?): %+v", res)
	}
	if v, _ := a.waitServing(); v != "v2" {
		t.Fatalf("serving %s, want v2", v)
	}
}

func TestE2EKodataIsSyncedIntoACopy_andTheAppRestartsOnIt(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "banner.txt"), []byte("old banner"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, appV1, []string{"KO_DATA_PATH=" + data})
	_, pid := a.waitServing()

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	body := []byte("new banner")
	tw.WriteHeader(&tar.Header{Name: "sub/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "banner.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
	tw.Write(body)
	tw.Close()
	cmd := exec.Command(agentBin, "kodata", "--dir", a.dir, "--wait-tcp", a.addr)
	cmd.Stdin = &buf
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("agent kodata: %v: %s", err, out)
	}
	if !strings.Contains(string(out), `"ok":true`) {
		t.Fatalf("answer %s", out)
	}
	// The app runs with KO_DATA_PATH at the copy, which now holds the new file; the image's
	// directory is untouched.
	current := filepath.Join(a.dir, "kodata", "current", "banner.txt")
	if b, err := os.ReadFile(current); err != nil || string(b) != "new banner" {
		t.Fatalf("synced copy: %q, %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(data, "banner.txt")); string(b) != "old banner" {
		t.Fatalf("the image's kodata changed: %q", b)
	}
	_, newPid := a.waitServing()
	if newPid == pid {
		t.Fatalf("the app was not restarted (pid %d)", pid)
	}
	environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", newPid))
	if !strings.Contains(string(environ), "KO_DATA_PATH="+filepath.Join(a.dir, "kodata", "current")+"\x00") {
		t.Fatalf("the app's KO_DATA_PATH is not the synced copy: %q", environ)
	}
	// A stream leaving the directory is refused and changes nothing.
	buf.Reset()
	tw = tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "../escape.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1})
	tw.Write([]byte("x"))
	tw.Close()
	cmd = exec.Command(agentBin, "kodata", "--dir", a.dir, "--restart=false")
	cmd.Stdin = &buf
	out, _ = cmd.Output()
	if !strings.Contains(string(out), "leaves the kodata directory") {
		t.Fatalf("answer to an escaping entry: %s", out)
	}
	if b, _ := os.ReadFile(current); string(b) != "new banner" {
		t.Fatalf("after a refused stream: %q", b)
	}
}
