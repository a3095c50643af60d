package client_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// client.gen.go is what oapi-codegen (the go.mod tool) makes of openapi.yaml
// today: generating it again into a temporary directory gives the same
// bytes. It needs no network once the module cache has the tool
// (go.mod pins it).
func TestTheGeneratedClientIsInStepWithOpenAPI(t *testing.T) {
	cfgBytes, err := os.ReadFile("oapi-codegen.yaml")
	require.NoError(t, err)
	var cfg map[string]any
	require.NoError(t, yaml.Unmarshal(cfgBytes, &cfg))
	out := filepath.Join(t.TempDir(), "client.gen.go")
	cfg["output"] = out
	tmp, err := yaml.Marshal(cfg)
	require.NoError(t, err)
	cfgPath := filepath.Join(t.TempDir(), "oapi-codegen.yaml")
	require.NoError(t, os.WriteFile(cfgPath, tmp, 0o600))

	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", cfgPath, filepath.Join("..", "..", "openapi.yaml"))
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	want, err := os.ReadFile(out)
	require.NoError(t, err)
	got, err := os.ReadFile("client.gen.go")
	require.NoError(t, err)
	require.True(t, bytes.Equal(want, got),
		"shared/client/client.gen.go is not what openapi.yaml generates: run `go generate ./shared/client/`")
}
