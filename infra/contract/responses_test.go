package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/localauth"
)

// TestEveryRouteAnswersWhatOpenAPISays deploys the whole system on the local
// stack, drives one realistic scenario through the local HTTP API that calls
// every operation of openapi.yaml with success, and a few with bad input,
// and checks each answer against openapi.yaml: the status is one the
// operation declares, and the JSON body is valid against that response's
// schema. Every operation must have answered 2xx at least once, so a new
// route without coverage here fails the test.
func TestEveryRouteAnswersWhatOpenAPISays(t *testing.T) {
	r := load(t)
	c := deployForTest(t, r, "responses", 5*time.Minute)
	runScenario(t, c)

	// Every operation answered 2xx at least once.
	var missing []string
	for _, rt := range sortedRoutes(r.Ops) {
		if id := strAt(r.Ops[rt].Op, "operationId"); !c.seen[id] {
			missing = append(missing, id+" ("+rt.String()+")")
		}
	}
	assert.Empty(t, missing, "operations never exercised with a 2xx answer: add them to the scenario")
}

// deployForTest deploys the whole system on the local stack, on a fresh
// table named after prefix that is dropped at the end, serves its HTTP API
// on a local port and returns a client for it. Every function runs
// (Functions empty), the pipeline that delivers notifications included;
// admin is the app admin. The deployment's output is logged if the test
// fails.
func deployForTest(t *testing.T, r *repo, prefix string, timeout time.Duration) *apiClient {
	t.Helper()
	dep := deployHTTP(t, prefix, timeout, devstack.DeployOptions{Env: map[string]string{"APP_ADMIN_USER_IDS": "admin"}})

	tmpl, err := devstack.LoadTemplate(filepath.Join(r.Root, "template.yaml"))
	require.NoError(t, err)
	routes, err := tmpl.Routes()
	require.NoError(t, err)
	router, err := devstack.NewRouter(routes)
	require.NoError(t, err)
	return &apiClient{
		t: t, url: dep.url, secret: dep.secret, r: r, router: router,
		v: newResponseValidator(t, r), seen: map[string]bool{},
	}
}

func runScenario(t *testing.T, c *apiClient) {
	g := "g-resp"

	// --- Users.
	for _, u := range []string{"alice", "bob", "carol", "dave", "erin", "gina"} {
		p := c.ok(200, u, "PUT", "/users/me", map[string]any{"nickname": strings.ToUpper(u[:1]) + u[1:], "faceURL": "https://example.com/" + u + ".png"})
		assert.Equal(t, u, p["userID"])
	}
	c.ok(200, "admin", "PUT", "/admin/users/frank", map[string]any{"nickname": "Frank", "ex": `{"imported":true}`})
	users := c.ok(200, "alice", "GET", "/users?userIDs=alice,frank,nobody", nil)
	assert.Len(t, users["items"], 2, "users without a profile are omitted")

	// --- Groups.
	grp := c.ok(201, "alice", "POST", "/groups", map[string]any{
		"groupID": g, "groupName": "Responses", "notification": "hi", "introduction": "a test group",
		"memberUserIDs": []string{"bob", "carol"}, "adminUserIDs": []string{"dave"},
	})
	assert.Equal(t, g, grp["groupID"])
	c.ok(200, "bob", "GET", "/groups?groupIDs="+g+",nope", nil)
	c.ok(200, "bob", "GET", "/users/me/groups?limit=10", nil)
	ver := fmt.Sprint(c.ok(200, "alice", "GET", "/groups?groupIDs="+g, nil)["items"].([]any)[0].(map[string]any)["version"])
	c.ok(200, "alice", "PATCH", "/groups/"+g, map[string]any{"groupName": "Responses!", "notification": "Meeting at 10"}, "If-Match", ver)
	c.ok(200, "carol", "GET", "/groups/"+g+"/members", nil)
	c.ok(200, "carol", "GET", "/groups/"+g+"/members?filter=5&limit=1", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/member-info?userIDs=alice,carol,nobody", nil)
	c.ok(200, "bob", "PATCH", "/groups/"+g+"/members/bob", map[string]any{"nickname": "Bobby", "ex": "x"})
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/members/carol", map[string]any{"roleLevel": 60})
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/members/carol", map[string]any{"roleLevel": 20})
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/members", map[string]any{"members": []map[string]any{
		{"userID": "bob", "ex": "y"}, {"userID": "carol", "nickname": "Caro", "roleLevel": 60}}})
	found := c.ok(200, "carol", "GET", "/groups/"+g+"/members?keyword=CAR&limit=1", nil)["items"].([]any)
	require.Len(t, found, 1)
	assert.Equal(t, "carol", found[0].(map[string]any)["userID"], "member search finds the batch's new nickname")
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/members/carol", map[string]any{"roleLevel": 20})
	c.ok(200, "alice", "POST", "/groups/"+g+"/members/carol/mute", map[string]any{"mutedSeconds": 3600})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/members/carol/mute", nil)
	// lookMemberInfo 1: bob's copy of others keeps the public fields only,
	// and still matches the Member schema (the private fields are absent,
	// never zero: joinSource 0 is not a join source).
	c.ok(200, "alice", "PATCH", "/groups/"+g, map[string]any{"lookMemberInfo": 1})
	masked := c.ok(200, "bob", "GET", "/groups/"+g+"/member-info?userIDs=alice,bob", nil)["items"].([]any)
	require.Len(t, masked, 2)
	assert.NotContains(t, masked[0], "joinSource", "alice's record as bob reads it")
	assert.Contains(t, masked[1], "joinSource", "bob's own record")
	c.ok(200, "bob", "GET", "/groups/"+g+"/members", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g, map[string]any{"lookMemberInfo": 0})
	c.ok(200, "dave", "POST", "/groups/"+g+"/mute", nil)
	c.ok(200, "dave", "DELETE", "/groups/"+g+"/mute", nil)

	// --- Applications: erin applies (needVerification 0), alice agrees.
	jr := c.ok(200, "erin", "POST", "/groups/"+g+"/applications", map[string]any{"reqMsg": "let me in", "joinSource": 3})
	assert.Equal(t, false, jr["joined"])
	c.ok(200, "erin", "GET", "/applications/sent", nil)
	c.ok(200, "alice", "GET", "/applications/received?groupID="+g+"&handleResult=0", nil)
	c.fail(400, "INVALID_ARGUMENT", "alice", "GET", "/applications/received?groupID=", nil) // not "every group"
	c.fail(400, "INVALID_ARGUMENT", "alice", "GET", "/applications/received?limit=", nil)
	c.ok(200, "alice", "GET", "/applications/received?cursor=", nil) // an empty cursor is the first page
	c.fail(400, "INVALID_ARGUMENT", "bob", "PUT", "/users/me", map[string]any{"nickname": nil})
	c.ok(200, "dave", "GET", "/applications/received?limit=5", nil)
	c.ok(200, "alice", "PUT", "/groups/"+g+"/applications/erin", map[string]any{"handleResult": 1, "handledMsg": "welcome"})
	c.ok(200, "alice", "GET", "/applications/received", nil)
	// A second group anyone joins at once.
	c.ok(201, "bob", "POST", "/groups", map[string]any{"groupID": g + "-open", "needVerification": 2})
	jr = c.ok(200, "gina", "POST", "/groups/"+g+"-open/applications", nil)
	assert.Equal(t, true, jr["joined"])

	// --- Invite and kick.
	inv := c.ok(200, "alice", "POST", "/groups/"+g+"/members", map[string]any{"userIDs": []string{"frank", "bob", "mallory"}, "reason": "join us"})
	assert.Equal(t, []any{"frank"}, inv["joined"])
	kick := c.ok(200, "alice", "POST", "/groups/"+g+"/kick", map[string]any{"userIDs": []string{"frank", "alice"}, "reason": "bye"})
	assert.Equal(t, []any{"frank"}, kick["kicked"])
	c.ok(200, "bob", "GET", "/groups/"+g+"/changes", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/changes?sinceVersion=3&limit=2", nil)
	// Sync across groups: bob's joined-group log (first call: full), then
	// from its token; and the batch of changes, where his group moved.
	jc := c.ok(200, "bob", "GET", "/users/me/groups/changes", nil)
	assert.Equal(t, true, jc["full"])
	c.ok(200, "bob", "GET", "/users/me/groups/changes?since="+jc["token"].(string), nil)
	gc := c.ok(200, "bob", "POST", "/groups/changes:batch", map[string]any{"groups": []map[string]any{{"groupID": g, "sinceVersion": 1}, {"groupID": "nowhere", "sinceVersion": 0}}})
	assert.Len(t, gc["groups"], 1, "only bob's group that moved")

	// --- Roles.
	r1 := c.ok(201, "alice", "POST", "/groups/"+g+"/roles", map[string]any{"name": "mods", "icon": "m.png", "auths": map[string]string{"kickMember": "allow", "muteMember": "deny"}})["roleID"].(string)
	r2 := c.ok(201, "alice", "POST", "/groups/"+g+"/roles", map[string]any{"name": "helpers"})["roleID"].(string)
	c.ok(200, "bob", "GET", "/groups/"+g+"/roles", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/roles/"+r1, map[string]any{"name": "moderators", "auths": map[string]string{"muteMember": "inherit", "remindEveryone": "allow"}})
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/roles/everyone", map[string]any{"auths": map[string]string{"sendMsg": "allow"}})
	roles := c.ok(200, "alice", "GET", "/groups/"+g+"/roles", nil)["items"].([]any)
	prio := map[string]any{}
	for _, it := range roles {
		m := it.(map[string]any)
		prio[m["roleID"].(string)] = m["priority"]
	}
	c.ok(200, "alice", "PUT", "/groups/"+g+"/role-priorities", map[string]any{"priorities": map[string]any{r1: prio[r2], r2: prio[r1]}})
	rm := c.ok(200, "alice", "POST", "/groups/"+g+"/roles/"+r1+"/members", map[string]any{"userIDs": []string{"bob", "carol", "mallory"}})
	assert.Equal(t, []any{"mallory"}, rm["failedUserIDs"])
	c.ok(200, "bob", "GET", "/groups/"+g+"/roles/"+r1+"/members", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/members/bob/roles", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/member-info?userIDs=bob,carol", nil) // roleIDs set
	c.ok(200, "alice", "POST", "/groups/"+g+"/roles/"+r1+"/members/remove", map[string]any{"userIDs": []string{"carol", "erin"}})
	c.ok(200, "alice", "GET", "/groups/"+g+"/member-info?userIDs=carol", nil) // roleIDs emptied again

	// --- Custom permission items (app admins).
	ca := c.ok(201, "admin", "POST", "/custom-auths", map[string]any{"name": "pinMessage", "defaultRight": "deny"})
	key := ca["key"].(string)
	c.ok(200, "admin", "GET", "/custom-auths", nil)

	// --- Channels.
	ch := c.ok(201, "alice", "POST", "/groups/"+g+"/channels", map[string]any{"name": "general", "topic": "chat"})["channelID"].(string)
	priv := c.ok(201, "alice", "POST", "/groups/"+g+"/channels", map[string]any{"name": "staff", "viewMode": 1})["channelID"].(string)
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels", nil)
	c.ok(200, "alice", "GET", "/groups/"+g+"/channels?limit=1", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/channels/"+ch, map[string]any{"topic": "announcements", "ext": "e"})
	c.ok(200, "alice", "POST", "/groups/"+g+"/channels/"+ch+"/access", map[string]any{"op": "add", "userIDs": []string{"carol"}, "roleIDs": []string{r2}})
	c.ok(200, "alice", "POST", "/groups/"+g+"/channels/"+priv+"/access", map[string]any{"op": "add", "userIDs": []string{"bob"}})
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+ch+"/access", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+priv+"/access", nil) // bob is on the whitelist now
	c.ok(201, "alice", "POST", "/groups/"+g+"/channels/"+ch+"/roles", map[string]any{"parentRoleID": r1})
	c.ok(201, "alice", "POST", "/groups/"+g+"/channels/"+ch+"/roles", map[string]any{"parentRoleID": "everyone"})
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+ch+"/roles", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/channels/"+ch+"/roles/"+r1, map[string]any{"auths": map[string]string{"sendMsg": "allow", "deleteMsg": "deny", key: "allow"}})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/channels/"+ch+"/roles/everyone", nil)
	c.ok(200, "alice", "PUT", "/groups/"+g+"/channels/"+ch+"/members/bob/auths", map[string]any{"auths": map[string]string{"sendMsg": "deny"}})
	got := c.ok(200, "alice", "GET", "/groups/"+g+"/permissions?auths=sendMsg,kickMember,"+key+"&channelID="+ch+"&userID=bob", nil)
	assert.Equal(t, map[string]any{"sendMsg": false, "kickMember": true, key: true}, got["auths"])
	c.ok(200, "bob", "GET", "/groups/"+g+"/permissions?auths=sendMsg,manageGroup", nil)
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/channels/"+ch+"/members/bob/auths", nil)
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/channels/"+ch+"/roles/"+r1, nil)
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/channels/"+priv, nil)

	// --- Categories: ch follows one, then leaves it when it is deleted.
	k := c.ok(201, "alice", "POST", "/groups/"+g+"/categories", map[string]any{"name": "lounge", "position": 2})["categoryID"].(string)
	c.ok(200, "bob", "GET", "/groups/"+g+"/categories", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/categories/"+k, map[string]any{"ext": "e", "position": 1})
	c.ok(200, "alice", "POST", "/groups/"+g+"/categories/"+k+"/access", map[string]any{"op": "add", "userIDs": []string{"erin"}, "roleIDs": []string{r2}})
	c.ok(200, "bob", "GET", "/groups/"+g+"/categories/"+k+"/access", nil)
	c.ok(201, "alice", "POST", "/groups/"+g+"/categories/"+k+"/roles", map[string]any{"parentRoleID": r1})
	c.ok(201, "alice", "POST", "/groups/"+g+"/categories/"+k+"/roles", map[string]any{"parentRoleID": "everyone"})
	c.ok(200, "bob", "GET", "/groups/"+g+"/categories/"+k+"/roles", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/categories/"+k+"/roles/"+r1, map[string]any{"auths": map[string]string{"sendMsg": "allow", key: "allow"}})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/categories/"+k+"/roles/everyone", nil)
	c.ok(200, "alice", "PUT", "/groups/"+g+"/categories/"+k+"/members/bob/auths", map[string]any{"auths": map[string]string{"sendMsg": "deny"}})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/categories/"+k+"/members/bob/auths", nil)
	c.ok(200, "alice", "PATCH", "/groups/"+g+"/channels/"+ch, map[string]any{"categoryID": k, "syncMode": 1})
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+ch+"/access", nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+ch, nil)
	c.ok(200, "bob", "GET", "/groups/"+g+"/channels/"+ch+"/members?limit=2", nil)
	c.ok(200, "alice", "PUT", "/groups/"+g+"/category-positions", map[string]any{"positions": map[string]int{k: 2}})
	c.ok(200, "alice", "PUT", "/groups/"+g+"/channel-positions", map[string]any{"categoryID": k, "positions": map[string]int{ch: 1}})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/categories/"+k, nil)
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/roles/"+r2, nil)

	// --- Bans and invite codes: frank, kicked above, is banned, refused,
	// unbanned, and comes back with a code.
	c.ok(200, "alice", "POST", "/groups/"+g+"/bans", map[string]any{"userIDs": []string{"frank"}, "reason": "spam", "expireTime": 0})
	c.ok(200, "dave", "GET", "/groups/"+g+"/bans", nil)
	c.fail(403, "BANNED", "frank", "POST", "/groups/"+g+"/applications", map[string]any{"reqMsg": "sorry"})
	c.ok(200, "alice", "POST", "/groups/"+g+"/bans/remove", map[string]any{"userIDs": []string{"frank"}})
	code := c.ok(201, "alice", "POST", "/groups/"+g+"/invite-codes", map[string]any{"maxUses": 2})
	c.ok(200, "dave", "GET", "/groups/"+g+"/invite-codes", nil)
	c.ok(200, "frank", "POST", "/groups/"+g+"/join-by-code", map[string]any{"code": code["code"]})
	c.fail(400, "INVALID_ARGUMENT", "frank", "POST", "/groups/"+g+"/join-by-code", map[string]any{"code": "not a code"})
	c.ok(200, "alice", "DELETE", "/groups/"+g+"/invite-codes/"+code["codeID"].(string), nil)
	c.ok(200, "alice", "GET", "/applications/received/count", nil)
	c.ok(200, "alice", "GET", "/applications/received/count?groupID="+g, nil)

	// --- Every route decodes its body; those without one refuse any.
	checkBodiesAreDecoded(t, c, g, map[string]string{"groupID": g, "userID": "carol", "roleID": r1, "channelID": ch})

	// --- Admin check, idempotent replay.
	c.ok(200, "admin", "POST", "/admin/groups/"+g+"/check", map[string]any{"repair": false})
	c.ok(200, "admin", "POST", "/admin/groups/"+g+"/check", nil)
	first := c.ok(200, "alice", "POST", "/groups/"+g+"/members/carol/mute", map[string]any{"mutedSeconds": 60}, "Idempotency-Key", "mute-carol-1")
	replay := c.ok(200, "alice", "POST", "/groups/"+g+"/members/carol/mute", map[string]any{"mutedSeconds": 60}, "Idempotency-Key", "mute-carol-1")
	assert.Equal(t, first, replay, "the same key and body replay the first answer")

	// --- Bad input: every error body is in the Error format and its status is declared.
	bad := []struct {
		user, method, path string
		body               any
		status             int
		code               string
		hdr                []string
	}{
		{"", "GET", "/users?userIDs=alice", nil, 401, "UNAUTHENTICATED", nil},
		{"alice", "GET", "/users", nil, 400, "INVALID_ARGUMENT", nil},
		{"alice", "POST", "/groups", map[string]any{"groupName": "x", "colour": "red"}, 400, "INVALID_ARGUMENT", nil},
		{"alice", "POST", "/groups", map[string]any{"groupID": g}, 409, "GROUP_ID_EXISTS", nil},
		{"alice", "PUT", "/admin/users/zed", map[string]any{"nickname": "Zed"}, 403, "NO_PERMISSION", nil},
		{"alice", "GET", "/custom-auths", nil, 403, "NO_PERMISSION", nil},
		{"alice", "GET", "/groups/nope/members", nil, 404, "GROUP_NOT_FOUND", nil},
		{"gina", "GET", "/groups/" + g + "/members", nil, 403, "NOT_IN_GROUP", nil},
		{"bob", "POST", "/groups/" + g + "/applications", map[string]any{"reqMsg": "again"}, 409, "ALREADY_IN_GROUP", nil},
		{"alice", "PUT", "/groups/" + g + "/applications/erin", map[string]any{"handleResult": -1}, 409, "APPLICATION_HANDLED", nil},
		{"alice", "PUT", "/groups/" + g + "/applications/gina", map[string]any{"handleResult": 1}, 404, "NOT_FOUND", nil},
		{"alice", "PATCH", "/groups/" + g, map[string]any{"groupName": "stale"}, 409, "CONFLICT", []string{"If-Match", "1"}},
		{"alice", "POST", "/groups/" + g + "/quit", nil, 409, "OWNER_CANNOT_QUIT", nil},
		{"alice", "POST", "/groups/" + g + "/members/carol/mute", map[string]any{"mutedSeconds": 61}, 409, "IDEMPOTENCY_MISMATCH", []string{"Idempotency-Key", "mute-carol-1"}},
		{"alice", "DELETE", "/groups/" + g + "/roles/everyone", nil, 403, "NO_PERMISSION", nil},
		{"alice", "POST", "/groups/" + g + "/roles/nope/members", map[string]any{"userIDs": []string{"bob"}}, 404, "NOT_FOUND", nil},
		{"alice", "GET", "/groups/" + g + "/permissions?auths=sendMsg,flyToTheMoon", nil, 400, "INVALID_ARGUMENT", nil},
		{"alice", "GET", "/groups/" + g + "/permissions?auths=sendMsg&channelID=nope", nil, 404, "NOT_FOUND", nil},
		{"alice", "POST", "/groups/" + g + "/channels", map[string]any{"name": "x", "viewMode": 7}, 400, "INVALID_ARGUMENT", nil},
		{"bob", "POST", "/groups/" + g + "/members/carol/mute", map[string]any{"mutedSeconds": 0}, 400, "INVALID_ARGUMENT", nil},
	}
	for _, b := range bad {
		c.fail(b.status, b.code, b.user, b.method, b.path, b.body, b.hdr...)
	}

	// --- Ownership moves, the old owner quits, an admin removes a member, the new owner dismisses.
	c.ok(200, "alice", "POST", "/groups/"+g+"/owner", map[string]any{"newOwnerUserID": "bob"})
	c.ok(200, "alice", "POST", "/groups/"+g+"/quit", nil)
	c.ok(200, "admin", "POST", "/groups/"+g+"/quit", map[string]any{"userID": "erin"})

	// Personal notifications arrive asynchronously (stream -> SNS -> SQS ->
	// inbox): erin's application was handled, she was removed.
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := c.ok(200, "erin", "GET", "/users/me/notifications?afterSeq=0&limit=50", nil)
		if items, _ := n["items"].([]any); len(items) > 0 || time.Now().After(deadline) {
			assert.NotEmpty(t, items, "erin's inbox stayed empty")
			break
		}
		time.Sleep(300 * time.Millisecond)
	}

	c.ok(200, "bob", "DELETE", "/groups/"+g, nil)
	c.fail(410, "GROUP_DISMISSED", "bob", "PATCH", "/groups/"+g, map[string]any{"groupName": "too late"})
	c.fail(410, "GROUP_DISMISSED", "bob", "POST", "/groups/"+g+"/roles", map[string]any{"name": "too late"})
}

// ---------------------------------------------------------------------------
// The client: every answer is checked against openapi.yaml.

type apiClient struct {
	t      *testing.T
	url    string
	secret []byte
	r      *repo
	router *devstack.Router
	v      *bodyValidator
	seen   map[string]bool // operationIds that answered 2xx
}

// call sends one request as user ("" sends no token) with optional header
// name/value pairs, checks the answer against openapi.yaml and returns the
// status and the decoded body.
func (c *apiClient) call(user, method, path string, body any, hdr ...string) (int, map[string]any) {
	t := c.t
	t.Helper()
	var rd io.Reader
	if raw, ok := body.(rawBody); ok {
		rd = strings.NewReader(string(raw))
	} else if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.url+path, rd)
	require.NoError(t, err)
	if user != "" {
		tok, err := localauth.Mint(c.secret, user, time.Hour)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	what := fmt.Sprintf("%s %s as %q -> %d %s", method, path, user, resp.StatusCode, raw)

	u, err := url.Parse(path)
	require.NoError(t, err)
	m, ok := c.router.Match(method, u.EscapedPath())
	require.True(t, ok, "no template route for %s %s", method, path)
	rt := route{m.Route.Method, m.Route.Path}
	op := c.r.Ops[rt]
	require.NotNil(t, op, "openapi.yaml has no operation for %s", rt)
	id := strAt(op.Op, "operationId")
	status := strconv.Itoa(resp.StatusCode)

	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", ct, "Content-Type of %s", what)
	var v map[string]any
	if !assert.NoError(t, json.Unmarshal(raw, &v), "body of %s is not a JSON object", what) {
		return resp.StatusCode, nil
	}
	resps := mapAt(op.Op, "responses")
	if _, declared := resps[status]; !assert.True(t, declared, "%s (%s): status %s is not declared in openapi.yaml", id, rt, status) {
		return resp.StatusCode, v
	}
	if ptr := c.schemaPointer(rt, op, status); assert.NotEmpty(t, ptr, "%s: response %s has no application/json schema", id, status) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		require.NoError(t, err)
		if err := c.v.validate(ptr, doc); err != nil {
			t.Errorf("%s (%s): body does not match %s\n%s\n%v", id, rt, ptr, what, err)
		}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.seen[id] = true
	}
	return resp.StatusCode, v
}

// schemaPointer is the JSON pointer (into openapi.yaml) of the schema of
// the operation's response for status.
func (c *apiClient) schemaPointer(rt route, op *operation, status string) string {
	resp := mapAt(op.Op, "responses", status)
	base := "#/paths/" + ptrEscape(rt.Path) + "/" + strings.ToLower(rt.Method) + "/responses/" + status
	if ref := strAt(resp, "$ref"); ref != "" {
		resp, base = c.r.resolve(c.t, resp), ref
	}
	if mapAt(resp, "content", "application/json", "schema") == nil {
		return ""
	}
	// A $ref to components is the common case; follow it directly.
	if ref := strAt(resp, "content", "application/json", "schema", "$ref"); ref != "" {
		return ref
	}
	return base + "/content/application~1json/schema"
}

func ptrEscape(s string) string {
	return url.PathEscape(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
}

// ok calls and requires the status.
func (c *apiClient) ok(want int, user, method, path string, body any, hdr ...string) map[string]any {
	c.t.Helper()
	status, v := c.call(user, method, path, body, hdr...)
	require.Equal(c.t, want, status, "%s %s as %s: %v", method, path, user, v)
	return v
}

// errCodes is the code -> (HTTP status, errCode) table of
// components.schemas.ErrorCode.
var errCodes = map[string][2]int{
	"INVALID_ARGUMENT": {400, 1001}, "UNAUTHENTICATED": {401, 1000}, "NO_PERMISSION": {403, 1002},
	"NOT_FOUND": {404, 1004}, "GROUP_NOT_FOUND": {404, 1201}, "NOT_IN_GROUP": {403, 1203},
	"GROUP_ID_EXISTS": {409, 1202}, "ALREADY_IN_GROUP": {409, 1003}, "GROUP_DISMISSED": {410, 1204},
	"APPLICATION_HANDLED": {409, 1206}, "OWNER_CANNOT_QUIT": {409, 1002}, "CONFLICT": {409, 1003},
	"LIMIT_EXCEEDED": {422, 1001}, "IDEMPOTENCY_MISMATCH": {409, 1001}, "UNAVAILABLE": {503, 500},
	"INTERNAL": {500, 500}, "BANNED": {403, 1207},
}

// fail calls and expects an error answer with the code; the body was
// already checked against the status's schema (the Error schema).
func (c *apiClient) fail(want int, code, user, method, path string, body any, hdr ...string) {
	t := c.t
	t.Helper()
	status, v := c.call(user, method, path, body, hdr...)
	what := fmt.Sprintf("%s %s as %q", method, path, user)
	assert.Equal(t, want, status, "%s: %v", what, v)
	e, _ := v["error"].(map[string]any)
	if !assert.NotNil(t, e, "%s: an error body: %v", what, v) {
		return
	}
	assert.Equal(t, code, e["code"], "%s: %v", what, v)
	if pair, ok := errCodes[code]; assert.True(t, ok, code) {
		assert.Equal(t, pair[0], status, "%s: the HTTP status of %s", what, code)
		assert.EqualValues(t, pair[1], e["errCode"], "%s: the errCode of %s", what, code)
	}
}

// newResponseValidator is newBodyValidator over a copy of openapi.yaml in
// which OpenAPI 3.0's `nullable: true` is spelled as JSON Schema does
// (type [T, "null"]), so a response field the API declares nullable may be
// null.
func newResponseValidator(t *testing.T, r *repo) *bodyValidator {
	t.Helper()
	raw, err := json.Marshal(r.OpenAPI)
	require.NoError(t, err)
	var doc any
	require.NoError(t, json.Unmarshal(raw, &doc))
	translateNullable(doc)
	cp := *r
	cp.OpenAPI = doc.(map[string]any)
	return newBodyValidator(t, &cp)
}

func translateNullable(v any) {
	switch x := v.(type) {
	case map[string]any:
		if n, _ := x["nullable"].(bool); n {
			if typ, ok := x["type"].(string); ok {
				x["type"] = []any{typ, "null"}
			}
			delete(x, "nullable")
		}
		for _, e := range x {
			translateNullable(e)
		}
	case []any:
		for _, e := range x {
			translateNullable(e)
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
