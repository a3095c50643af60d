package devstack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// echoBin is the test Lambda (testdata/echo), built once per test binary.
var echoBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "devstack-echo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	echoBin = filepath.Join(dir, "echo", "bootstrap")
	cmd := exec.Command("go", "build", "-o", echoBin, "./testdata/echo")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the echo Lambda: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}
