package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// cachedBuildFlags are the release build's link flags (the Makefile's):
// no symbol table or DWARF, which a panic's trace does not need, and
// linking takes about a third less.
var cachedBuildFlags = []string{"-ldflags=-s -w"}

// BuildCached is Build, with the release link flags, into a directory named
// by the source: a hash of every non-test .go file, go.mod and go.sum under
// root, the flags, GOFLAGS, the target and the Go version. A function already built there (by this process, a test lane
// running beside it, or an earlier run on the same source) is not built
// again. Tests deploy the same functions many times on an unchanged tree,
// and linking all of them costs about a minute of CPU each time. Old
// directories are pruned (pruneBuildCache).
func BuildCached(ctx context.Context, root string, names ...string) (map[string]string, error) {
	key, err := sourceKey(root)
	if err != nil {
		return nil, err
	}
	base := filepath.Join(root, ".local", "buildcache")
	dir := filepath.Join(base, key)
	pruneBuildCache(base, key, time.Now())
	exes := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		exe := filepath.Join(dir, n, "bootstrap"+exeSuffix())
		if _, err := os.Stat(exe); err == nil {
			exes[n] = exe
			continue
		}
		missing = append(missing, n)
	}
	if len(missing) == 0 {
		return exes, nil
	}
	built, err := build(ctx, root, dir, cachedBuildFlags, missing)
	if err != nil {
		return nil, err
	}
	for n, exe := range built {
		exes[n] = exe
	}
	return exes, nil
}

// sourceKey hashes what a function binary is built from.
func sourceKey(root string) (string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "go.mod" || name == "go.sum" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	io.WriteString(h, runtime.Version()+"\x00"+runtime.GOOS+"/"+runtime.GOARCH+"\x00"+os.Getenv("GOFLAGS")+"\x00"+strings.Join(cachedBuildFlags, " ")+"\x00")
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		io.WriteString(h, rel+"\x00")
		fh, err := os.Open(f)
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return "", err
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Bounds of the build cache: each directory holds up to 81 binaries (about
// 1.5 GB, more with -race), and every edit makes a new one; a day of edits
// once filled 42 GB.
const (
	keepOtherBuilds = 3                // the most recently used other builds kept
	inUseWindow     = 10 * time.Minute // a build used this recently is never removed
)

// pruneBuildCache marks the build keep as used now (its directory's
// modification time) and removes the directories of other sources but the
// keepOtherBuilds used last and any used within inUseWindow: a checkout
// sharing .local (a git worktree) or a test run beside this one may still be
// starting functions from them.
func pruneBuildCache(base, keep string, now time.Time) {
	_ = os.Chtimes(filepath.Join(base, keep), now, now) // absent before its first build
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	type build struct {
		name string
		used time.Time
	}
	var others []build
	for _, e := range entries {
		if e.Name() == keep || !e.IsDir() {
			continue
		}
		if info, err := e.Info(); err == nil {
			others = append(others, build{e.Name(), info.ModTime()})
		}
	}
	sort.Slice(others, func(i, j int) bool { return others[i].used.After(others[j].used) })
	for i, b := range others {
		if i < keepOtherBuilds || now.Sub(b.used) < inUseWindow {
			continue
		}
		_ = os.RemoveAll(filepath.Join(base, b.name))
	}
}

// holdBuilds marks the build directories of exes (built by BuildCached) as
// used now and again every quarter of inUseWindow until release is called,
// so that pruning never removes the binaries of a deployment still running
// (a `local serve` of an hour starts instances from them all along).
func holdBuilds(exes map[string]string) (release func()) {
	dirs := map[string]bool{}
	for _, exe := range exes {
		dirs[filepath.Dir(filepath.Dir(exe))] = true
	}
	mark := func() {
		now := time.Now()
		for d := range dirs {
			_ = os.Chtimes(d, now, now)
		}
	}
	mark()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(inUseWindow / 4)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				mark()
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
