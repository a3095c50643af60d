package contract

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops"
)

const module = "github.com/circles-im/circles/"

// TestTheRegistryDeclaresEveryOperationOnce: shared/ops holds one
// declaration per openapi.yaml operation, with its operationId and route,
// and the function template.yaml routes it to starts exactly that
// declaration.
func TestTheRegistryDeclaresEveryOperationOnce(t *testing.T) {
	r := load(t)
	tmpl := r.templateRoutes(t)
	declared := map[string]api.Spec{}
	pkgOf := map[string]string{}
	for _, d := range ops.Domains {
		for _, op := range d.Ops {
			s := op.Spec
			_, dup := declared[s.Name]
			assert.False(t, dup, "%s is declared twice", s.Name)
			declared[s.Name], pkgOf[s.Name] = s, d.Package
		}
	}
	var inOpenAPI []string
	for _, rt := range sortedRoutes(r.Ops) {
		id := strAt(r.Ops[rt].Op, "operationId")
		inOpenAPI = append(inOpenAPI, id)
		t.Run(id, func(t *testing.T) {
			s, ok := declared[id]
			require.True(t, ok, "%s (%s) has no declaration in shared/ops", id, rt)
			assert.Equal(t, rt, route{s.Method, s.Route}, "%s: the declared route against openapi.yaml's", id)
			f, ok := tmpl[rt]
			require.True(t, ok, "%s: template.yaml has no function for %s", id, rt)
			assert.Equal(t, dirForLogicalID(logicalIDForDir(kebabOf(id))), f.Dir, "%s is served by functions/<kebab-case operationId>", id)
			main, err := os.ReadFile(filepath.Join(r.Root, "functions", f.Dir, "main.go"))
			require.NoError(t, err)
			want := "func main() { api.Start(" + path.Base(pkgOf[id]) + "." + id + "()) }"
			assert.Contains(t, string(main), want, "functions/%s/main.go starts its declaration", f.Dir)
		})
	}
	assert.ElementsMatch(t, inOpenAPI, sortedKeys(declared), "the registry's operations against openapi.yaml's")
}

// kebabOf is the function directory of an operationId: CreateGroup ->
// create-group.
func kebabOf(id string) string {
	var b strings.Builder
	for i, c := range id {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TestEveryFunctionMainIsAFewLines: what a function does lives in shared/;
// its main only starts it.
func TestEveryFunctionMainIsAFewLines(t *testing.T) {
	root := repoRoot(t)
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	require.NoError(t, err)
	require.NotEmpty(t, mains)
	for _, m := range mains {
		b, err := os.ReadFile(m)
		require.NoError(t, err)
		lines := strings.Count(strings.TrimRight(string(b), "\n"), "\n") + 1
		assert.LessOrEqual(t, lines, 10, "%s has %d lines", m, lines)
	}
}

// domainPackages are the packages a function must link only where its
// operation calls them: each is code, and cold-start time, the others
// need not carry.
var domainPackages = []string{
	module + "shared/group", module + "shared/role", module + "shared/channel",
	module + "shared/notification", module + "shared/ops", module + "shared/inbox",
}

// notForHTTP are packages no HTTP function links, and why: each adds its
// package init to every cold start.
var notForHTTP = map[string]string{
	"github.com/aws/aws-sdk-go-v2/service/sqs": "the consumers' queue client",
	"github.com/aws/aws-sdk-go-v2/service/sns": "publish-events' topic client",
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/schemas": "the SDK's schema-based serde, about 1 ms of package init " +
		"(go.mod keeps the DynamoDB SDK at the versions before it; README, BenchmarkColdStart)",
}

// TestEachFunctionLinksOnlyItsOperationsDomain: a function of a group
// operation links shared/group, not shared/role, shared/channel or
// shared/notification; likewise for each domain of the registry. No HTTP
// function links a package of notForHTTP.
func TestEachFunctionLinksOnlyItsOperationsDomain(t *testing.T) {
	root := repoRoot(t)
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./functions/...", "./shared/...")
	cmd.Dir = root
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", errText(err))
	deps := map[string][]string{}     // package -> the domain packages it links
	unwanted := map[string][]string{} // package -> what it links of notForHTTP
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		for _, p := range fields[1:] {
			if why, ok := notForHTTP[p]; ok {
				unwanted[fields[0]] = append(unwanted[fields[0]], p+" ("+why+")")
			}
		}
		deps[fields[0]] = slices.DeleteFunc(fields[1:], func(p string) bool { return !slices.Contains(domainPackages, p) })
	}
	for _, d := range ops.Domains {
		want := append([]string{d.Calls}, deps[d.Calls]...)
		assert.ElementsMatch(t, want, deps[d.Package], "%s links only %s (and what it links)", d.Package, d.Calls)
		for _, op := range d.Ops {
			fn := module + "functions/" + kebabOf(op.Name)
			assert.ElementsMatch(t, want, deps[fn], "%s links only %s (and what it links)", fn, d.Calls)
			assert.Empty(t, unwanted[fn], "%s is an HTTP function", fn)
		}
	}
	group := deps[module+"functions/get-users"]
	assert.Equal(t, []string{module + "shared/group"}, group, "a group operation's function")
}

func errText(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
