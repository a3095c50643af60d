package event_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/circles-im/circles/shared/event"
)

// asyncapiDoc is the repository's asyncapi.yaml, parsed.
func asyncapiDoc(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../asyncapi.yaml")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	return doc
}

func section(doc map[string]any, name string) map[string]any {
	return doc["components"].(map[string]any)[name].(map[string]any)
}

// jsonFields are a payload type's JSON field names -> whether it is
// required (no omitempty).
func jsonFields(p event.Payload) map[string]bool {
	rt := reflect.TypeOf(p)
	out := map[string]bool{}
	for i := range rt.NumField() {
		name, opts, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		out[name] = !strings.Contains(opts, "omitempty")
	}
	return out
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestAsyncAPIDescribesEachPayloadTypeFieldForField(t *testing.T) {
	schemas := section(asyncapiDoc(t), "schemas")
	for _, p := range event.Payloads() {
		name := reflect.TypeOf(p).Name()
		t.Run(name, func(t *testing.T) {
			s, ok := schemas[name].(map[string]any)
			require.True(t, ok, "components.schemas.%s", name)
			fields := jsonFields(p)
			props, _ := s["properties"].(map[string]any)
			assert.Equal(t, keys(fields), keys(props), "properties")
			var want, got []string
			for f, required := range fields {
				if required {
					want = append(want, f)
				}
			}
			req, _ := s["required"].([]any)
			for _, r := range req {
				got = append(got, r.(string))
			}
			assert.ElementsMatch(t, want, got, "required: the fields without omitempty")
			assert.Equal(t, false, s["additionalProperties"], "a consumer can rely on no other field")
			assert.NotEmpty(t, s["description"])
		})
	}
}

// messagePayloadRefs are the payload schemas the message of typ names:
// one $ref, or the $refs of a oneOf.
func messagePayloadRefs(t *testing.T, msgs map[string]any, typ event.Type) []string {
	t.Helper()
	msg, ok := msgs[string(typ)].(map[string]any)
	require.True(t, ok, "components.messages.%s", typ)
	allOf := msg["payload"].(map[string]any)["allOf"].([]any)
	p, ok := allOf[1].(map[string]any)["properties"].(map[string]any)["payload"].(map[string]any)
	require.True(t, ok, "%s names its payload", typ)
	ref := func(v any) string {
		r := v.(map[string]any)["$ref"].(string)
		return strings.TrimPrefix(r, "#/components/schemas/")
	}
	if one, ok := p["oneOf"].([]any); ok {
		var out []string
		for _, v := range one {
			out = append(out, ref(v))
		}
		return out
	}
	return []string{ref(p)}
}

func TestEveryEventTypeNamesExactlyItsPayloadTypesInAsyncAPI(t *testing.T) {
	msgs := section(asyncapiDoc(t), "messages")
	for _, typ := range event.Types() {
		var want []string
		for _, p := range event.Payloads() {
			if slices.Contains(p.Types(), typ) {
				want = append(want, reflect.TypeOf(p).Name())
			}
		}
		require.NotEmpty(t, want, "%s has a payload type", typ)
		assert.ElementsMatch(t, want, messagePayloadRefs(t, msgs, typ), typ)
	}
}

func TestNewStoresThePayloadAsItsJSONObject(t *testing.T) {
	ev := event.New(event.MemberKicked, "alice", event.MemberKickedPayload{UserIDs: []string{"bob"}, Reason: "spam"}, "bob")
	assert.Equal(t, map[string]any{"userIDs": []any{"bob"}, "reason": "spam"}, ev.Payload)
	assert.Equal(t, 1508, ev.Code)
	assert.Equal(t, map[string]any{}, event.New(event.GroupCreated, "alice", nil).Payload, "no payload is an empty object")
}

func TestNewRefusesAPayloadOfAnotherEventType(t *testing.T) {
	assert.Panics(t, func() { event.New(event.MemberKicked, "alice", event.UserPayload{UserID: "bob"}) })
}

func TestFieldChangesTakesKnownFieldsAndRefusesOthers(t *testing.T) {
	p := event.FieldChanges[event.GroupInfoPayload](map[string]any{"groupName": "x", "needVerification": 2})
	require.NotNil(t, p.GroupName)
	require.NotNil(t, p.NeedVerification)
	assert.Equal(t, "x", *p.GroupName)
	assert.Equal(t, 2, *p.NeedVerification)
	assert.Nil(t, p.Notification, "a field that did not change is absent")
	assert.Panics(t, func() { event.FieldChanges[event.GroupInfoPayload](map[string]any{"ownerUserID": "eve"}) })
}

func TestOpenAPIAndAsyncAPIListExactlyTheEventTypes(t *testing.T) {
	var want []string
	for _, typ := range event.Types() {
		want = append(want, string(typ))
	}
	for _, file := range []string{"../../openapi.yaml", "../../asyncapi.yaml"} {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var doc map[string]any
		require.NoError(t, yaml.Unmarshal(raw, &doc))
		enum, ok := section(doc, "schemas")["EventType"].(map[string]any)["enum"].([]any)
		require.True(t, ok, "%s: components.schemas.EventType.enum", file)
		var got []string
		for _, v := range enum {
			got = append(got, v.(string))
		}
		assert.ElementsMatch(t, want, got, "%s: EventType", file)
	}
}
