package main

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

const zeroSum = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func TestReadHeaderGood(t *testing.T) {
	in := `{"v":1,"name":"hello","encoding":"gzip","size":10,"wireSize":7,"sha256":"` +
		strings.ToUpper(zeroSum) + `"}` + "\nPAYLOAD"
	br := bufio.NewReader(strings.NewReader(in))
	h, err := readHeader(br)
	if err != nil {
		t.Fatal(err)
	}
	if h.Name != "hello" || h.Encoding != "gzip" || *h.Size != 10 || *h.WireSize != 7 || h.SHA256 != zeroSum {
		t.Fatalf("parsed %+v", h)
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "PAYLOAD" {
		t.Fatalf("header reader consumed payload bytes: rest %q", rest)
	}
}

func TestReadHeaderDefaults(t *testing.T) {
	h, err := readHeader(bufio.NewReader(strings.NewReader(`{"v":1,"size":3,"sha256":"` + zeroSum + "\"}\n")))
	if err != nil {
		t.Fatal(err)
	}
	if h.Encoding != "identity" || *h.WireSize != 3 || h.Name != "" {
		t.Fatalf("defaults not applied: %+v", h)
	}
}

func TestReadHeaderErrors(t *testing.T) {
	ok := `"sha256":"` + zeroSum + `"`
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty input"},
		{"no newline", `{"v":1}`, "truncated header"},
		{"too long", `{"v":1,"name":"` + strings.Repeat("x", 5000) + "\"}\n", "header too long"},
		{"exactly too long", strings.Repeat(" ", maxHeaderBytes) + "\n", "header too long"},
		{"bad json", "{v:1}\n", "invalid header JSON"},
		{"trailing junk", `{"v":1,"size":1,` + ok + "} x\n", "invalid header JSON"},
		{"wrong type", `{"v":1,"size":"ten",` + ok + "}\n", "invalid header JSON"},
		{"version", `{"v":2,"size":1,` + ok + "}\n", "unsupported header version 2"},
		{"no version", `{"size":1,` + ok + "}\n", "unsupported header version 0"},
		{"unknown encoding", `{"v":1,"encoding":"zstd","size":1,"wireSize":1,` + ok + "}\n", `unknown encoding "zstd"`},
		{"no size", `{"v":1,` + ok + "}\n", "lacks size"},
		{"negative size", `{"v":1,"size":-1,` + ok + "}\n", "negative"},
		{"gzip without wireSize", `{"v":1,"encoding":"gzip","size":1,` + ok + "}\n", "lacks wireSize"},
		{"identity sizes differ", `{"v":1,"size":1,"wireSize":2,` + ok + "}\n", "differs from size"},
		{"short sha", `{"v":1,"size":1,"sha256":"abcd"}` + "\n", "not 64 hex digits"},
		{"bad name", `{"v":1,"size":1,"name":"../etc/passwd",` + ok + "}\n", "invalid binary name"},
		{"prev name", `{"v":1,"size":1,"name":"hello.prev",` + ok + "}\n", "invalid binary name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readHeader(bufio.NewReader(strings.NewReader(c.in)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
		})
	}
}

func TestReadHeaderLongestAccepted(t *testing.T) {
	base := `{"v":1,"size":0,"sha256":"` + zeroSum + `"}`
	line := base + strings.Repeat(" ", maxHeaderBytes-1-len(base)) + "\n"
	if len(line) != maxHeaderBytes {
		t.Fatalf("test line is %d bytes", len(line))
	}
	if _, err := readHeader(bufio.NewReader(strings.NewReader(line))); err != nil {
		t.Fatalf("a %d-byte header line must be accepted: %v", maxHeaderBytes, err)
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]string{"TERM": "terminated", "sigint": "interrupt", "SIGHUP": "hangup", "9": "killed"} {
		s, err := parseSignal(in)
		if err != nil || s.String() != want {
			t.Errorf("parseSignal(%q) = %v, %v", in, s, err)
		}
	}
	if _, err := parseSignal("BOGUS"); err == nil {
		t.Error("BOGUS accepted")
	}
}

func TestTailKeepsLastBytes(t *testing.T) {
	var tl tail
	tl.Write([]byte(strings.Repeat("a", tailSize-2)))
	tl.Write([]byte("bcde"))
	s := tl.String()
	if len(s) != tailSize || !strings.HasSuffix(s, "bcde") {
		t.Fatalf("tail has %d bytes ending %q", len(s), s[len(s)-6:])
	}
	tl.Write([]byte(strings.Repeat("z", tailSize+10)))
	if s := tl.String(); s != strings.Repeat("z", tailSize) {
		t.Fatal("big write not truncated to the tail")
	}
}
