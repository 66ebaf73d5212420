package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ops builds a delta operation stream the way the Java encoder writes it.
type ops []byte

func (o ops) copy(offset, length uint64) ops {
	o = append(o, deltaCopy)
	o = binary.AppendUvarint(o, offset)
	return binary.AppendUvarint(o, length)
}

func (o ops) insert(b []byte) ops {
	o = append(o, deltaInsert)
	o = binary.AppendUvarint(o, uint64(len(b)))
	return append(o, b...)
}

func applyDelta(base []byte, o ops) ([]byte, error) {
	return io.ReadAll(newDeltaReader(bytes.NewReader(o), base))
}

func TestDeltaCopiesAndInsertsUpToBothEdgesOfTheBase(t *testing.T) {
	base := []byte("0123456789abcdef")
	got, err := applyDelta(base, ops{}.copy(0, 4).insert([]byte("XY")).copy(10, 6).insert([]byte("!")))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "0123XYabcdef!" {
		t.Fatalf("got %q", got)
	}
	got, err = applyDelta(base, ops{}.insert([]byte("only new")))
	if err != nil || string(got) != "only new" {
		t.Fatalf("insert only: %q %v", got, err)
	}
	got, err = applyDelta(base, ops{})
	if err != nil || len(got) != 0 {
		t.Fatalf("empty delta: %q %v", got, err)
	}
}

func TestDeltaReadFillsItsBufferAcrossOperations(t *testing.T) {
	base := []byte("0123456789")
	var o ops
	for i := 0; i < 1000; i++ {
		o = o.copy(uint64(i%10), 1).insert([]byte("-"))
	}
	r := newDeltaReader(bytes.NewReader(o), base)
	buf := make([]byte, 1500)
	n, err := r.Read(buf)
	if err != nil || n != len(buf) {
		t.Fatalf("one Read over 2000 one-byte operations returned %d bytes, %v; want a full buffer of %d", n, err, len(buf))
	}
	if got := string(buf[:6]); got != "0-1-2-" {
		t.Fatalf("got %q", got)
	}
	rest, err := io.ReadAll(r)
	if err != nil || len(rest) != 500 {
		t.Fatalf("the rest: %d bytes, %v; want 500", len(rest), err)
	}
}

func TestDeltaRefusesMalformedOperations(t *testing.T) {
	base := []byte("0123456789")
	for name, tc := range map[string]struct {
		o    ops
		want string
	}{
		"copy past the end": {ops{}.copy(8, 3), "past the 10 bytes"},
		"offset past end":   {ops{}.copy(11, 0), "past the 10 bytes"},
		"unknown operation": {ops{0x07}, "unknown delta operation 0x07"},
		"truncated insert":  {ops{}.insert([]byte("abcdef"))[:5], io.ErrUnexpectedEOF.Error()},
		"truncated varint":  {ops{deltaCopy, 0x80}, io.ErrUnexpectedEOF.Error()},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := applyDelta(base, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func deltaStream(base, bin []byte, o ops) []byte {
	z := gz(o)
	return stream(map[string]any{"v": 1, "name": "hello", "encoding": "delta", "base": hexSum(base),
		"size": len(bin), "wireSize": len(z), "sha256": hexSum(bin)}, z)
}

func TestInstallDeltaRebuildsTheBinaryFromTheRunningOne(t *testing.T) {
	fx := newInstallFixture(t)
	// fx.old is "#!old binary\n": keep "#!", insert, keep " binary\n".
	bin := []byte("#!new, shifted binary\n")
	o := ops{}.copy(0, 2).insert([]byte("new, shifted")).copy(5, 8)
	res := fx.install(deltaStream(fx.old, bin, o))
	if !res.OK {
		t.Fatalf("install failed: %s", res.Error)
	}
	fx.assertInstalled(t, res, bin, int64(len(gz(o))))
}

func TestInstallDeltaAgainstAnotherBinaryAsksForTheWholeOne(t *testing.T) {
	fx := newInstallFixture(t)
	other := []byte("#!some other binary\n")
	in := deltaStream(other, []byte("#!x"), ops{}.copy(0, 2).insert([]byte("x")))
	res := fx.install(append(in, identityStream(randomBinary(100))...))
	fx.assertUntouched(t, res, "send the whole binary")
	if res.Code != "base-mismatch" || res.CurrentSHA256 != hexSum(fx.old) {
		t.Fatalf("result %+v, want code base-mismatch and the running binary's sha256", res)
	}
	if res.Bytes != int64(len(in)-bytes.IndexByte(in, '\n')-1) {
		t.Fatalf("read %d payload bytes, want exactly the delta's", res.Bytes)
	}
}

func TestInstallCorruptDeltaKeepsTheOldBinary(t *testing.T) {
	fx := newInstallFixture(t)
	bin := []byte("#!old")
	res := fx.install(deltaStream(fx.old, bin, ops{}.copy(0, 200)))
	fx.assertUntouched(t, res, "past the")
	res = fx.install(deltaStream(fx.old, bin, ops{}.copy(0, 4)))
	fx.assertUntouched(t, res, "size mismatch")
}

func TestHeaderDeltaNeedsBase(t *testing.T) {
	_, err := parseHeader([]byte(`{"v":1,"encoding":"delta","size":1,"wireSize":1,"sha256":"` + strings.Repeat("a", 64) + `"}`))
	if err == nil || !strings.Contains(err.Error(), "needs base") {
		t.Fatalf("error %v", err)
	}
	if !errors.Is(truncatedOp(io.EOF), io.ErrUnexpectedEOF) {
		t.Fatal("EOF inside an operation is truncation")
	}
}

func TestKnownHashTrustsTheRecordOnlyForTheSameFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app")
	if err := os.WriteFile(path, []byte("first"), 0o755); err != nil {
		t.Fatal(err)
	}
	real := hexSum([]byte("first"))
	rememberHash(path, real)
	if got, _ := knownHash(path); got != real {
		t.Fatalf("knownHash = %s, want the recorded %s", got, real)
	}
	// a record that lies about the same file is believed: proof it is read, not recomputed
	rememberHash(path, strings.Repeat("b", 64))
	if got, _ := knownHash(path); got != strings.Repeat("b", 64) {
		t.Fatalf("knownHash = %s, want the record", got)
	}
	// another file renamed over the path (an install, a rollback) is hashed
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("second"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if got, _ := knownHash(path); got != hexSum([]byte("second")) {
		t.Fatalf("knownHash = %s, want the new file's sha256", got)
	}
}
