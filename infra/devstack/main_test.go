package devstack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/require"
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

// awsConfig loads the SDK configuration, failing t unless the services have
// a local endpoint. (Package stacktest has the same for other packages; it
// imports this one, so this package's own tests cannot use it.)
func awsConfig(t *testing.T, services ...string) aws.Config {
	t.Helper()
	require.NoError(t, CheckEndpoints(services...))
	cfg, err := config.LoadDefaultConfig(context.Background())
	require.NoError(t, err)
	return cfg
}
