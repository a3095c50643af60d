// Package contract checks that the deployment template (template.yaml), the API
// description (openapi.yaml), the sample events (events/*.json) and the function
// directories (functions/*) agree with each other and with the team conventions.
//
// It is test-only and needs no running stack: go test ./infra/contract/
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/circles-im/circles/infra/devstack"
)

// ---------------------------------------------------------------------------
// Expectations that come straight from the conventions and the README's
// contract.

// milestoneRoutes is the first milestone's route table. Later
// milestones add routes; these must stay.
var milestoneRoutes = []struct {
	method, path, dir, operationID string
}{
	{"PUT", "/users/me", "put-my-profile", "PutMyProfile"},
	{"GET", "/users", "get-users", "GetUsers"},
	{"PUT", "/admin/users/{userID}", "import-user", "ImportUser"},
	{"POST", "/groups", "create-group", "CreateGroup"},
	{"GET", "/groups", "get-groups-info", "GetGroupsInfo"},
	{"GET", "/users/me/groups", "get-joined-group-list", "GetJoinedGroupList"},
	{"POST", "/groups/{groupID}/owner", "transfer-group-owner", "TransferGroupOwner"},

	// Every group operation and the consistency checker.
	{"POST", "/groups/{groupID}/applications", "join-group", "JoinGroup"},
	{"PUT", "/groups/{groupID}/applications/{userID}", "group-application-response", "GroupApplicationResponse"},
	{"GET", "/applications/received", "get-group-application-list", "GetGroupApplicationList"},
	{"GET", "/applications/sent", "get-user-req-application-list", "GetUserReqApplicationList"},
	{"POST", "/groups/{groupID}/members", "invite-user-to-group", "InviteUserToGroup"},
	{"POST", "/groups/{groupID}/kick", "kick-group-member", "KickGroupMember"},
	{"POST", "/groups/{groupID}/quit", "quit-group", "QuitGroup"},
	{"PATCH", "/groups/{groupID}", "set-group-info", "SetGroupInfo"},
	{"DELETE", "/groups/{groupID}", "dismiss-group", "DismissGroup"},
	{"POST", "/groups/{groupID}/mute", "mute-group", "MuteGroup"},
	{"DELETE", "/groups/{groupID}/mute", "cancel-mute-group", "CancelMuteGroup"},
	{"GET", "/groups/{groupID}/members", "get-group-member-list", "GetGroupMemberList"},
	{"GET", "/groups/{groupID}/member-info", "get-group-members-info", "GetGroupMembersInfo"},
	{"PATCH", "/groups/{groupID}/members/{userID}", "set-group-member-info", "SetGroupMemberInfo"},
	{"PATCH", "/groups/{groupID}/members", "set-group-members-info", "SetGroupMembersInfo"},
	{"POST", "/groups/{groupID}/members/{userID}/mute", "mute-group-member", "MuteGroupMember"},
	{"DELETE", "/groups/{groupID}/members/{userID}/mute", "cancel-mute-group-member", "CancelMuteGroupMember"},
	{"GET", "/groups/{groupID}/changes", "get-group-changes", "GetGroupChanges"},
	{"GET", "/users/me/groups/changes", "get-joined-group-changes", "GetJoinedGroupChanges"},
	{"POST", "/groups/changes:batch", "get-groups-changes", "GetGroupsChanges"},
	{"POST", "/admin/groups/{groupID}/check", "check-group", "CheckGroup"},
}

// routeParams are the query and header parameters (beyond Idempotency-Key) that
// an operation must declare, as "in:name".
var routeParams = map[string][]string{
	"GET /applications/received":        {"query:groupID", "query:handleResult", "query:limit", "query:cursor"},
	"GET /applications/sent":            {"query:limit", "query:cursor"},
	"PATCH /groups/{groupID}":           {"header:If-Match"},
	"GET /groups/{groupID}/members":     {"query:filter", "query:limit", "query:cursor", "query:keyword"},
	"GET /groups/{groupID}/member-info": {"query:userIDs"},
	"GET /groups/{groupID}/changes":     {"query:sinceVersion", "query:limit"},
	"GET /users/me/groups/changes":      {"query:since"},
	"GET /users/me/groups":              {"query:limit", "query:cursor"},
	"GET /users":                        {"query:userIDs"},
	"GET /groups":                       {"query:groupIDs"},
}

// scheduledFunctions are the functions run by an EventBridge schedule rather
// than an HTTP route, with their schedule expression.
var scheduledFunctions = map[string]string{
	"CheckAllGroupsFunction": "rate(1 hour)",
}

// metricsNamespace is the only CloudWatch namespace functions may publish to.
const metricsNamespace = "Circles"

var errorCodes = []string{
	"INVALID_ARGUMENT", "UNAUTHENTICATED", "NO_PERMISSION", "NOT_FOUND",
	"GROUP_NOT_FOUND", "NOT_IN_GROUP", "GROUP_ID_EXISTS", "ALREADY_IN_GROUP",
	"GROUP_DISMISSED", "APPLICATION_HANDLED", "OWNER_CANNOT_QUIT", "CONFLICT",
	"LIMIT_EXCEEDED", "IDEMPOTENCY_MISMATCH", "UNAVAILABLE", "INTERNAL",
	"BANNED",
}

var requiredEnv = []string{"TABLE_NAME", "TOPIC_ARN", "APP_ADMIN_USER_IDS", "MAX_ROLES_PER_GROUP"}

var dynamoWriteActions = []string{
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
}

// ---------------------------------------------------------------------------
// Loading.

// repoRoot walks up from the test's working directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found above the test directory")
		dir = parent
	}
}

// loadYAML reads a YAML file into plain Go values (map[string]any, []any, scalars).
// It decodes into yaml.Node first, so CloudFormation short-form tags (!Ref, !GetAtt,
// !Sub, !If, ...) do not break parsing: they become their long form, e.g.
// `!Ref X` -> {"Ref": "X"}, `!GetAtt A.B` -> {"Fn::GetAtt": ["A", "B"]}.
func loadYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err, "read %s", path)
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal(raw, &doc), "parse %s", path)
	v, err := nodeValue(&doc)
	require.NoError(t, err, "convert %s", path)
	m, ok := v.(map[string]any)
	require.True(t, ok, "%s: top level is not a mapping", path)
	return m
}

func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			x, err := nodeValue(val)
			if err != nil {
				return nil, err
			}
			m[k.Value] = x
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			x, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, x)
		}
		v = s
	case yaml.ScalarNode:
		if isCustomTag(n.Tag) {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
	}
	if !isCustomTag(n.Tag) {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			return map[string]any{"Fn::GetAtt": []any{res, attr}}, nil
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}

func isCustomTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// Small accessors over the generic tree; a missing key yields the zero value.

func mapAt(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

func strAt(v any, keys ...string) string {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// ---------------------------------------------------------------------------
// Model of the repository.

type route struct{ Method, Path string }

func (r route) String() string { return r.Method + " " + r.Path }

type function struct {
	LogicalID string
	Dir       string
	Props     map[string]any
	Metadata  map[string]any
	Routes    []route
}

type operation struct {
	Route route
	Op    map[string]any
	// Params are the operation's parameters, path-level ones included, $refs resolved.
	Params []map[string]any
	// ParamRefs[i] is the "#/components/parameters/..." $ref of Params[i], or "".
	ParamRefs []string
}

type repo struct {
	Root      string
	Template  map[string]any
	OpenAPI   map[string]any
	Functions map[string]*function // by LogicalId
	Ops       map[route]*operation
}

func load(t *testing.T) *repo {
	t.Helper()
	root := repoRoot(t)
	r := &repo{
		Root:      root,
		Template:  loadYAML(t, filepath.Join(root, "template.yaml")),
		OpenAPI:   loadYAML(t, filepath.Join(root, "openapi.yaml")),
		Functions: map[string]*function{},
		Ops:       map[route]*operation{},
	}
	resources := mapAt(r.Template, "Resources")
	require.NotEmpty(t, resources, "template.yaml has no Resources")
	for id, res := range resources {
		if strAt(res, "Type") != "AWS::Serverless::Function" {
			continue
		}
		f := &function{
			LogicalID: id,
			Dir:       dirForLogicalID(id),
			Props:     mapAt(res, "Properties"),
			Metadata:  mapAt(res, "Metadata"),
		}
		for _, evName := range sortedKeys(mapAt(f.Props, "Events")) {
			ev := mapAt(f.Props, "Events", evName)
			if strAt(ev, "Type") != "HttpApi" {
				continue
			}
			f.Routes = append(f.Routes, route{
				Method: strings.ToUpper(strAt(ev, "Properties", "Method")),
				Path:   strAt(ev, "Properties", "Path"),
			})
		}
		r.Functions[id] = f
	}
	require.NotEmpty(t, r.Functions, "template.yaml defines no AWS::Serverless::Function")

	for path, item := range mapAt(r.OpenAPI, "paths") {
		pathItem, _ := item.(map[string]any)
		var shared []any
		if p, ok := pathItem["parameters"].([]any); ok {
			shared = p
		}
		for method, o := range pathItem {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue
			}
			op, _ := o.(map[string]any)
			rt := route{strings.ToUpper(method), path}
			own, _ := op["parameters"].([]any)
			params := make([]map[string]any, 0, len(shared)+len(own))
			var refs []string
			for _, p := range append(slices.Clone(shared), own...) {
				params = append(params, r.resolve(t, p))
				refs = append(refs, strAt(p, "$ref"))
			}
			r.Ops[rt] = &operation{Route: rt, Op: op, Params: params, ParamRefs: refs}
		}
	}
	require.NotEmpty(t, r.Ops, "openapi.yaml defines no operations")
	return r
}

// resolve follows a local OpenAPI $ref ("#/components/...").
func (r *repo) resolve(t *testing.T, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	for i := 0; i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		require.True(t, strings.HasPrefix(ref, "#/"), "only local $refs are supported: %s", ref)
		var cur any = r.OpenAPI
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
			cur = mapAt(cur, part)
		}
		m, _ = cur.(map[string]any)
		require.NotNil(t, m, "openapi.yaml: $ref %s does not resolve", ref)
	}
	t.Fatalf("openapi.yaml: $ref chain too deep")
	return nil
}

// templateRoutes maps every HttpApi route in template.yaml to the function serving it.
func (r *repo) templateRoutes(t *testing.T) map[route]*function {
	t.Helper()
	out := map[route]*function{}
	for _, id := range sortedKeys(r.Functions) {
		f := r.Functions[id]
		for _, rt := range f.Routes {
			if prev, dup := out[rt]; dup {
				t.Errorf("route %s is served by both %s and %s", rt, prev.LogicalID, f.LogicalID)
			}
			out[rt] = f
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Naming: functions/create-group <-> CreateGroupFunction.

// The mapping itself is devstack's, which the local runner uses too; the
// tests below pin its behaviour and check the template against it.
var (
	logicalIDForDir = devstack.LogicalID
	dirForLogicalID = devstack.FunctionDir
)

var kebab = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

func TestNamingRoundTrip(t *testing.T) {
	for _, c := range []struct{ dir, id string }{
		{"create-group", "CreateGroupFunction"},
		{"get-joined-group-list", "GetJoinedGroupListFunction"},
		{"put-my-profile", "PutMyProfileFunction"},
	} {
		t.Run(c.dir, func(t *testing.T) {
			assert.Equal(t, c.id, logicalIDForDir(c.dir))
			assert.Equal(t, c.dir, dirForLogicalID(c.id))
		})
	}
}

// ---------------------------------------------------------------------------
// Template <-> OpenAPI.

func TestRoutesMatchOpenAPI(t *testing.T) {
	r := load(t)
	tmpl := r.templateRoutes(t)

	var inTemplate, inOpenAPI []string
	for rt := range tmpl {
		inTemplate = append(inTemplate, rt.String())
	}
	for rt := range r.Ops {
		inOpenAPI = append(inOpenAPI, rt.String())
	}
	sort.Strings(inTemplate)
	sort.Strings(inOpenAPI)
	assert.Equal(t, inTemplate, inOpenAPI,
		"the (method, path) routes of template.yaml's HttpApi events and openapi.yaml's operations differ")

	for rt, f := range tmpl {
		t.Run(rt.String(), func(t *testing.T) {
			op, ok := r.Ops[rt]
			if !ok {
				t.Fatalf("route %s (served by %s) is missing from openapi.yaml", rt, f.LogicalID)
			}
			assert.Equal(t, f.Dir, strAt(op.Op, "x-function"),
				"openapi.yaml %s: x-function must name the dir of %s", rt, f.LogicalID)
		})
	}
}

func TestMilestoneRoutes(t *testing.T) {
	r := load(t)
	tmpl := r.templateRoutes(t)
	for _, want := range milestoneRoutes {
		rt := route{want.method, want.path}
		t.Run(rt.String(), func(t *testing.T) {
			f, ok := tmpl[rt]
			if assert.True(t, ok, "template.yaml has no HttpApi event for %s", rt) {
				assert.Equal(t, logicalIDForDir(want.dir), f.LogicalID)
				assert.Equal(t, "HttpApi", strAt(apiIDOf(f, rt), "Ref"),
					"%s: the event's ApiId must be !Ref HttpApi", f.LogicalID)
			}
			op, ok := r.Ops[rt]
			if assert.True(t, ok, "openapi.yaml has no operation for %s", rt) {
				assert.Equal(t, want.operationID, strAt(op.Op, "operationId"))
				assert.Equal(t, want.dir, strAt(op.Op, "x-function"))
				for _, p := range routeParams[rt.String()] {
					in, name, _ := strings.Cut(p, ":")
					found := false
					for _, q := range op.Params {
						found = found || (strAt(q, "in") == in && strings.EqualFold(strAt(q, "name"), name))
					}
					assert.True(t, found, "openapi.yaml %s must declare the %s parameter %s", rt, in, name)
				}
			}
		})
	}
}

// TestScheduledFunctions: scheduled functions have no HTTP route, run on their
// schedule, and (like every function) need functions/<dir>/main.go and
// events/<dir>.json, which TestFunctionDirs and TestSampleEvents check.
func TestScheduledFunctions(t *testing.T) {
	r := load(t)
	for _, id := range sortedKeys(scheduledFunctions) {
		t.Run(id, func(t *testing.T) {
			f, ok := r.Functions[id]
			require.True(t, ok, "template.yaml has no %s", id)
			assert.Empty(t, f.Routes, "%s is not an API function", id)
			var schedules []string
			for _, name := range sortedKeys(mapAt(f.Props, "Events")) {
				ev := mapAt(f.Props, "Events", name)
				if strAt(ev, "Type") == "Schedule" {
					schedules = append(schedules, strAt(ev, "Properties", "Schedule"))
				}
			}
			assert.Equal(t, []string{scheduledFunctions[id]}, schedules, "%s: Schedule events", id)
			actions := r.functionActions(t, f)
			assert.Contains(t, actions, "cloudwatch:PutMetricData", "%s reports a metric", id)
		})
	}
}

func apiIDOf(f *function, rt route) any {
	for _, ev := range mapAt(f.Props, "Events") {
		p := mapAt(ev, "Properties")
		if strings.EqualFold(strAt(p, "Method"), rt.Method) && strAt(p, "Path") == rt.Path {
			return p["ApiId"]
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Template <-> functions/.

func TestFunctionDirs(t *testing.T) {
	r := load(t)
	for _, id := range sortedKeys(r.Functions) {
		f := r.Functions[id]
		t.Run("template/"+id, func(t *testing.T) {
			assert.Equal(t, id, logicalIDForDir(f.Dir), "LogicalId %s does not map back from a kebab-case dir", id)
			main := filepath.Join(r.Root, "functions", f.Dir, "main.go")
			_, err := os.Stat(main)
			assert.NoError(t, err, "%s: expected its handler at functions/%s/main.go", id, f.Dir)
		})
	}

	entries, err := os.ReadDir(filepath.Join(r.Root, "functions"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("functions/ does not exist; template.yaml defines %d functions", len(r.Functions))
	}
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := e.Name()
		t.Run("dir/"+dir, func(t *testing.T) {
			assert.Regexp(t, kebab, dir, "function dirs are kebab-case")
			_, ok := r.Functions[logicalIDForDir(dir)]
			assert.True(t, ok, "functions/%s has no %s in template.yaml", dir, logicalIDForDir(dir))
		})
	}
}

func TestFunctionBuildSettings(t *testing.T) {
	r := load(t)
	g := mapAt(r.Template, "Globals", "Function")
	require.NotNil(t, g, "template.yaml has no Globals.Function")
	assert.Equal(t, "provided.al2023", strAt(g, "Runtime"))
	assert.Equal(t, []any{"arm64"}, g["Architectures"])
	assert.Equal(t, "bootstrap", strAt(g, "Handler"))
	assert.Equal(t, "Active", strAt(g, "Tracing"))
	env := mapAt(g, "Environment", "Variables")
	for _, name := range requiredEnv {
		assert.Contains(t, env, name, "Globals.Function.Environment.Variables")
	}
	assert.Equal(t, "Table", strAt(env, "TABLE_NAME", "Ref"))
	assert.Equal(t, "EventsTopic", strAt(env, "TOPIC_ARN", "Ref"))

	for _, id := range sortedKeys(r.Functions) {
		f := r.Functions[id]
		t.Run(id, func(t *testing.T) {
			assert.Equal(t, "makefile", strAt(f.Metadata, "BuildMethod"), "Metadata.BuildMethod")
			assert.Equal(t, ".", strAt(f.Props, "CodeUri"), "CodeUri")
			for key, want := range map[string]any{
				"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"},
			} {
				if v, ok := f.Props[key]; ok {
					assert.Equal(t, want, v, "%s overrides %s", id, key)
				}
			}
			if vars := mapAt(f.Props, "Environment", "Variables"); vars != nil {
				for _, name := range requiredEnv {
					if v, ok := vars[name]; ok {
						assert.Equal(t, env[name], v, "%s overrides %s", id, name)
					}
				}
			}
		})
	}
}

// ---------------------------------------------------------------------------
// IAM: explicit, table-scoped DynamoDB statements; readers cannot write.

// functionActions collects the IAM actions (and their resources) granted by the
// function's Policies: inline documents and !Ref to AWS::IAM::ManagedPolicy
// resources of the template. SAM policy templates and AWS managed policies are
// not allowed: the statements must be explicit.
func (r *repo) functionActions(t *testing.T, f *function) map[string][]any {
	t.Helper()
	out := map[string][]any{}
	for a, grants := range r.functionGrants(t, f) {
		for _, g := range grants {
			out[a] = append(out[a], g.Resource)
		}
	}
	return out
}

// grant is one (action, resource) pair of an Allow statement, with the
// statement's Condition (nil when unconditional).
type grant struct {
	Resource  any
	Condition map[string]any
}

// functionGrants is functionActions with each statement's Condition kept.
func (r *repo) functionGrants(t *testing.T, f *function) map[string][]grant {
	t.Helper()
	out := map[string][]grant{}
	policies, _ := f.Props["Policies"].([]any)
	for _, p := range policies {
		var doc map[string]any
		inline, _ := p.(map[string]any)
		switch {
		case strAt(p, "Ref") != "":
			res := mapAt(r.Template, "Resources", strAt(p, "Ref"))
			if !assert.Equal(t, "AWS::IAM::ManagedPolicy", strAt(res, "Type"),
				"%s: Policies !Ref %s must be a managed policy of this template", f.LogicalID, strAt(p, "Ref")) {
				continue
			}
			doc = mapAt(res, "Properties", "PolicyDocument")
		case inline["Statement"] != nil:
			doc = inline
		default:
			t.Errorf("%s: policy %v is not an explicit statement list or a !Ref to one", f.LogicalID, p)
			continue
		}
		stmts, _ := doc["Statement"].([]any)
		for _, s := range stmts {
			if strAt(s, "Effect") != "Allow" {
				continue
			}
			sm := s.(map[string]any)
			cond, _ := sm["Condition"].(map[string]any)
			for _, a := range asList(sm["Action"]) {
				as, _ := a.(string)
				for _, res := range asList(sm["Resource"]) {
					out[as] = append(out[as], grant{Resource: res, Condition: cond})
				}
			}
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

func TestFunctionPolicies(t *testing.T) {
	r := load(t)
	tableArn := map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}
	indexArn := map[string]any{"Fn::Sub": "${Table.Arn}/index/*"}
	streamArn := map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}
	inboxArn := map[string]any{"Fn::GetAtt": []any{"InboxTable", "Arn"}}
	// Only the inbox's writer and reader touch the inbox table.
	inboxUsers := map[string][]string{
		"DeliverNotificationsFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
		"GetMyNotificationsFunction":   {"dynamodb:Query", "dynamodb:BatchGetItem"},
	}
	for _, id := range sortedKeys(r.Functions) {
		f := r.Functions[id]
		t.Run(id, func(t *testing.T) {
			actions := r.functionActions(t, f)
			for a, grants := range r.functionGrants(t, f) {
				assert.NotContains(t, a, "*", "%s: wildcard action %s", id, a)
				for _, g := range grants {
					res := g.Resource
					if a == "cloudwatch:PutMetricData" {
						// PutMetricData has no resource-level permissions: Resource
						// must be "*", so the namespace condition is the scope.
						assert.Equal(t, map[string]any{"cloudwatch:namespace": metricsNamespace},
							mapAt(g.Condition, "StringEquals"),
							"%s: %s must be conditioned on StringEquals cloudwatch:namespace %q", id, a, metricsNamespace)
						continue
					}
					assert.NotEqual(t, "*", res, "%s: %s on Resource *", id, a)
					if strings.HasPrefix(a, "dynamodb:") {
						assert.Contains(t, []any{tableArn, indexArn, streamArn, inboxArn}, res,
							"%s: %s must be scoped to the table, its indexes or its stream, or the inbox table", id, a)
						if assert.ObjectsAreEqual(res, inboxArn) {
							assert.Contains(t, inboxUsers[id], a, "%s: %s on the inbox table", id, a)
						}
					}
				}
			}
			for _, a := range inboxUsers[id] {
				assert.Contains(t, actions[a], inboxArn, "%s needs %s on the inbox table", id, a)
			}
			if _, scheduled := scheduledFunctions[id]; scheduled {
				// Scheduled checkers only report: they read, never write.
				for _, a := range []string{"dynamodb:GetItem", "dynamodb:Query"} {
					assert.Contains(t, actions[a], tableArn, "%s needs %s on the table", id, a)
				}
				for _, a := range dynamoWriteActions {
					_, granted := actions[a]
					assert.False(t, granted, "%s only reports and must not be granted %s", id, a)
				}
			}
			if len(f.Routes) == 0 {
				return // other non-API functions have their own needs
			}
			for _, a := range []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"} {
				assert.Contains(t, actions[a], tableArn, "%s needs %s on the table", id, a)
			}
			assert.Contains(t, actions["dynamodb:Query"], indexArn, "%s needs Query on the table's indexes", id)

			readOnly := true
			for _, rt := range f.Routes {
				readOnly = readOnly && rt.Method == "GET"
			}
			for _, a := range dynamoWriteActions {
				if a == "dynamodb:BatchWriteItem" {
					continue // allowed for some later functions; checked only for readers
				}
				if readOnly {
					_, granted := actions[a]
					assert.False(t, granted, "%s serves only GET routes and must not be granted %s", id, a)
				} else {
					assert.Contains(t, actions[a], tableArn,
						"%s mutates (and writes idempotency records) so it needs %s on the table", id, a)
				}
			}
			if readOnly {
				_, granted := actions["dynamodb:BatchWriteItem"]
				assert.False(t, granted, "%s serves only GET routes and must not be granted dynamodb:BatchWriteItem", id)
			}
		})
	}
}

// ---------------------------------------------------------------------------
// Table.

func TestTableMatchesConventions(t *testing.T) {
	r := load(t)
	table := mapAt(r.Template, "Resources", "Table")
	require.Equal(t, "AWS::DynamoDB::Table", strAt(table, "Type"), "Resources.Table")
	assert.Equal(t, "Retain", strAt(table, "DeletionPolicy"))
	assert.Equal(t, "Retain", strAt(table, "UpdateReplacePolicy"))
	p := mapAt(table, "Properties")

	t.Run("attributes", func(t *testing.T) {
		got := map[string]string{}
		for _, a := range asList(p["AttributeDefinitions"]) {
			got[strAt(a, "AttributeName")] = strAt(a, "AttributeType")
		}
		want := map[string]string{}
		for _, n := range []string{"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
			want[n] = "S"
		}
		assert.Equal(t, want, got)
	})
	t.Run("key schema", func(t *testing.T) {
		assert.Equal(t, [][2]string{{"PK", "HASH"}, {"SK", "RANGE"}}, keySchema(p["KeySchema"]))
	})
	t.Run("GSIs", func(t *testing.T) {
		gsis := map[string]any{}
		for _, g := range asList(p["GlobalSecondaryIndexes"]) {
			gsis[strAt(g, "IndexName")] = g
		}
		assert.ElementsMatch(t, []string{"GSI1", "GSI2", "GSI3"}, sortedKeys(gsis))
		for _, name := range []string{"GSI1", "GSI2", "GSI3"} {
			g := gsis[name]
			assert.Equal(t, [][2]string{{name + "PK", "HASH"}, {name + "SK", "RANGE"}}, keySchema(mapAt(g)["KeySchema"]), name)
			assert.Equal(t, "ALL", strAt(g, "Projection", "ProjectionType"), name)
		}
	})
	t.Run("settings", func(t *testing.T) {
		assert.Equal(t, "PAY_PER_REQUEST", strAt(p, "BillingMode"))
		assert.Equal(t, "NEW_AND_OLD_IMAGES", strAt(p, "StreamSpecification", "StreamViewType"))
		assert.Equal(t, "expiresAt", strAt(p, "TimeToLiveSpecification", "AttributeName"))
		assert.Equal(t, true, mapAt(p, "TimeToLiveSpecification")["Enabled"])
		assert.Equal(t, true, mapAt(p, "PointInTimeRecoverySpecification")["PointInTimeRecoveryEnabled"])
		assert.Equal(t, true, mapAt(p, "SSESpecification")["SSEEnabled"])
		assert.NotContains(t, p, "TableName", "the table name is generated and passed as TABLE_NAME")
	})
}

func TestTheInboxTableHasNoStreamAndExpiresEntries(t *testing.T) {
	r := load(t)
	table := mapAt(r.Template, "Resources", "InboxTable")
	require.Equal(t, "AWS::DynamoDB::Table", strAt(table, "Type"), "Resources.InboxTable")
	assert.Equal(t, "Retain", strAt(table, "DeletionPolicy"))
	assert.Equal(t, "Retain", strAt(table, "UpdateReplacePolicy"))
	p := mapAt(table, "Properties")
	assert.Equal(t, [][2]string{{"PK", "HASH"}, {"SK", "RANGE"}}, keySchema(p["KeySchema"]))
	assert.NotContains(t, p, "StreamSpecification", "inbox writes must not reach the outbox stream")
	assert.NotContains(t, p, "GlobalSecondaryIndexes")
	assert.Equal(t, "PAY_PER_REQUEST", strAt(p, "BillingMode"))
	assert.Equal(t, "expiresAt", strAt(p, "TimeToLiveSpecification", "AttributeName"))
	assert.Equal(t, true, mapAt(p, "TimeToLiveSpecification")["Enabled"])
	assert.Equal(t, true, mapAt(p, "PointInTimeRecoverySpecification")["PointInTimeRecoveryEnabled"])
	assert.Equal(t, true, mapAt(p, "SSESpecification")["SSEEnabled"])
	assert.Equal(t, map[string]any{"Ref": "InboxTable"},
		mapAt(r.Template, "Globals", "Function", "Environment", "Variables")["INBOX_TABLE_NAME"],
		"every function finds the inbox table as INBOX_TABLE_NAME")
}

func keySchema(v any) [][2]string {
	var out [][2]string
	for _, k := range asList(v) {
		out = append(out, [2]string{strAt(k, "AttributeName"), strAt(k, "KeyType")})
	}
	return out
}

func TestMessagingAndOutputs(t *testing.T) {
	r := load(t)
	res := mapAt(r.Template, "Resources")
	assert.Equal(t, "AWS::SNS::Topic", strAt(res, "EventsTopic", "Type"))
	q := mapAt(res, "NotificationsQueue")
	assert.Equal(t, "AWS::SQS::Queue", strAt(q, "Type"))
	assert.Equal(t, "AWS::SQS::Queue", strAt(res, "NotificationsDLQ", "Type"))
	assert.Equal(t, map[string]any{"Fn::GetAtt": []any{"NotificationsDLQ", "Arn"}},
		mapAt(q, "Properties", "RedrivePolicy")["deadLetterTargetArn"])
	assert.Equal(t, 5, mapAt(q, "Properties", "RedrivePolicy")["maxReceiveCount"])

	var sub map[string]any
	for _, id := range sortedKeys(res) {
		if strAt(res[id], "Type") == "AWS::SNS::Subscription" && strAt(res[id], "Properties", "Protocol") == "sqs" {
			sub = mapAt(res[id], "Properties")
		}
	}
	if assert.NotNil(t, sub, "an SQS subscription of the events topic") {
		assert.Equal(t, "EventsTopic", strAt(sub, "TopicArn", "Ref"))
		assert.Equal(t, true, sub["RawMessageDelivery"])
	}
	for _, o := range []string{"ApiUrl", "TableName", "TopicArn", "NotificationsQueueUrl"} {
		assert.Contains(t, mapAt(r.Template, "Outputs"), o, "Outputs")
	}
	auth := mapAt(res, "HttpApi", "Properties", "Auth")
	def := strAt(auth, "DefaultAuthorizer")
	if assert.NotEmpty(t, def, "HttpApi needs a DefaultAuthorizer") {
		a := mapAt(auth, "Authorizers", def)
		assert.Equal(t, "$request.header.Authorization", strAt(a, "IdentitySource"))
		assert.Equal(t, "JwtIssuer", strAt(a, "JwtConfiguration", "issuer", "Ref"))
		assert.Equal(t, "JwtAudience", strAt(a, "JwtConfiguration", "audience", "Ref"))
	}
}

// ---------------------------------------------------------------------------
// OpenAPI conventions.

func TestOpenAPIConventions(t *testing.T) {
	r := load(t)
	codes := asList(mapAt(r.OpenAPI, "components", "schemas", "ErrorCode")["enum"])
	assert.ElementsMatch(t, toAny(errorCodes), codes, "components.schemas.ErrorCode.enum")
	assert.Contains(t, mapAt(r.OpenAPI, "components", "securitySchemes"), "bearerAuth")

	seen := map[string]route{}
	for _, rt := range sortedRoutes(r.Ops) {
		op := r.Ops[rt]
		t.Run(rt.String(), func(t *testing.T) {
			id := strAt(op.Op, "operationId")
			if assert.NotEmpty(t, id, "operationId") {
				prev, dup := seen[id]
				assert.False(t, dup, "operationId %s also used by %s", id, prev)
				seen[id] = rt
			}
			assert.Regexp(t, kebab, strAt(op.Op, "x-function"), "x-function")

			var hasIdem bool
			for _, p := range op.Params {
				if strAt(p, "in") == "header" && strings.EqualFold(strAt(p, "name"), "Idempotency-Key") {
					hasIdem = true
				}
				if strAt(p, "in") == "path" {
					assert.Contains(t, rt.Path, "{"+strAt(p, "name")+"}", "path parameter %s", strAt(p, "name"))
				}
			}
			if rt.Method != "GET" {
				assert.True(t, hasIdem, "mutating operation needs the Idempotency-Key header parameter")
				if body := r.resolve(t, op.Op["requestBody"]); body != nil {
					schema := r.resolve(t, mapAt(body, "content", "application/json", "schema"))
					assert.Equal(t, false, schema["additionalProperties"], "request body schema must set additionalProperties: false")
				}
			}
			for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(rt.Path, -1) {
				found := false
				for _, p := range op.Params {
					found = found || (strAt(p, "in") == "path" && strAt(p, "name") == m[1])
				}
				assert.True(t, found, "path parameter {%s} is not declared", m[1])
			}

			responses := mapAt(op.Op, "responses")
			errorStatuses := []string{"400", "401", "500", "503"}
			if rt.Method != "GET" {
				errorStatuses = append(errorStatuses, "409") // IDEMPOTENCY_MISMATCH, CONFLICT
			}
			if strings.Contains(rt.Path, "{groupID}") {
				errorStatuses = append(errorStatuses, "404") // GROUP_NOT_FOUND
			}
			if strings.HasPrefix(rt.Path, "/admin/") {
				errorStatuses = append(errorStatuses, "403") // app admins only
			}
			for _, status := range errorStatuses {
				resp := r.resolve(t, responses[status])
				if assert.NotNil(t, resp, "missing %s response", status) {
					assert.Equal(t, "#/components/schemas/Error",
						strAt(resp, "content", "application/json", "schema", "$ref"), "%s response body", status)
				}
			}
			var ok bool
			for status := range responses {
				ok = ok || strings.HasPrefix(status, "2")
			}
			assert.True(t, ok, "no 2xx response")
		})
	}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func sortedRoutes[V any](m map[route]V) []route {
	out := make([]route, 0, len(m))
	for rt := range m {
		out = append(out, rt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// ---------------------------------------------------------------------------
// Sample events.

type apiEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	PathParameters        map[string]string `json:"pathParameters"`
	Body                  *string           `json:"body"`
	IsBase64Encoded       *bool             `json:"isBase64Encoded"`
	RequestContext        struct {
		AccountID  string `json:"accountId"`
		APIID      string `json:"apiId"`
		DomainName string `json:"domainName"`
		RequestID  string `json:"requestId"`
		RouteKey   string `json:"routeKey"`
		Stage      string `json:"stage"`
		Time       string `json:"time"`
		TimeEpoch  int64  `json:"timeEpoch"`
		HTTP       struct {
			Method    string `json:"method"`
			Path      string `json:"path"`
			Protocol  string `json:"protocol"`
			SourceIP  string `json:"sourceIp"`
			UserAgent string `json:"userAgent"`
		} `json:"http"`
		Authorizer struct {
			JWT struct {
				Claims map[string]string `json:"claims"`
				Scopes []string          `json:"scopes"`
			} `json:"jwt"`
		} `json:"authorizer"`
	} `json:"requestContext"`
}

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

func TestSampleEvents(t *testing.T) {
	r := load(t)
	bodySchemas := newBodyValidator(t, r)
	for _, id := range sortedKeys(r.Functions) {
		f := r.Functions[id]
		t.Run(f.Dir, func(t *testing.T) {
			path := filepath.Join(r.Root, "events", f.Dir+".json")
			raw, err := os.ReadFile(path)
			require.NoError(t, err, "%s needs a sample event at events/%s.json", id, f.Dir)
			require.True(t, json.Valid(raw), "events/%s.json is not valid JSON", f.Dir)
			if _, scheduled := scheduledFunctions[id]; scheduled {
				// An EventBridge scheduled event, as `sam local generate-event
				// cloudwatch scheduled-event` writes it.
				var ev map[string]any
				require.NoError(t, json.Unmarshal(raw, &ev), "events/%s.json", f.Dir)
				assert.Equal(t, "aws.events", ev["source"], "events/%s.json: source", f.Dir)
				assert.Equal(t, "Scheduled Event", ev["detail-type"], "events/%s.json: detail-type", f.Dir)
			}
			if len(f.Routes) == 0 {
				return // other non-API functions: the event only has to parse
			}
			var ev apiEvent
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			require.NoError(t, dec.Decode(&ev), "events/%s.json", f.Dir)

			rt := f.Routes[0]
			rc := ev.RequestContext
			assert.Equal(t, "2.0", ev.Version, "payload format version")
			assert.Equal(t, rt.String(), ev.RouteKey, "routeKey")
			assert.Equal(t, rt.String(), rc.RouteKey, "requestContext.routeKey")
			assert.Equal(t, rt.Method, rc.HTTP.Method, "requestContext.http.method")
			assert.Equal(t, "$default", rc.Stage, "requestContext.stage")
			assert.NotEmpty(t, rc.RequestID, "requestContext.requestId")
			assert.NotEmpty(t, rc.AccountID, "requestContext.accountId")
			assert.NotEmpty(t, rc.APIID, "requestContext.apiId")
			assert.NotEmpty(t, rc.DomainName, "requestContext.domainName")
			assert.NotEmpty(t, rc.Time, "requestContext.time")
			assert.Positive(t, rc.TimeEpoch, "requestContext.timeEpoch")
			assert.NotEmpty(t, rc.HTTP.SourceIP, "requestContext.http.sourceIp")
			assert.NotNil(t, ev.IsBase64Encoded, "isBase64Encoded")
			if ev.IsBase64Encoded != nil {
				assert.False(t, *ev.IsBase64Encoded, "isBase64Encoded")
			}
			claims := rc.Authorizer.JWT.Claims
			assert.Regexp(t, `^[A-Za-z0-9_.@:-]{1,64}$`, claims["sub"], "requestContext.authorizer.jwt.claims.sub")
			for _, c := range []string{"iss", "aud", "exp"} {
				assert.NotEmpty(t, claims[c], "requestContext.authorizer.jwt.claims.%s", c)
			}

			// rawPath is the route with its path parameters filled in.
			want := pathParam.ReplaceAllStringFunc(rt.Path, func(m string) string {
				name := pathParam.FindStringSubmatch(m)[1]
				v, ok := ev.PathParameters[name]
				assert.True(t, ok, "pathParameters.%s missing", name)
				return v
			})
			assert.Equal(t, want, ev.RawPath, "rawPath")
			assert.Equal(t, ev.RawPath, rc.HTTP.Path, "requestContext.http.path")
			if len(pathParam.FindAllString(rt.Path, -1)) == 0 {
				assert.Empty(t, ev.PathParameters, "pathParameters on a route without parameters")
			}

			// queryStringParameters agree with rawQueryString.
			q, err := url.ParseQuery(ev.RawQueryString)
			assert.NoError(t, err, "rawQueryString")
			gotQ := map[string]string{}
			for k, v := range q {
				gotQ[k] = strings.Join(v, ",")
			}
			if len(gotQ) > 0 || len(ev.QueryStringParameters) > 0 {
				assert.Equal(t, gotQ, ev.QueryStringParameters, "queryStringParameters vs rawQueryString")
			}

			// Required parameters of the OpenAPI operation are present.
			op := r.Ops[rt]
			require.NotNil(t, op, "openapi.yaml has no operation for %s", rt)
			for _, p := range op.Params {
				name := strAt(p, "name")
				if req, _ := p["required"].(bool); !req {
					continue
				}
				switch strAt(p, "in") {
				case "query":
					assert.Contains(t, ev.QueryStringParameters, name, "required query parameter")
				case "path":
					assert.Contains(t, ev.PathParameters, name, "required path parameter")
				case "header":
					assert.Contains(t, ev.Headers, strings.ToLower(name), "required header")
				}
			}

			// Parameter values in the event are valid against their schemas.
			for i, p := range op.Params {
				name, in := strAt(p, "name"), strAt(p, "in")
				var raw string
				var ok bool
				switch in {
				case "query":
					raw, ok = ev.QueryStringParameters[name]
				case "path":
					raw, ok = ev.PathParameters[name]
				case "header":
					raw, ok = ev.Headers[strings.ToLower(name)]
				}
				if !ok {
					continue
				}
				if !assert.NotEmpty(t, op.ParamRefs[i], "%s parameter %s should be a $ref to components", in, name) {
					continue
				}
				v, err := paramValue(r.resolve(t, p["schema"]), raw)
				if assert.NoError(t, err, "%s parameter %s=%q", in, name, raw) {
					assert.NoError(t, bodySchemas.validate(op.ParamRefs[i]+"/schema", v), "%s parameter %s=%q", in, name, raw)
				}
			}

			// A body is JSON and valid against the operation's request schema.
			if body := r.resolve(t, op.Op["requestBody"]); body != nil {
				if req, _ := body["required"].(bool); req {
					require.NotNil(t, ev.Body, "the operation requires a body")
				}
				if ev.Body != nil {
					var v any
					require.NoError(t, json.Unmarshal([]byte(*ev.Body), &v), "body is not JSON")
					ref := strAt(body, "content", "application/json", "schema", "$ref")
					require.NotEmpty(t, ref, "request body schema should be a $ref to components")
					assert.NoError(t, bodySchemas.validate(ref, v), "body vs %s", ref)
				}
			} else {
				assert.True(t, ev.Body == nil || *ev.Body == "", "%s takes no body", rt)
			}
			if ev.Body != nil && *ev.Body != "" {
				assert.Equal(t, "application/json", ev.Headers["content-type"], "content-type header")
			}
		})
	}
}

// paramValue converts a raw query, path or header value to the JSON value its
// schema describes: integers are parsed, arrays are comma-separated (style
// form, explode false), everything else stays a string.
func paramValue(schema map[string]any, raw string) (any, error) {
	switch strAt(schema, "type") {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("not an integer: %w", err)
		}
		return n, nil
	case "array":
		var out []any
		for _, s := range strings.Split(raw, ",") {
			out = append(out, s)
		}
		return out, nil
	}
	return raw, nil
}

// bodyValidator compiles openapi.yaml's component schemas with a JSON Schema
// validator. The request schemas avoid OpenAPI-3.0-only keywords (nullable,
// boolean exclusiveMinimum), so they are valid JSON Schema; response
// schemas may say `nullable`, which responses_test.go rewrites first.
type bodyValidator struct {
	c       *jsonschema.Compiler
	schemas map[string]*jsonschema.Schema
}

const openapiURL = "file:///circles/openapi.json"

func newBodyValidator(t *testing.T, r *repo) *bodyValidator {
	t.Helper()
	// Round-trip through JSON so the compiler sees plain JSON types.
	raw, err := json.Marshal(r.OpenAPI)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(openapiURL, doc))
	return &bodyValidator{c: c, schemas: map[string]*jsonschema.Schema{}}
}

func (b *bodyValidator) validate(ref string, v any) error {
	s, ok := b.schemas[ref]
	if !ok {
		var err error
		s, err = b.c.Compile(openapiURL + ref)
		if err != nil {
			return fmt.Errorf("compile %s: %w", ref, err)
		}
		b.schemas[ref] = s
	}
	return s.Validate(v)
}

// Every sample that changes something carries its own Idempotency-Key:
// run one after another on one table (make seed, then the samples), two
// with the same key would replay, or refuse, each other.
func TestSampleEventsUseDistinctIdempotencyKeys(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "events", "*.json"))
	require.NoError(t, err)
	seen := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var e struct {
			Headers map[string]string `json:"headers"`
		}
		require.NoError(t, json.Unmarshal(raw, &e), f)
		key := e.Headers["idempotency-key"]
		if key == "" {
			continue
		}
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s share the Idempotency-Key %s", filepath.Base(other), filepath.Base(f), key)
		}
		seen[key] = f
	}
	assert.NotEmpty(t, seen)
}

// The checker reports violations by the invariant's number in README's
// contract; openapi.yaml must admit every number the README lists.
func TestTheViolationSchemaAdmitsEveryDocumentedInvariant(t *testing.T) {
	r := load(t)
	readme, err := os.ReadFile(filepath.Join(r.Root, "README.md"))
	require.NoError(t, err)
	_, after, ok := strings.Cut(string(readme), "**Invariants.**")
	require.True(t, ok, "README has the invariants list")
	n := 0
	for _, line := range strings.Split(after, "\n") {
		if strings.HasPrefix(line, strconv.Itoa(n+1)+". ") {
			n++
		} else if n > 0 && strings.HasPrefix(line, "**") {
			break
		}
	}
	require.Greater(t, n, 5)
	inv := mapAt(r.OpenAPI, "components", "schemas", "Violation", "properties", "invariant")
	assert.EqualValues(t, 1, inv["minimum"])
	assert.EqualValues(t, n, inv["maximum"], "openapi's Violation.invariant admits invariants 1..%d", n)
}
