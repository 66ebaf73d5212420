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
// writes it exactly like an identity or gzip payload.
type deltaReader struct {
	ops       *bufio.Reader
	base      io.ReaderAt
	baseSize  int64
	op        byte
	offset    int64
	remaining int64
}

func newDeltaReader(ops io.Reader, base io.ReaderAt, baseSize int64) *deltaReader {
	return &deltaReader{ops: bufio.NewReaderSize(ops, 64<<10), base: base, baseSize: baseSize}
}

func (d *deltaReader) Read(p []byte) (int, error) {
	for d.remaining == 0 {
		op, err := d.ops.ReadByte()
		if err != nil {
			return 0, err // io.EOF between operations is the end of the binary
		}
		switch op {
		case deltaCopy:
			offset, err := binary.ReadUvarint(d.ops)
			if err != nil {
				return 0, truncatedOp(err)
			}
			length, err := binary.ReadUvarint(d.ops)
			if err != nil {
				return 0, truncatedOp(err)
			}
			if offset > uint64(d.baseSize) || length > uint64(d.baseSize)-offset {
				return 0, fmt.Errorf("delta copies %d bytes at %d, past the %d bytes of the running binary", length, offset, d.baseSize)
			}
			d.op, d.offset, d.remaining = op, int64(offset), int64(length)
		case deltaInsert:
			length, err := binary.ReadUvarint(d.ops)
			if err != nil {
				return 0, truncatedOp(err)
			}
			if length > 1<<40 {
				return 0, fmt.Errorf("delta inserts %d bytes", length)
			}
			d.op, d.remaining = op, int64(length)
		default:
			return 0, fmt.Errorf("unknown delta operation 0x%02x", op)
		}
	}
	want := min(int64(len(p)), d.remaining)
	var n int
	var err error
	if d.op == deltaCopy {
		n, err = d.base.ReadAt(p[:want], d.offset)
		d.offset += int64(n)
		if err != nil && int64(n) < want {
			return n, fmt.Errorf("read running binary at %d: %v", d.offset, err)
		}
		err = nil
	} else {
		n, err = io.ReadFull(d.ops, p[:want])
		if err != nil {
			err = truncatedOp(err)
		}
	}
	d.remaining -= int64(n)
	return n, err
}

func truncatedOp(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// openBase opens the binary the supervisor runs, for a delta to copy from,
// when it is the one the delta was computed against; otherwise it returns no
// file and the running binary's sha256. A binary replaced between the hash and
// the open still cannot slip through: the rebuilt stream's sha256 is checked.
func openBase(path, wantSHA256 string) (f *os.File, size int64, current string, err error) {
	current, err = knownHash(path)
	if err != nil {
		return nil, 0, "", fmt.Errorf("hash running binary %s: %v", path, err)
	}
	if current != wantSHA256 {
		return nil, 0, current, nil
	}
	f, err = os.Open(path)
	if err != nil {
		return nil, 0, "", fmt.Errorf("open running binary %s: %v", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, "", fmt.Errorf("stat running binary %s: %v", path, err)
	}
	return f, fi.Size(), current, nil
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
