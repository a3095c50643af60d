package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Build compiles ./functions/<name> of the module at root for the host, for
// each name, into outDir/<name>/bootstrap, with one `go build` (which
// compiles the packages in parallel and shares their dependencies). It
// returns the executables by name. The build output (compiler errors) is in
// the error.
func Build(ctx context.Context, root, outDir string, names ...string) (map[string]string, error) {
	return build(ctx, root, outDir, nil, names)
}

// build is Build with extra go build flags.
func build(ctx context.Context, root, outDir string, flags, names []string) (map[string]string, error) {
	if len(names) == 0 {
		return map[string]string{}, nil
	}
	// A staging directory of its own: builds into the same outDir may run
	// at once (BuildCached from parallel test lanes).
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(outDir, ".staging-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)

	// With -o <dir>/, go build writes each main package to <dir>/<last
	// element of its import path>, i.e. <dir>/<name>.
	args := append(append([]string{"build"}, flags...), "-o", staging+string(filepath.Separator))
	for _, n := range names {
		if strings.ContainsAny(n, `/\`) || n == "" || n == "." || n == ".." {
			return nil, fmt.Errorf("devstack: bad function name %q", n)
		}
		args = append(args, "./functions/"+n)
	}
	cmd := exec.CommandContext(ctx, goTool(), args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("devstack: go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}

	exes := make(map[string]string, len(names))
	for _, n := range names {
		dir := filepath.Join(outDir, n)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		exe := filepath.Join(dir, "bootstrap"+exeSuffix())
		// Rename over the old binary: running instances keep their inode.
		if err := os.Rename(filepath.Join(staging, n+exeSuffix()), exe); err != nil {
			return nil, fmt.Errorf("devstack: install %s: %w", n, err)
		}
		exes[n] = exe
	}
	return exes, nil
}

// FunctionNames lists the directories under root/functions that hold a Go
// main package (a main.go).
func FunctionNames(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "functions", e.Name(), "main.go")); err == nil {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// goTool is the go command on PATH. `go test` and `go run` put their own
// toolchain's bin directory first on PATH, so tests build with the same Go.
func goTool() string { return "go" }

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}
