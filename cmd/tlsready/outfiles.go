package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The operator's files are never overwritten or truncated without --force: every file a
// command writes (results, merged results, reports, discover's targets list) is refused when it
// exists, or when it is one of the command's inputs (the same file by path, symbolic or hard
// link), before anything connects. With --force an existing file is replaced only once its
// replacement is complete (written beside it, then renamed over it), so a run that dies early
// leaves the old file as it was. A scan replaces its --out only when it ends without an error:
// a scan stopped by Ctrl-C, a full disk or the lockout guard leaves the old file and its new
// results beside it, to be resumed.

// registerForce adds --force to fs.
func registerForce(fs *flag.FlagSet, force *bool) {
	fs.BoolVar(force, "force", false, "replace output files that exist (--out, --html) instead of refusing; the old file is replaced only once the new one is complete")
}

// namedPath is a file a command reads, named by its flag for messages.
type namedPath struct{ flag, path string }

// checkOutput refuses an output path (given with flag) that is one of the inputs, or that
// exists while force is false; hint says how else to go on (e.g. "--resume FILE to continue
// it"), in addition to --force.
func checkOutput(flag, path string, force bool, inputs []namedPath, hint string) error {
	if path == "" {
		return nil
	}
	for _, in := range inputs {
		if in.path != "" && sameFile(path, in.path) {
			return usagef("%s %s is also an input (%s %s): write to another file (it would destroy what it reads)", flag, path, in.flag, in.path)
		}
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, lerr := os.Lstat(path); lerr == nil {
			return usagef("%s %s is a symbolic link to a file that does not exist: give another name", flag, path)
		}
		return nil
	case err != nil:
		return usagef("%s %s: %v", flag, path, err)
	case fi.IsDir():
		return usagef("%s %s is a folder: give a file name", flag, path)
	case force || isSpecial(fi):
		return nil
	}
	if hint != "" {
		hint += ", "
	}
	return usagef("%s %s exists: %sadd --force to replace it, or give another name", flag, path, hint)
}

// checkOutputs is checkOutput for several outputs, which must also differ from each other.
func checkOutputs(force bool, inputs []namedPath, hint string, outputs ...namedPath) error {
	for i, o := range outputs {
		if o.path == "" {
			continue
		}
		for _, p := range outputs[:i] {
			if p.path != "" && filepath.Clean(p.path) == filepath.Clean(o.path) {
				return usagef("%s and %s name the same file %s", p.flag, o.flag, o.path)
			}
		}
		h := ""
		if i == 0 {
			h = hint
		}
		if err := checkOutput(o.flag, o.path, force, inputs, h); err != nil {
			return err
		}
	}
	return nil
}

// createNew creates path for writing with fileMode; it fails when path exists (a file made
// since the checks, by another run).
func createNew(e env, path string) (*os.File, error) {
	mode, err := fileMode(e)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return nil, err
	}
	// The umask may have narrowed it; never widened.
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm() != mode {
		if err := f.Chmod(mode); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}

// createTempBeside creates a new file in path's folder, named after it (NAME.new-*.EXT), to be
// renamed over path once complete.
func createTempBeside(e env, path string) (*os.File, error) {
	mode, err := fileMode(e)
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// week1.jsonl -> week1.new-123456.jsonl: the same kind of file, opened by the same program.
	ext := filepath.Ext(base)
	f, err := os.CreateTemp(dir, strings.TrimSuffix(base, ext)+".new-*"+ext)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	return f, nil
}

// createDefaultNew creates the first of name, name-2, name-3, ... (before the extension) that
// does not exist: a default file name never replaces a file.
func createDefaultNew(e env, name string) (*os.File, string, error) {
	ext := filepath.Ext(name)
	if strings.HasSuffix(name, ".journal.jsonl") {
		ext = ".journal.jsonl"
	}
	stem := strings.TrimSuffix(name, ext)
	for n := 1; n <= 1000; n++ {
		p := name
		if n > 1 {
			p = stem + "-" + strconv.Itoa(n) + ext
		}
		f, err := createNew(e, p)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, p, err
	}
	return nil, "", fmt.Errorf("%s: 1000 files of that name exist already: give --out", name)
}

// writeFileAtomic writes a file (named by flag in errors) through write, replacing path only
// once it is complete. The file is created with fileMode (0600 unless TLSREADY_FILE_MODE). An
// existing path is refused unless force (checkOutput has said so before any work; this catches
// a file made since).
func writeFileAtomic(e env, flag, path string, force bool, write func(io.Writer) error) error {
	if fi, err := os.Stat(path); err == nil && isSpecial(fi) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("%s %s: %w", flag, path, err)
		}
		return f.Close()
	} else if err == nil && !force {
		return usagef("%s %s exists: add --force to replace it, or give another name", flag, path)
	}
	f, err := createTempBeside(e, path)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	tmp := f.Name()
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return nil
}

// sameFile says whether two paths name the same existing file (after symbolic links; hard links
// too: os.SameFile compares device and inode, or the file index on Windows).
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// fileExists says whether path names something (a file, a folder, a link).
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// isSpecial says whether fi is a device or a named pipe (/dev/stdout, /dev/full, a FIFO): such
// an output is written to, never replaced, and writing to it destroys no file.
func isSpecial(fi os.FileInfo) bool {
	return fi.Mode()&(os.ModeDevice|os.ModeCharDevice|os.ModeNamedPipe) != 0
}

// openSpecial opens path for writing when it is a device or a named pipe; ok is false otherwise.
func openSpecial(path string) (f *os.File, ok bool, err error) {
	fi, err := os.Stat(path)
	if err != nil || !isSpecial(fi) {
		return nil, false, nil
	}
	f, err = os.OpenFile(path, os.O_WRONLY, 0)
	return f, true, err
}
