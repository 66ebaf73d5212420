package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// orderedStream is an identity install of bin as generation gen of a session.
func orderedStream(bin []byte, session string, gen int64) []byte {
	return stream(map[string]any{"v": 1, "name": "hello", "encoding": "identity",
		"size": len(bin), "wireSize": len(bin), "sha256": hexSum(bin),
		"session": session, "generation": gen}, bin)
}

func build(gen int) []byte {
	return []byte(fmt.Sprintf("#!binary of generation %d\n", gen))
}

func TestInstallRefusesAnOlderGenerationOfTheSameSession(t *testing.T) {
	fx := newInstallFixture(t)
	if res := fx.install(orderedStream(build(5), "s1", 5)); !res.OK {
		t.Fatalf("generation 5: %s", res.Error)
	}

	res := fx.install(orderedStream(build(3), "s1", 3))

	if res.OK || res.Code != "stale" {
		t.Fatalf("generation 3 after 5: %+v, want code stale", res)
	}
	if got, _ := os.ReadFile(fx.target); !bytes.Equal(got, build(5)) {
		t.Fatalf("installed %q, want generation 5 kept", got)
	}
	if res := fx.install(orderedStream(build(5), "s1", 5)); !res.OK {
		t.Fatalf("the same generation again (a restarted container): %s", res.Error)
	}
	if res := fx.install(orderedStream(build(1), "s2", 1)); !res.OK {
		t.Fatalf("a new session's first generation: %s", res.Error)
	}
}

func TestRolledBackInstall_leavesTheOlderGenerationRedeliverable(t *testing.T) {
	fx := newInstallFixture(t)
	if res := fx.install(orderedStream(build(5), "s1", 5)); !res.OK {
		t.Fatalf("generation 5: %s", res.Error)
	}
	code := 2
	// Answers go by restart count: generation 5's was the first.
	fx.sup.answers = []restartResponse{{OK: true},
		{Error: "exited", Exited: true, ExitCode: &code}, {OK: true}}

	crashed := fx.install(orderedStream(build(6), "s1", 6))
	again := fx.install(orderedStream(build(5), "s1", 5))

	if crashed.OK || !crashed.RolledBack {
		t.Fatalf("generation 6 should crash and roll back: %+v", crashed)
	}
	if !again.OK {
		t.Fatalf("generation 5 after 6 rolled back: %+v", again)
	}
}

// lockedSupervisor lets installs run concurrently against one fake supervisor.
type lockedSupervisor struct {
	mu  sync.Mutex
	sup *fakeSupervisor
}

func (l *lockedSupervisor) info() (statusResponse, error) { return l.sup.info() }

func (l *lockedSupervisor) restart(req request, d time.Time) (restartResponse, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sup.restart(req, d)
}

func TestConcurrentInstalls_theNewestGenerationEndsUpInstalled(t *testing.T) {
	for run := 0; run < 40; run++ {
		fx := newInstallFixture(t)
		sup := &lockedSupervisor{sup: fx.sup}
		gens := rand.Perm(6)
		var wg sync.WaitGroup
		for _, g := range gens {
			wg.Add(1)
			go func(gen int64) {
				defer wg.Done()
				o := installOptions{dir: fx.dir, deadline: time.Now().Add(10 * time.Second), settle: time.Millisecond}
				res := doInstall(o, bytes.NewReader(orderedStream(build(int(gen)), "s", gen)), sup, time.Now())
				if !res.OK && res.Code != "stale" {
					t.Errorf("generation %d: %s", gen, res.Error)
				}
			}(int64(g + 1))
		}
		wg.Wait()
		if got, _ := os.ReadFile(fx.target); !bytes.Equal(got, build(6)) {
			t.Fatalf("run %d (arrival order %v): installed %q, want generation 6", run, gens, got)
		}
	}
}

func TestInstall_sweepsTheTempFilesOfKilledInstalls_butNotOfLiveOnes(t *testing.T) {
	fx := newInstallFixture(t)
	appDir := appDirOf(fx.dir)
	dead := filepath.Join(appDir, ".hello.tmp-999999999-123")
	live := filepath.Join(appDir, fmt.Sprintf(".hello.tmp-%d-456", os.Getppid()))
	for _, f := range []string{dead, live} {
		if err := os.WriteFile(f, []byte("half a binary"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	if res := fx.install(identityStream(build(1))); !res.OK {
		t.Fatalf("install: %s", res.Error)
	}

	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("the killed install's temp file is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("a running install's temp file was removed: %v", err)
	}
}
