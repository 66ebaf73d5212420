package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

const maxHeaderBytes = 4096

// header is the first line of an install's stdin; exactly WireSize payload
// bytes follow it.
type header struct {
	V        int    `json:"v"`
	Name     string `json:"name,omitempty"`
	Encoding string `json:"encoding"`
	Size     *int64 `json:"size"`
	WireSize *int64 `json:"wireSize"`
	SHA256   string `json:"sha256"`
	// Base is the sha256 of the binary a delta applies to.
	Base string `json:"base,omitempty"`
	// Session and Generation order the installs of one client session: an
	// install older than the one the agent runs is refused as stale, whatever
	// order they arrive in. Generation 0 (an older client) is never refused.
	Session    string `json:"session,omitempty"`
	Generation int64  `json:"generation,omitempty"`
}

// readHeader reads one '\n'-terminated JSON line of at most maxHeaderBytes
// (newline included) and nothing beyond it, so the payload starts right after.
func readHeader(br *bufio.Reader) (*header, error) {
	line := make([]byte, 0, 256)
	for {
		c, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if len(line) == 0 {
					return nil, errors.New("empty input: expected a JSON header line on stdin")
				}
				return nil, fmt.Errorf("truncated header: stdin ended after %d bytes without a newline", len(line))
			}
			return nil, fmt.Errorf("read header: %w", err)
		}
		if c == '\n' {
			break
		}
		line = append(line, c)
		if len(line) >= maxHeaderBytes {
			return nil, fmt.Errorf("header too long: no newline within the first %d bytes", maxHeaderBytes)
		}
	}
	return parseHeader(line)
}

func parseHeader(line []byte) (*header, error) {
	var h header
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("invalid header JSON: %v", err)
	}
	if h.V != 1 {
		return nil, fmt.Errorf("unsupported header version %d: this agent speaks v1", h.V)
	}
	switch h.Encoding {
	case "":
		h.Encoding = "identity"
	case "identity", "gzip":
	case "delta":
		h.Base = strings.ToLower(h.Base)
		if b, err := hex.DecodeString(h.Base); err != nil || len(b) != 32 {
			return nil, fmt.Errorf("delta encoding needs base, the sha256 of the binary it applies to, as 64 hex digits, not %q", h.Base)
		}
	default:
		return nil, fmt.Errorf("unknown encoding %q: supported are identity, gzip and delta", h.Encoding)
	}
	if h.Size == nil {
		return nil, errors.New("header lacks size (the decoded byte count)")
	}
	if *h.Size < 0 {
		return nil, fmt.Errorf("header size %d is negative", *h.Size)
	}
	if h.WireSize == nil {
		if h.Encoding != "identity" {
			return nil, errors.New("header lacks wireSize (the byte count that follows on stdin)")
		}
		h.WireSize = h.Size
	}
	if *h.WireSize < 0 {
		return nil, fmt.Errorf("header wireSize %d is negative", *h.WireSize)
	}
	if h.Encoding == "identity" && *h.WireSize != *h.Size {
		return nil, fmt.Errorf("identity encoding but wireSize %d differs from size %d", *h.WireSize, *h.Size)
	}
	h.SHA256 = strings.ToLower(h.SHA256)
	if b, err := hex.DecodeString(h.SHA256); err != nil || len(b) != 32 {
		return nil, fmt.Errorf("header sha256 %q is not 64 hex digits", h.SHA256)
	}
	if h.Name != "" {
		if err := validName(h.Name); err != nil {
			return nil, err
		}
	}
	if h.Generation < 0 {
		return nil, fmt.Errorf("header generation %d is negative", h.Generation)
	}
	if len(h.Session) > 64 || strings.ContainsAny(h.Session, " \t\n\x00/") {
		return nil, fmt.Errorf("header session %q: want a token of at most 64 characters", h.Session)
	}
	return &h, nil
}

// validName keeps the name a plain file in the app directory, and apart from
// the agent's own temp (".*") and rollback (".prev") files.
func validName(name string) error {
	if name == "." || name == ".." || strings.ContainsAny(name, "/\x00") ||
		strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".prev") || len(name) > 200 {
		return fmt.Errorf("invalid binary name %q: want a plain file name", name)
	}
	return nil
}
