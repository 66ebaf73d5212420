package main

import (
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// TestMeasureInstall10MB reports install+restart latency for a 10 MiB binary
// (a real app padded with random bytes, which the ELF loader ignores), as the
// median of 50 installs through real "agent install" processes. It only runs
// when asked:
//
//	HOTRELOAD_AGENT_BENCH=1 go test -run TestMeasureInstall10MB -v
func TestMeasureInstall10MB(t *testing.T) {
	if os.Getenv("HOTRELOAD_AGENT_BENCH") == "" {
		t.Skip("set HOTRELOAD_AGENT_BENCH=1 to measure")
	}
	const size = 10 << 20
	dir := t.TempDir()
	padded := func(src, name string) string {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		pad := make([]byte, size-len(b))
		rand.New(rand.NewSource(int64(len(name)))).Read(pad)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, append(b, pad...), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bins := []string{padded(appV1, "v1"), padded(appV2, "v2")}
	a := startAgent(t, bins[0], nil)
	a.waitServing()

	modes := []struct {
		name     string
		encoding string
		flags    []string
	}{
		{"identity --wait-tcp", "identity", []string{"--wait-tcp", a.addr}},
		{"gzip --wait-tcp", "gzip", []string{"--wait-tcp", a.addr}},
		{"identity --wait-tcp --fsync=false", "identity", []string{"--wait-tcp", a.addr, "--fsync=false"}},
		{"identity --settle 0", "identity", []string{"--settle", "0"}},
		{"identity (default settle 200ms)", "identity", nil},
	}
	for _, m := range modes {
		streams := [][]byte{installStream(t, bins[0], m.encoding), installStream(t, bins[1], m.encoding)}
		var wall, total, restart []time.Duration
		for i := 0; i < 50; i++ {
			s := streams[(i+1)%2]
			t0 := time.Now()
			res, _ := runInstall(t, a.dir, s, m.flags...)
			w := time.Since(t0)
			if !res.OK {
				t.Fatalf("%s install %d: %+v", m.name, i, res)
			}
			wall = append(wall, w)
			total = append(total, time.Duration(res.TotalMillis)*time.Millisecond)
			restart = append(restart, time.Duration(res.RestartMillis)*time.Millisecond)
		}
		t.Logf("%-36s wire %5.1f MiB: wall median %v p90 %v | totalMillis median %v | restartMillis median %v",
			m.name, float64(len(streams[0]))/(1<<20), median(wall), pct(wall, 90), median(total), median(restart))
	}
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*p/100].Round(100 * time.Microsecond)
}
