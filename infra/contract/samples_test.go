package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/demo"
	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/infra/stacktest"
)

// TestEverySampleEventSucceedsAfterTheSeed is what a new user does: on an
// empty table, `make seed`, then every events/<fn>.json run by its
// function's real handler through the Invoker `make invoke` uses, in the
// order of their names. Every HTTP sample answers 2xx and every consumer
// sample reports no failure. Before the samples run, the seed runs a second
// time and must leave every item of the table as it was, and the consumer
// samples' records must name what the seed made.
func TestEverySampleEventSucceedsAfterTheSeed(t *testing.T) {
	r := load(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := stacktest.AWSConfig(t, "DYNAMODB", "SNS", "SQS")
	db := dynamodb.NewFromConfig(cfg)
	table := fmt.Sprintf("samples-%d", time.Now().UnixNano())
	out := &devstack.SyncBuffer{}
	t.Cleanup(func() {
		_ = devstack.DeleteTable(context.Background(), db, table)
		if t.Failed() {
			t.Logf("deployment output (tail):\n%s", tail(out.String(), 20000))
		}
	})
	names, err := devstack.FunctionNames(r.Root)
	require.NoError(t, err)
	// Every function, but no pipeline: the consumers run only on their
	// samples, and the table changes only by what the test sends.
	secret := []byte("samples-test-secret")
	d, err := devstack.Deploy(ctx, devstack.DeployOptions{
		Table: table, Secret: secret, CachedBuild: true, Output: out, Functions: names,
		Env: map[string]string{"APP_ADMIN_USER_IDS": demo.AppAdmin},
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewServer(d.API)
	t.Cleanup(srv.Close)

	seed := func() {
		t.Helper()
		c := &demo.Client{BaseURL: srv.URL, Token: func(_ context.Context, user string) (string, error) {
			return localauth.Mint(secret, user, time.Hour)
		}}
		require.NoError(t, demo.Seed(ctx, c))
	}
	seed()
	first := scanTable(ctx, t, db, table)
	seed()
	assert.Equal(t, first, scanTable(ctx, t, db, table), "a second seed changes nothing")

	samples, err := filepath.Glob(filepath.Join(r.Root, "events", "*.json"))
	require.NoError(t, err)
	require.Len(t, samples, len(names), "one sample event per function")
	assertConsumerSamplesAreReal(ctx, t, db, table, r.Root)

	for _, path := range samples {
		fn := strings.TrimSuffix(filepath.Base(path), ".json")
		event, err := os.ReadFile(path)
		require.NoError(t, err)
		resp, err := d.Invoker.Invoke(ctx, fn, event)
		if !assert.NoError(t, err, "%s: the function failed", fn) {
			continue
		}
		var got struct {
			StatusCode *int   `json:"statusCode"`
			Body       string `json:"body"`
			Failures   []any  `json:"batchItemFailures"`
			Violations *int   `json:"violations"`
			Errors     *int   `json:"errors"`
			Groups     *int   `json:"groups"`
		}
		require.NoError(t, json.Unmarshal(resp, &got), "%s answered %s", fn, resp)
		switch {
		case got.StatusCode != nil:
			assert.True(t, *got.StatusCode/100 == 2, "%s answered %d: %s", fn, *got.StatusCode, got.Body)
		case got.Groups != nil: // check-all-groups' summary
			assert.Zero(t, *got.Violations, "%s: %s", fn, resp)
			assert.Zero(t, *got.Errors, "%s: %s", fn, resp)
		default: // a stream or queue consumer
			assert.Empty(t, got.Failures, "%s reported batch item failures: %s", fn, resp)
		}
	}
}

// assertConsumerSamplesAreReal checks that the records of the consumer
// samples name what the seed made: the outbox event they carry is in the
// table (same group, version and type), and the group of the
// GroupDismissed event is dismissed.
func assertConsumerSamplesAreReal(ctx context.Context, t *testing.T, db *dynamodb.Client, table, root string) {
	t.Helper()
	read := func(name string, v any) {
		raw, err := os.ReadFile(filepath.Join(root, "events", name+".json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, v), name)
	}
	item := func(pk, sk string) map[string]any {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}},
		})
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, attributevalue.UnmarshalMap(out.Item, &m))
		return m
	}
	type outboxEvent struct {
		Type        string         `json:"type"`
		GroupID     string         `json:"groupID"`
		Version     int64          `json:"version"`
		ActorUserID string         `json:"actorUserID"`
		Payload     map[string]any `json:"payload"`
		Recipients  []any          `json:"recipients"`
	}
	stored := func(ev outboxEvent) map[string]any {
		return item("G#"+ev.GroupID+"#E", fmt.Sprintf("V#%012d", ev.Version))
	}

	var stream struct {
		Records []struct {
			Dynamodb struct {
				NewImage map[string]any `json:"NewImage"`
			} `json:"dynamodb"`
		} `json:"Records"`
	}
	read("publish-events", &stream)
	for _, rec := range stream.Records {
		img := rec.Dynamodb.NewImage
		// DynamoDB JSON: {"S": "…"}, {"N": "…"}.
		attr := func(name, kind string) string { s, _ := img[name].(map[string]any)[kind].(string); return s }
		ev := outboxEvent{Type: attr("type", "S"), GroupID: attr("groupID", "S")}
		_, err := fmt.Sscan(attr("version", "N"), &ev.Version)
		require.NoError(t, err)
		got := stored(ev)
		assert.Equal(t, ev.Type, got["type"], "publish-events: the stream record is the outbox event %+v", ev)
	}

	for _, name := range []string{"deliver-notifications", "cleanup-dismissed-group"} {
		var batch struct {
			Records []struct {
				Body string `json:"body"`
			} `json:"Records"`
		}
		read(name, &batch)
		for _, rec := range batch.Records {
			var ev outboxEvent
			require.NoError(t, json.Unmarshal([]byte(rec.Body), &ev), name)
			got := stored(ev)
			// The eventID and times are the sample's own: the consumers
			// deduplicate on the eventID, so the sample is delivered once
			// beside the real event.
			assert.Equal(t, []any{ev.Type, ev.ActorUserID, ev.Payload, ev.Recipients},
				[]any{got["type"], got["actorUserID"], got["payload"], got["recipients"]},
				"%s: the message is the outbox event of %s version %d", name, ev.GroupID, ev.Version)
			if ev.Type == "GroupDismissed" {
				assert.EqualValues(t, 2, item("G#"+ev.GroupID, "META")["status"], "%s: group %s is dismissed", name, ev.GroupID)
			}
		}
	}
}

// scanTable reads every item of the table, in key order.
func scanTable(ctx context.Context, t *testing.T, db *dynamodb.Client, table string) []map[string]any {
	t.Helper()
	var items []map[string]any
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		var got []map[string]any
		require.NoError(t, attributevalue.UnmarshalListOfMaps(page.Items, &got))
		items = append(items, got...)
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a["PK"] != b["PK"] {
			return fmt.Sprint(a["PK"]) < fmt.Sprint(b["PK"])
		}
		return fmt.Sprint(a["SK"]) < fmt.Sprint(b["SK"])
	})
	require.NotEmpty(t, items)
	return items
}
