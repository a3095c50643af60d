package permission

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The decision is pure, so it must build without the AWS SDK: its entities
// come from package model, never from the store.
func TestPermissionImportsNoAWSPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command runs go list")
	gomod, err := exec.Command(goBin, "env", "GOMOD").Output()
	require.NoError(t, err)
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	require.FileExists(t, filepath.Join(root, "go.mod"), "go env GOMOD names the module root")

	const pkg = "github.com/circles-im/circles/shared/permission"
	cmd := exec.Command(goBin, "list", "-deps", pkg)
	cmd.Dir = root
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, ee.Stderr)
	}
	require.NoError(t, err)

	deps := strings.Fields(string(out))
	require.Contains(t, deps, pkg, "go list listed the package itself")
	require.Contains(t, deps, "github.com/circles-im/circles/shared/model")
	aws := slices.DeleteFunc(slices.Clone(deps), func(p string) bool { return !strings.HasPrefix(p, "github.com/aws/") })
	require.Empty(t, aws, "shared/permission must not depend on any AWS package")
}
