package main

import (
	"archive/tar"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// kodata: the app reads its ko data through KO_DATA_PATH. At container start the
// agent copies the image's directory into its state directory (writable even on
// a read-only root file system) and points KO_DATA_PATH at <dir>/kodata/current,
// a symlink; `agent kodata` swaps in a new copy from a tar stream and restarts
// the app (or not), without a new binary.

func kodataRoot(dir string) string { return filepath.Join(dir, "kodata") }

// prepareKodata copies the image's KO_DATA_PATH and returns the environment the
// app runs with; on any failure the app reads the image's directory as before.
// When the binary delivered before a container restart resumes, so does the
// ko data synced with it.
func prepareKodata(dir string, env []string, resume bool) []string {
	src := os.Getenv("KO_DATA_PATH")
	if src == "" {
		return env
	}
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		return env
	}
	root := kodataRoot(dir)
	if _, err := os.Stat(filepath.Join(root, "current")); resume && err == nil {
		return withKodataPath(env, filepath.Join(root, "current"))
	}
	os.RemoveAll(root) // the image's copy is the truth again
	if err := copyTree(src, filepath.Join(root, "v0")); err != nil {
		logger.Printf("kodata stays at %s (no copy to sync into: %v)", src, err)
		return env
	}
	if err := os.Symlink("v0", filepath.Join(root, "current")); err != nil {
		logger.Printf("kodata stays at %s: %v", src, err)
		return env
	}
	return withKodataPath(env, filepath.Join(root, "current"))
}

func withKodataPath(env []string, path string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, "KO_DATA_PATH=") {
			out = append(out, kv)
		}
	}
	return append(out, "KO_DATA_PATH="+path)
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			return os.MkdirAll(target, 0o755)
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		default:
			return copyFile(path, target, info.Mode().Perm())
		}
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func cmdKodata(args []string, stdin io.Reader, stdout io.Writer) int {
	t0 := time.Now()
	fset := flag.NewFlagSet("kodata", flag.ContinueOnError)
	fset.SetOutput(io.Discard)
	dir := fset.String("dir", defaultDir(), "state directory of the running supervisor")
	timeout := fset.Duration("timeout", 30*time.Second, "limit for the whole sync")
	restart := fset.Bool("restart", true, "restart the app once the new data is in place")
	waitTCP := fset.String("wait-tcp", "", "HOST:PORT that must accept a connection after the restart")
	settle := fset.Duration("settle", 200*time.Millisecond, "a restarted app exiting within this time counts as a failed start")
	err := fset.Parse(args)
	var abs string
	if err == nil {
		abs, err = filepath.Abs(*dir)
	}
	if err != nil {
		writeJSONLine(stdout, installResult{Error: "kodata: " + err.Error()}.wire())
		return 2
	}
	res := syncKodata(abs, stdin, *restart, *waitTCP, *settle, t0.Add(*timeout))
	res.TotalMillis = time.Since(t0).Milliseconds()
	writeJSONLine(stdout, res.wire())
	if !res.OK {
		return 1
	}
	return 0
}

func syncKodata(dir string, stdin io.Reader, restart bool, waitTCP string, settle time.Duration, deadline time.Time) installResult {
	root := kodataRoot(dir)
	current := filepath.Join(root, "current")
	if _, err := os.Lstat(current); err != nil {
		return installResult{Error: "no kodata copy to sync into: the image sets no KO_DATA_PATH directory, or the agent could not copy it at start (see its log)"}
	}
	unlock, err := lockDir(dir, deadline)
	if err != nil {
		return installResult{Error: err.Error()}
	}
	defer unlock()
	tmp := filepath.Join(root, fmt.Sprintf(".v-%d.tmp", os.Getpid()))
	os.RemoveAll(tmp)
	n, err := extractTar(stdin, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return installResult{Error: "kodata stream: " + err.Error() + "; the app keeps its data"}
	}
	name := fmt.Sprintf("v%d", time.Now().UnixNano())
	if err := os.Rename(tmp, filepath.Join(root, name)); err != nil {
		os.RemoveAll(tmp)
		return installResult{Error: err.Error()}
	}
	previous, _ := os.Readlink(current)
	link := filepath.Join(root, fmt.Sprintf(".current-%d", os.Getpid()))
	os.Remove(link)
	if err := os.Symlink(name, link); err != nil {
		return installResult{Error: err.Error()}
	}
	// rename(2) over the old link: a reader sees the old tree or the new one, never neither
	if err := os.Rename(link, current); err != nil {
		os.Remove(link)
		return installResult{Error: err.Error()}
	}
	// Older copies go; the one just replaced stays for a reader still inside it.
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			if e.Name() != name && e.Name() != previous && e.Name() != "current" && !strings.HasPrefix(e.Name(), ".") {
				os.RemoveAll(filepath.Join(root, e.Name()))
			}
		}
	}
	res := installResult{OK: true, Bytes: n}
	if !restart {
		return res
	}
	grace := 10 * time.Second
	rr, err := socketClient{dir}.restart(request{SettleMillis: settle.Milliseconds(), WaitTCP: waitTCP,
		TimeoutMillis: max(time.Until(deadline).Milliseconds(), 1)}, deadline.Add(grace))
	switch {
	case err != nil:
		return installResult{Error: "new kodata in place but the restart failed: " + err.Error()}
	case !rr.OK && (rr.Exited || rr.StartFailed):
		return installResult{Error: rr.Error, ExitCode: rr.ExitCode, Output: rr.Output, PID: rr.PID}
	}
	res.PID = rr.PID
	res.RestartMillis = rr.ReadyMillis
	return res
}

// extractTar writes regular files, directories and symlinks under dst; any other
// entry, or a name leaving dst, refuses the whole stream.
func extractTar(r io.Reader, dst string) (int64, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	tr := tar.NewReader(r)
	var n int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return n, fmt.Errorf("entry %q leaves the kodata directory", h.Name)
		}
		target := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return n, err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return n, err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fs.FileMode(h.Mode).Perm()|0o200)
			if err != nil {
				return n, err
			}
			w, err := io.Copy(f, tr)
			n += w
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return n, err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return n, err
			}
			if err := os.Symlink(h.Linkname, target); err != nil {
				return n, err
			}
		default:
			return n, fmt.Errorf("entry %q: type %q is not a file, directory or symlink", h.Name, h.Typeflag)
		}
	}
}
