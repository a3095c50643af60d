package devstack

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A function is linked once per source tree: a second deploy on the same
// tree reuses the binary, and any change to the source builds a new one.
func TestBuildCachedLinksOncePerSourceAndAgainAfterAChange(t *testing.T) {
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	write("go.mod", "module example.com/hello\n\ngo 1.22\n")
	write("functions/hello/main.go", "package main\n\nfunc main() { println(\"hello\") }\n")
	ctx := context.Background()

	first, err := BuildCached(ctx, root, "hello")
	require.NoError(t, err)
	info1, err := os.Stat(first["hello"])
	require.NoError(t, err)

	again, err := BuildCached(ctx, root, "hello")
	require.NoError(t, err)
	assert.Equal(t, first["hello"], again["hello"], "the same tree: the same binary")
	info2, err := os.Stat(again["hello"])
	require.NoError(t, err)
	assert.Equal(t, info1.ModTime(), info2.ModTime(), "not linked again")

	write("functions/hello/main.go", "package main\n\nfunc main() { println(\"changed\") }\n")
	changed, err := BuildCached(ctx, root, "hello")
	require.NoError(t, err)
	assert.NotEqual(t, first["hello"], changed["hello"], "a changed source is built anew")
	_, err = os.Stat(changed["hello"])
	assert.NoError(t, err)

	write("functions/hello/main_test.go", "package main\n")
	withTest, err := BuildCached(ctx, root, "hello")
	require.NoError(t, err)
	assert.Equal(t, changed["hello"], withTest["hello"], "test files do not go into a binary")
}
