package devstack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// The cache keeps the build in use, the three other builds used last and any
// used in the last ten minutes, and removes the rest: here the four used in
// the window are more than three, so a build of 11 minutes ago goes.
func TestPruneBuildCacheKeepsTheBuildsInUseAndTheThreeUsedLast(t *testing.T) {
	base := t.TempDir()
	now := time.Now()
	used := map[string]time.Duration{
		"current": 48 * time.Hour, // the tree's own build, however old
		"a":       11 * time.Minute, "b": 2 * time.Hour, "c": 3 * time.Hour,
		"d": 4 * time.Hour, "e": 30 * 24 * time.Hour, // past the three most recent
		"running": 9 * time.Minute, // within the window: another run may be starting functions
		// More builds in the window than keepOtherBuilds: all of them stay.
		"w1": 1 * time.Minute, "w2": 2 * time.Minute, "w3": 3 * time.Minute,
	}
	for name, ago := range used {
		dir := filepath.Join(base, name)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.Chtimes(dir, now.Add(-ago), now.Add(-ago)))
	}

	pruneBuildCache(base, "current", now)

	var left []string
	entries, err := os.ReadDir(base)
	require.NoError(t, err)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.ElementsMatch(t, []string{"current", "w1", "w2", "w3", "running"}, left)
	info, err := os.Stat(filepath.Join(base, "current"))
	require.NoError(t, err)
	assert.WithinDuration(t, now, info.ModTime(), time.Second, "the build in use is marked as used now")
}

// A deployment holds its build directory as used while it runs, so that
// pruning by other builds never removes binaries it still starts.
func TestADeploymentHoldsItsBuildAsUsedUntilReleased(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "fn"), 0o755))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(dir, old, old))

	release := holdBuilds(map[string]string{"fn": filepath.Join(dir, "fn", "bootstrap")})
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), info.ModTime(), 5*time.Second)
	release()
	release() // twice is harmless
}
