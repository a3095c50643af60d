package notification_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/notification"
)

const asyncapiURL = "file:///asyncapi.json"

// loadAsyncAPI compiles schemas out of the repository's asyncapi.yaml.
func loadAsyncAPI(t *testing.T) (*jsonschema.Compiler, map[string]any) {
	t.Helper()
	root, err := devstack.RepoRoot()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(root, "asyncapi.yaml"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	js, err := json.Marshal(doc)
	require.NoError(t, err)
	parsed, err := jsonschema.UnmarshalJSON(strings.NewReader(string(js)))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource(asyncapiURL, parsed))
	return c, doc
}

func TestAsyncAPIDescribesEveryEventType(t *testing.T) {
	c, doc := loadAsyncAPI(t)
	assert.Equal(t, "2.6.0", doc["asyncapi"])
	msgs, _ := doc["components"].(map[string]any)["messages"].(map[string]any)
	for _, typ := range event.Types() {
		require.Contains(t, msgs, string(typ), "asyncapi.yaml components.messages")
		s, err := c.Compile(asyncapiURL + "#/components/messages/" + string(typ) + "/payload")
		require.NoError(t, err, typ)
		asJSON := func(ev event.Event) any {
			ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = "01J000000000000000000000AA", "g1", 1, 1
			var v any
			b, _ := json.Marshal(ev)
			require.NoError(t, json.Unmarshal(b, &v))
			return v
		}
		for _, p := range event.Payloads() {
			if !slices.Contains(p.Types(), typ) {
				continue
			}
			ev := event.New(typ, "alice", samplePayload(p))
			assert.NoError(t, s.Validate(asJSON(ev)), "%s with its code %d and a full %T", typ, typ.Code(), p)
			wrong := ev
			wrong.Code++
			assert.Error(t, s.Validate(asJSON(wrong)), "%s with a wrong code", typ)
			extra := ev
			extra.Payload = maps.Clone(ev.Payload)
			extra.Payload["unexpected"] = 1
			assert.Error(t, s.Validate(asJSON(extra)), "%s with a field its payload does not have", typ)
		}
	}
}

// samplePayload is p with every field set: strings "u1", numbers 1, one
// element in each list and map.
func samplePayload(p event.Payload) event.Payload {
	v := reflect.New(reflect.TypeOf(p)).Elem()
	fill(v)
	return v.Interface().(event.Payload)
}

func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("u1")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		if e.Kind() == reflect.String {
			e.SetString("allow")
		} else {
			fill(e)
		}
		m.SetMapIndex(reflect.ValueOf("sendMsg"), e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && v.Type().Field(i).Tag.Get("json") != "-" {
				fill(v.Field(i))
			}
		}
	}
}

func TestPublishedEventsMatchAsyncAPI(t *testing.T) {
	t.Parallel()
	c, _ := loadAsyncAPI(t)
	headers, err := c.Compile(asyncapiURL + "#/components/schemas/MessageAttributes")
	require.NoError(t, err)
	s := deploy(t, nil)
	ctx := context.Background()

	// Our own queue on the topic, as an integrating service would subscribe.
	cfg := stacktest.AWSConfig(t, "SNS", "SQS")
	q, err := s.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(s.d.Bus.Queues["NotificationsQueue"].Name + "-tap")})
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = s.sqs.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}) })
	qa, err := s.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	_, err = sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: aws.String(s.d.Bus.Topics["EventsTopic"]), Protocol: aws.String("sqs"),
		Endpoint: aws.String(qa.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": "true"},
	})
	require.NoError(t, err)

	s.groupWith(t, "g1", "bob", "carl")
	_, err = s.svc.Kick(ctx, admins.Actor("alice"), "g1", group.KickInput{UserIDs: []string{"bob"}, Reason: "spam"})
	require.NoError(t, err)
	name := "new name"
	_, err = s.svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{GroupName: &name}, "")
	require.NoError(t, err)
	_, err = s.svc.SetGroupMute(ctx, admins.Actor("alice"), "g1", true)
	require.NoError(t, err)
	require.NoError(t, s.svc.Dismiss(ctx, admins.Actor("alice"), "g1"))
	const want = 5 // GroupCreated, MemberKicked, GroupInfoSetName, GroupMuted, GroupDismissed

	seen := map[event.Type]int{}
	total := 0
	eventually(t, 20*time.Second, "every event reached our queue", func() bool {
		out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
		require.NoError(t, err)
		for _, m := range out.Messages {
			var body map[string]any
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(m.Body)), &body))
			typ, _ := body["type"].(string)
			schema, err := c.Compile(asyncapiURL + "#/components/messages/" + typ + "/payload")
			require.NoError(t, err, "asyncapi.yaml describes %s", typ)
			assert.NoError(t, schema.Validate(body), "%s body", typ)

			attrs := map[string]any{}
			for k, v := range m.MessageAttributes {
				if aws.ToString(v.DataType) == "Number" {
					n, err := strconv.Atoi(aws.ToString(v.StringValue))
					require.NoError(t, err)
					attrs[k] = json.Number(strconv.Itoa(n))
					continue
				}
				attrs[k] = aws.ToString(v.StringValue)
			}
			var hv any
			hb, _ := json.Marshal(attrs)
			require.NoError(t, json.Unmarshal(hb, &hv))
			assert.NoError(t, headers.Validate(hv), "%s message attributes %v", typ, attrs)
			assert.Equal(t, typ, attrs["type"])
			assert.Equal(t, body["groupID"], attrs["groupID"])
			seen[event.Type(typ)]++
			total++
			_, err = s.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
		return total >= want
	})
	for _, typ := range []event.Type{event.GroupCreated, event.MemberKicked, event.GroupInfoSetName, event.GroupMuted, event.GroupDismissed} {
		assert.Equal(t, 1, seen[typ], "%s published once", typ)
	}
}

func TestAsyncAPIDescribesTheConsumersChunkAndExpansionMessages(t *testing.T) {
	c, _ := loadAsyncAPI(t)
	ev := event.New(event.JoinGroupApplication, "zoe", event.ApplicationPayload{UserIDs: []string{"zoe"}})
	ev.EventID, ev.GroupID, ev.Version, ev.OccurredAt = "01J000000000000000000000AA", "g1", 4, 1
	cases := map[string]any{
		"DeliveryChunk":     map[string]any{"chunk": notification.Chunk{ID: ev.EventID + "#3", Event: ev, Recipients: []string{"bob", "carol"}}},
		"DeliveryExpansion": map[string]any{"expand": notification.Expansion{Event: ev, Sources: []string{"managers", "role:r1"}, Source: 1, Cursor: "{}", NextIndex: 7}},
	}
	for name, msg := range cases {
		s, err := c.Compile(asyncapiURL + "#/components/messages/" + name + "/payload")
		require.NoError(t, err)
		b, err := json.Marshal(msg)
		require.NoError(t, err)
		var v any
		require.NoError(t, json.Unmarshal(b, &v))
		assert.NoError(t, s.Validate(v), name)
	}
	// An event with an audience is a valid event.
	ev.Audience = &event.Audience{Holders: "handleApplication"}
	s, err := c.Compile(asyncapiURL + "#/components/messages/JoinGroupApplication/payload")
	require.NoError(t, err)
	b, _ := json.Marshal(ev)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	assert.NoError(t, s.Validate(v))
}
