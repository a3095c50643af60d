package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/store"
)

// The real handler, built and run as Lambda runs it, on the sample
// scheduled event: it reports the corrupted group and emits the metric.
func TestScheduledRunReportsViolationsAsLogLinesAndMetric(t *testing.T) {
	ctx := context.Background()
	db, table := stacktest.NewTable(t)
	st := store.New(db, table)
	for _, gid := range []string{"ok", "bad"} {
		_, err := st.PutProfile(ctx, store.Profile{UserID: "alice"})
		require.NoError(t, err)
		_, err = st.CreateGroup(ctx, &store.Group{GroupID: gid, OwnerUserID: "alice"},
			[]*store.Member{{GroupID: gid, UserID: "alice", RoleLevel: store.RoleOwner, JoinTime: 1}}, event.New(event.GroupCreated, "alice", nil))
		require.NoError(t, err)
	}
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "G#bad"}, "SK": &types.AttributeValueMemberS{Value: "META"},
		},
		UpdateExpression:          aws.String("SET memberCount = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: "3"}},
	})
	require.NoError(t, err)

	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	out := &devstack.SyncBuffer{}
	iv, err := devstack.NewInvoker(out, devstack.Lambda{Name: "check-all-groups", Executable: bin,
		Env: map[string]string{"TABLE_NAME": table}, Timeout: time.Minute})
	require.NoError(t, err)
	t.Cleanup(func() { iv.Close() })

	ev, err := os.ReadFile("../../events/check-all-groups.json")
	require.NoError(t, err)
	resp, err := iv.Invoke(ctx, "check-all-groups", ev)
	require.NoError(t, err, out.String())
	assert.JSONEq(t, `{"groups":2,"groupsWithViolations":1,"violations":1,"errors":0,"truncated":false}`, string(resp))

	// The child's stdout reaches the buffer a moment after the response.
	var warned, emf bool
	var logs string
	assert.Eventually(t, func() bool {
		logs = out.String()
		warned, emf = scan(logs)
		return warned && emf
	}, 10*time.Second, 50*time.Millisecond)
	assert.True(t, warned, "a JSON log line for the bad group:\n%s", logs)
	assert.True(t, emf, "an EMF line with GroupInvariantViolations = 1:\n%s", logs)
}

func scan(logs string) (warned, emf bool) {
	for _, line := range strings.Split(logs, "\n") {
		_, body, ok := strings.Cut(line, "] ")
		if !ok {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil {
			continue
		}
		if m["msg"] == "group invariant violations" && m["groupID"] == "bad" {
			warned = true
		}
		if _, ok := m["_aws"]; ok && m["GroupInvariantViolations"] == float64(1) {
			emf = true
		}
	}
	return warned, emf
}
