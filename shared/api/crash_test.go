package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/store"
)

// The real functions run as processes behind the local API. With
// CIRCLES_TEST_CRASH_AFTER_COMMIT they exit right after a request's commit,
// before its response is stored, once per request. The client's retry with
// the same Idempotency-Key, after the lease, must not apply the request a
// second time: no second auto-ID group, role or channel.
func TestARetryAfterACrashBetweenCommitAndResponseDoesNotApplyTheRequestAgain(t *testing.T) {
	cfg := stacktest.AWSConfig(t, "DYNAMODB", "SNS", "SQS")
	ddb := dynamodb.NewFromConfig(cfg)
	table := fmt.Sprintf("crash-%d", time.Now().UnixNano())
	secret := []byte("crash-test-secret")
	out := &devstack.SyncBuffer{}
	crashes := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		_ = devstack.DeleteTable(context.Background(), ddb, table)
		if t.Failed() {
			t.Logf("deployment output:\n%s", out.String())
		}
	})
	d, err := devstack.Deploy(ctx, devstack.DeployOptions{
		Table: table, Secret: secret, CachedBuild: true, Output: out,
		Env:       map[string]string{"CIRCLES_TEST_CRASH_AFTER_COMMIT": crashes},
		Functions: []string{"put-my-profile", "create-group", "create-role", "create-channel"},
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewServer(d.API)
	t.Cleanup(srv.Close)
	st := store.New(ddb, table)

	call := func(method, path, idemKey string, body any) (int, map[string]any) {
		t.Helper()
		tok, err := localauth.Mint(secret, "alice", time.Hour)
		require.NoError(t, err)
		b, err := json.Marshal(body)
		require.NoError(t, err)
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok)
		if idemKey != "" {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp.StatusCode, v
	}
	// No Idempotency-Key, so no crash: the setup.
	code, v := call("PUT", "/users/me", "", map[string]any{"nickname": "alice"})
	require.Equal(t, 200, code, "%v", v)
	code, v = call("POST", "/groups", "", map[string]any{"groupID": "g1"})
	require.Equal(t, 201, code, "%v", v)

	groups := func() int {
		page, err := st.ListJoinedGroups(ctx, "alice", 100, "")
		require.NoError(t, err)
		return len(page.Items)
	}
	g1 := func() (version int64, roles, channels int) {
		g, _, err := st.Snapshot(ctx, "g1")
		require.NoError(t, err)
		page, err := st.ListChannels(ctx, "g1", 100, "")
		require.NoError(t, err)
		return g.Version, len(g.Roles.Roles), len(page.Items)
	}
	cases := []struct {
		name, path, key string
		body            map[string]any
		group           string // the group the applied change is in ("" for a new one)
	}{
		{"CreateGroup with an auto ID", "/groups", "k-group", map[string]any{"groupName": "auto"}, ""},
		{"CreateRole", "/groups/g1/roles", "k-role", map[string]any{"name": "mods"}, "g1"},
		{"CreateChannel", "/groups/g1/channels", "k-channel", map[string]any{"name": "general"}, "g1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			groupsBefore := groups()
			version, roles, channels := g1()

			code, v := call("POST", c.path, c.key, c.body)
			require.Equal(t, http.StatusBadGateway, code, "the function died: %v", v)
			crash, _ := v["error"].(map[string]any)
			require.NotNil(t, crash, "an error body: %v", v)
			assert.Contains(t, crash["message"], "Runtime.ExitError", "a real process exit")
			assertApplied := func(what string) {
				t.Helper()
				v2, r2, c2 := g1()
				if c.group == "" {
					assert.Equal(t, groupsBefore+1, groups(), "%s: one new group", what)
					assert.Equal(t, version, v2, what)
				} else {
					assert.Equal(t, groupsBefore, groups(), what)
					assert.Equal(t, version+1, v2, "%s: g1 moved by one version", what)
				}
				assert.Equal(t, roles+boolInt(c.key == "k-role"), r2, "%s: roles", what)
				assert.Equal(t, channels+boolInt(c.key == "k-channel"), c2, "%s: channels", what)
			}
			assertApplied("after the crash")

			// Within the lease, the first attempt might still be running.
			code, v = call("POST", c.path, c.key, c.body)
			assert.Equal(t, http.StatusConflict, code, "%v", v)
			assertApplied("after a retry within the lease")

			// The lease runs out: time passes for the record, as 30 s would.
			expireLease(t, ddb, table, "alice", c.key)
			code, v = call("POST", c.path, c.key, c.body)
			assert.Equal(t, http.StatusConflict, code, "%v", v)
			e, _ := v["error"].(map[string]any)
			require.NotNil(t, e, "an error body: %v", v)
			assert.Equal(t, "CONFLICT", e["code"])
			assert.Contains(t, e["message"], "applied")
			if c.group != "" {
				assert.Contains(t, e["message"], fmt.Sprintf("%q, version %d", c.group, version+1), "the answer names where the change is")
			}
			assertApplied("after a retry past the lease")
		})
	}
	entries, err := os.ReadDir(crashes)
	require.NoError(t, err)
	assert.Len(t, entries, len(cases), "one crash per request")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// expireLease moves the claim's lease into the past.
func expireLease(t *testing.T, ddb *dynamodb.Client, table, actor, key string) {
	t.Helper()
	_, err := ddb.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "I#" + actor + "#" + key},
			"SK": &types.AttributeValueMemberS{Value: "IDEM"},
		},
		UpdateExpression:          aws.String("SET leaseUntil = :past"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: "0"}},
	})
	require.NoError(t, err)
}
