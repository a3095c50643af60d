package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/localauth"
)

// Knobs of TestSchemathesisFuzzesTheAPI (`make fuzz` raises them):
//
//	API_FUZZ_EXAMPLES  test cases per operation and phase (-n; default 8)
//	API_FUZZ_TIME      time budget of the run in seconds (--max-time; default 50)
//	API_FUZZ_SEED      schemathesis' random seed (default: a new one each run, logged)
//	API_FUZZ_CHECKS    extra checks, comma-separated (`make fuzz` adds negative_data_rejection)
func fuzzKnob(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s=%q is not an integer", name, v)
	return n
}

// fuzzUsers are the users the fuzzer sends requests as, by their part in
// the seeded groups: owner, admin, member (holder of the custom role),
// outsider (a profile, no membership) and the app admin.
var fuzzUsers = []string{"alice", "dave", "bob", "carol", "admin"}

// TestSchemathesisFuzzesTheAPI runs Schemathesis (PyPI, pinned in
// infra/requirements.txt, installed into .local/venv) against the whole
// system deployed on the local stack. It generates valid and invalid
// requests for every operation of openapi.yaml, sent as several users
// (testdata/schemathesis/circles_hooks.py) at seeded groups, roles and
// channels, and fails on any 5xx, any error response outside the error
// envelope, and any response that openapi.yaml does not describe (status,
// Content-Type, schema), and on any invalid request the API accepts.
func TestSchemathesisFuzzesTheAPI(t *testing.T) {
	r := load(t)
	st := filepath.Join(r.Root, ".local", "venv", "bin", "st")
	if _, err := os.Stat(st); err != nil {
		t.Fatalf("Schemathesis is not installed (%v): run make test, which installs infra/requirements.txt into .local/venv", err)
	}
	examples := fuzzKnob(t, "API_FUZZ_EXAMPLES", 8)
	budget := fuzzKnob(t, "API_FUZZ_TIME", 50)
	seed := fuzzKnob(t, "API_FUZZ_SEED", int(time.Now().UnixNano()%1_000_000_000))

	// The deployment's context outlives the run's budget.
	c := deployForTest(t, r, "schemathesis", time.Duration(budget)*time.Second+5*time.Minute)
	seedFile := seedFuzzData(t, c)

	checks := "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,error_envelope"
	if extra := os.Getenv("API_FUZZ_CHECKS"); extra != "" {
		checks += "," + extra
	}
	reportDir := t.TempDir()
	hooksDir := filepath.Join(r.Root, "infra", "contract", "testdata", "schemathesis")
	statsFile := filepath.Join(reportDir, "stats.json")
	args := []string{
		"--no-color", "--config-file", filepath.Join(hooksDir, "schemathesis.toml"),
		"run", filepath.Join(r.Root, "openapi.yaml"),
		"--url", c.url,
		"--checks", checks,
		"--phases", "examples,coverage,fuzzing",
		"--max-examples", strconv.Itoa(examples),
		"--max-time", strconv.Itoa(budget),
		"--seed", strconv.Itoa(seed),
		// One worker: with more, hypothesis' lambda descriptions (ast.parse
		// in threads) fail now and then on Python 3.11 with "AST
		// constructor recursion depth mismatch", an error of the tool.
		"--workers", "1",
		"--request-timeout", "30",
		"--suppress-health-check", "all",
	}
	// --max-time bounds the run; the context only stops one that hangs.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(budget)*time.Second+3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, st, args...)
	cmd.WaitDelay = 10 * time.Second
	cmd.Dir = reportDir
	cmd.Env = append(os.Environ(),
		"SCHEMATHESIS_HOOKS=circles_hooks",
		"PYTHONPATH="+hooksDir,
		"CIRCLES_FUZZ_SEED="+seedFile,
		"CIRCLES_FUZZ_STATS="+statsFile,
		"SCHEMATHESIS_TELEMETRY=false",
		"NO_COLOR=1",
	)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stdout
	t.Logf("st %s", strings.Join(args, " "))
	start := time.Now()
	runErr := cmd.Run()
	t.Logf("schemathesis ran %s (seed %d; rerun with API_FUZZ_SEED=%d):\n%s",
		time.Since(start).Round(time.Second), seed, seed, tail(stdout.String(), 60000))
	logFuzzStats(t, r, statsFile)
	checkFuzzedGroups(t, c)
	require.NoError(t, runErr, "schemathesis found failures (above)")
}

// checkFuzzedGroups asks the consistency checker about every seeded group
// the fuzzing left: whatever it did to them, the invariants hold. On a
// violation it logs the group's change log, to tell which change broke it.
func checkFuzzedGroups(t *testing.T, c *apiClient) {
	t.Helper()
	for i := 1; i <= 3; i++ {
		g := fmt.Sprintf("g-fuzz-%d", i)
		rep := c.ok(200, "admin", "POST", "/admin/groups/"+g+"/check", map[string]any{"repair": false})
		if v, _ := rep["violations"].([]any); len(v) > 0 {
			_, changes := c.call("admin", "GET", "/groups/"+g+"/changes?limit=1000", nil)
			raw, _ := json.MarshalIndent(changes, "", "  ")
			t.Errorf("after fuzzing, %s breaks invariants: %v\nits changes:\n%s", g, v, raw)
		}
	}
}

// logFuzzStats logs what circles_hooks.py counted: requests sent, and per
// operation the statuses answered.
func logFuzzStats(t *testing.T, r *repo, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Logf("no request counts (%v)", err)
		return
	}
	var counted map[string]map[string]int
	require.NoError(t, json.Unmarshal(raw, &counted))
	// Requests with a method openapi.yaml does not declare for the path
	// (Schemathesis probes a few) are counted apart.
	byOp := map[string]map[string]int{}
	probes := 0
	for op, by := range counted {
		method, path, _ := strings.Cut(op, " ")
		if _, declared := r.Ops[route{method, path}]; declared {
			byOp[op] = by
			continue
		}
		for _, n := range by {
			probes += n
		}
	}
	total, ok2xx := 0, 0
	statuses := map[string]int{}
	var lines []string
	for _, op := range sortedKeys(byOp) {
		var parts []string
		reached := false
		for _, st := range sortedKeys(byOp[op]) {
			n := byOp[op][st]
			total += n
			statuses[st] += n
			parts = append(parts, fmt.Sprintf("%s×%d", st, n))
			reached = reached || strings.HasPrefix(st, "2")
		}
		if reached {
			ok2xx++
		}
		lines = append(lines, fmt.Sprintf("  %-70s %s", op, strings.Join(parts, " ")))
	}
	var all []string
	for _, st := range sortedKeys(statuses) {
		all = append(all, fmt.Sprintf("%s×%d", st, statuses[st]))
	}
	t.Logf("%d requests to %d of the %d operations, %d of them answered 2xx at least once; statuses %s; "+
		"and %d requests with undeclared methods\n%s",
		total, len(byOp), len(r.Ops), ok2xx, strings.Join(all, " "), probes, strings.Join(lines, "\n"))
}

// seedFuzzData creates the users' profiles and three groups owned by alice
// (dave admin, bob member holding a custom role, a public and a private
// channel each, the public one synced to a category), and writes the file circles_hooks.py reads: the users'
// tokens, the seeded IDs, and openapi.yaml's error codes.
func seedFuzzData(t *testing.T, c *apiClient) string {
	t.Helper()
	for _, u := range fuzzUsers {
		c.ok(200, u, "PUT", "/users/me", map[string]any{"nickname": strings.ToUpper(u[:1]) + u[1:]})
	}
	type resources struct {
		GroupID    string   `json:"groupID"`
		RoleID     []string `json:"roleID"`
		ChannelID  []string `json:"channelID"`
		CategoryID []string `json:"categoryID"`
	}
	var groups []resources
	for i := 1; i <= 3; i++ {
		g := fmt.Sprintf("g-fuzz-%d", i)
		c.ok(201, "alice", "POST", "/groups", map[string]any{
			"groupID": g, "groupName": "Fuzz " + strconv.Itoa(i),
			"memberUserIDs": []string{"bob"}, "adminUserIDs": []string{"dave"},
		})
		role := c.ok(201, "alice", "POST", "/groups/"+g+"/roles", map[string]any{
			"name": "mods", "auths": map[string]string{"kickMember": "allow", "muteMember": "allow"},
		})["roleID"].(string)
		c.ok(200, "alice", "POST", "/groups/"+g+"/roles/"+role+"/members", map[string]any{"userIDs": []string{"bob"}})
		pub := c.ok(201, "alice", "POST", "/groups/"+g+"/channels", map[string]any{"name": "general"})["channelID"].(string)
		priv := c.ok(201, "alice", "POST", "/groups/"+g+"/channels", map[string]any{"name": "staff", "viewMode": 1})["channelID"].(string)
		c.ok(200, "alice", "POST", "/groups/"+g+"/channels/"+priv+"/access", map[string]any{"op": "add", "roleIDs": []string{role}})
		cat := c.ok(201, "alice", "POST", "/groups/"+g+"/categories", map[string]any{"name": "lounge"})["categoryID"].(string)
		c.ok(200, "alice", "PATCH", "/groups/"+g+"/channels/"+pub, map[string]any{"categoryID": cat, "syncMode": 1})
		groups = append(groups, resources{GroupID: g, RoleID: []string{role, "everyone"}, ChannelID: []string{pub, priv}, CategoryID: []string{cat}})
	}
	// carol has applied to the first group, so its application paths have one to handle.
	c.ok(200, "carol", "POST", "/groups/g-fuzz-1/applications", map[string]any{"reqMsg": "let me in"})

	tokens := map[string]string{}
	for _, u := range fuzzUsers {
		tok, err := localauth.Mint(c.secret, u, 2*time.Hour)
		require.NoError(t, err)
		tokens[u] = tok
	}
	var codes []string
	for _, v := range asList(mapAt(c.r.OpenAPI, "components", "schemas", "ErrorCode")["enum"]) {
		codes = append(codes, fmt.Sprint(v))
	}
	sort.Strings(codes)
	raw, err := json.Marshal(map[string]any{
		"tokens": tokens, "groups": groups, "userIDs": fuzzUsers, "errorCodes": codes,
	})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return path
}
