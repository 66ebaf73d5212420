package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Delta operations, as the agent README documents them.
const (
	deltaCopy   = 0x01
	deltaInsert = 0x02
)

// deltaReader rebuilds a binary from delta operations and the binary it was
// computed against, as a plain stream, so the receive path hashes, counts and
// writes it exactly like an identity or gzip payload. A one-line edit of a Go
// program makes tens of thousands of short copies: each Read fills its buffer
// across as many operations as fit, copying from the base in memory, so the
// caller hashes and writes in large pieces (one read and one write system
// call per copy took 35-95 ms for the hello example's 5.8 MB).
type deltaReader struct {
	ops       *bufio.Reader
	base      []byte
	op        byte
	offset    int64
	remaining int64
}

func newDeltaReader(ops io.Reader, base []byte) *deltaReader {
	return &deltaReader{ops: bufio.NewReaderSize(ops, 64<<10), base: base}
}

func (d *deltaReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.remaining == 0 {
			if err := d.next(); err != nil {
				if n > 0 && err == io.EOF {
					return n, nil // the end comes with the next call
				}
				return n, err
			}
			continue
		}
		want := min(int64(len(p)-n), d.remaining)
		if d.op == deltaCopy {
			copy(p[n:], d.base[d.offset:d.offset+want])
			d.offset += want
			d.remaining -= want
			n += int(want)
			continue
		}
		m, err := io.ReadFull(d.ops, p[n:n+int(want)])
		d.remaining -= int64(m)
		n += m
		if err != nil {
			return n, truncatedOp(err)
		}
	}
	return n, nil
}

// next reads the next operation; io.EOF between operations is the end of the
// binary.
func (d *deltaReader) next() error {
	op, err := d.ops.ReadByte()
	if err != nil {
		return err
	}
	switch op {
	case deltaCopy:
		offset, err := binary.ReadUvarint(d.ops)
		if err != nil {
			return truncatedOp(err)
		}
		length, err := binary.ReadUvarint(d.ops)
		if err != nil {
			return truncatedOp(err)
		}
		size := uint64(len(d.base))
		if offset > size || length > size-offset {
			return fmt.Errorf("delta copies %d bytes at %d, past the %d bytes of the running binary", length, offset, size)
		}
		d.op, d.offset, d.remaining = op, int64(offset), int64(length)
	case deltaInsert:
		length, err := binary.ReadUvarint(d.ops)
		if err != nil {
			return truncatedOp(err)
		}
		if length > 1<<40 {
			return fmt.Errorf("delta inserts %d bytes", length)
		}
		d.op, d.remaining = op, int64(length)
	default:
		return fmt.Errorf("unknown delta operation 0x%02x", op)
	}
	return nil
}

func truncatedOp(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// openBase maps the binary the supervisor runs into memory, for a delta to
// copy from, when it is the one the delta was computed against; otherwise it
// returns no bytes and the running binary's sha256. release unmaps it. A
// binary replaced between the hash and the open still cannot slip through:
// the rebuilt stream's sha256 is checked.
func openBase(path, wantSHA256 string) (base []byte, release func(), current string, err error) {
	current, err = knownHash(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("hash running binary %s: %v", path, err)
	}
	if current != wantSHA256 {
		return nil, nil, current, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("open running binary %s: %v", path, err)
	}
	defer f.Close() // a mapping outlives the descriptor it was made from
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, "", fmt.Errorf("stat running binary %s: %v", path, err)
	}
	base, release, err = mapFile(f, fi.Size())
	if err != nil {
		return nil, nil, "", fmt.Errorf("map running binary %s: %v", path, err)
	}
	return base, release, current, nil
}

// knownHash is hashFile with the answer kept beside the file: an install
// records the sha256 it verified (rememberHash), so a delta against the
// binary it installed does not read the whole binary again. The record names
// the file's inode, size and modification time; any other file at the path
// (a rollback, a copy by hand) is hashed.
func knownHash(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if b, err := os.ReadFile(path + ".sha256"); err == nil {
		var ino, size, mtime int64
		var sum string
		if n, _ := fmt.Sscanf(string(b), "%d %d %d %64s", &ino, &size, &mtime, &sum); n == 4 &&
			ino == inode(fi) && size == fi.Size() && mtime == fi.ModTime().UnixNano() {
			return sum, nil
		}
	}
	return hashFile(path)
}

// rememberHash records the sha256 of the file now at path for knownHash.
func rememberHash(path, sum string) {
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	tmp := fmt.Sprintf("%s.sha256.tmp-%d", path, os.Getpid())
	record := fmt.Sprintf("%d %d %d %s\n", inode(fi), fi.Size(), fi.ModTime().UnixNano(), sum)
	if os.WriteFile(tmp, []byte(record), 0o644) != nil || os.Rename(tmp, path+".sha256") != nil {
		os.Remove(tmp)
	}
}

func inode(fi os.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Ino)
	}
	return -1
}
