package group_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

func entry(uid string, in group.SetMemberInfoInput) group.MemberInfoEntry {
	return group.MemberInfoEntry{UserID: uid, SetMemberInfoInput: in}
}

func TestSetMembersInfoChangesEveryEntryInOneChangeWithOneEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	before := assertInvariants(t, st, "g1")

	page, err := svc.SetMembersInfo(ctx, admins.Actor("alice"), "g1", group.SetMembersInfoInput{Members: []group.MemberInfoEntry{
		entry("carol", group.SetMemberInfoInput{Nickname: ptr("Caro"), RoleLevel: ptr(store.RoleAdmin)}),
		entry("bob", group.SetMemberInfoInput{Ex: ptr(`{"team":"core"}`)}),
		entry("dave", group.SetMemberInfoInput{FaceURL: ptr("https://example.com/d.png")}),
		entry("bea", group.SetMemberInfoInput{Nickname: ptr("")}), // no change: she has none
	}})
	require.NoError(t, err)
	var got []string
	for _, m := range page.Items {
		got = append(got, m.UserID)
	}
	assert.Equal(t, []string{"carol", "bob", "dave", "bea"}, got, "the members in the order asked")
	assert.Equal(t, store.RoleAdmin, page.Items[0].RoleLevel)

	carol := memberOf(t, st, "g1", "carol")
	assert.Equal(t, "Caro", carol.Nickname)
	assert.Equal(t, store.RoleAdmin, carol.RoleLevel)
	assert.Equal(t, "alice", carol.OperatorUserID)
	assert.Equal(t, `{"team":"core"}`, memberOf(t, st, "g1", "bob").Ex)
	assert.Equal(t, "https://example.com/d.png", memberOf(t, st, "g1", "dave").FaceURL)

	g := assertInvariants(t, st, "g1")
	assert.Equal(t, before.Version+1, g.Version, "one change")
	ev := newestEvent(t, st, "g1")
	assert.Equal(t, event.GroupMembersInfoSet, ev.Type)
	assert.Equal(t, 1706, ev.Code)
	assert.Equal(t, []any{
		map[string]any{"userID": "carol", "nickname": "Caro", "roleLevel": float64(store.RoleAdmin)},
		map[string]any{"userID": "bob", "ex": `{"team":"core"}`},
		map[string]any{"userID": "dave", "faceURL": "https://example.com/d.png"},
	}, normalize(t, ev.Payload["members"]), "each entry with exactly what changed")
	assert.Equal(t, []string{"carol"}, search(t, svc, "alice", "g1", "car", 0), "the search index follows the nickname")
	checkClean(t, svc, "g1")

	t.Run("a batch that changes nothing commits nothing", func(t *testing.T) {
		_, err := svc.SetMembersInfo(ctx, admins.Actor("alice"), "g1", group.SetMembersInfoInput{Members: []group.MemberInfoEntry{
			entry("carol", group.SetMemberInfoInput{Nickname: ptr("Caro")}),
		}})
		require.NoError(t, err)
		assert.Equal(t, g.Version, assertInvariants(t, st, "g1").Version)
	})
}

// normalize reads a payload value back through JSON, as a consumer would.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

func TestSetMembersInfoRefusesTheWholeBatchAndChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	many := func(n int) []group.MemberInfoEntry {
		out := make([]group.MemberInfoEntry, n)
		for i := range out {
			out[i] = entry(fmt.Sprintf("u%03d", i), group.SetMemberInfoInput{Ex: ptr("x")})
		}
		return out
	}
	legal := entry("carol", group.SetMemberInfoInput{Nickname: ptr("ok")})
	cases := []struct {
		name    string
		actor   string
		members []group.MemberInfoEntry
		code    errcode.Code
	}{
		{"empty body", "alice", nil, errcode.InvalidArgument},
		{"more than one transaction holds", "alice", many(store.MaxMembersInfo + 1), errcode.InvalidArgument},
		{"101 entries", "alice", many(101), errcode.InvalidArgument},
		{"duplicate userIDs", "alice", []group.MemberInfoEntry{legal, entry("carol", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.InvalidArgument},
		{"malformed userID", "alice", []group.MemberInfoEntry{legal, entry("c#d", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.InvalidArgument},
		{"huge nickname", "alice", []group.MemberInfoEntry{legal, entry("dave", group.SetMemberInfoInput{Nickname: ptr(strings.Repeat("n", 256))})}, errcode.InvalidArgument},
		{"huge ex", "alice", []group.MemberInfoEntry{legal, entry("dave", group.SetMemberInfoInput{Ex: ptr(strings.Repeat("e", 1025))})}, errcode.InvalidArgument},
		{"a non-member target", "alice", []group.MemberInfoEntry{legal, entry("erin", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.NotInGroup},
		{"a target of higher rank", "bob", []group.MemberInfoEntry{legal, entry("alice", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.NoPermission},
		{"a target of equal rank", "bob", []group.MemberInfoEntry{legal, entry("bea", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.NoPermission},
		{"an ordinary member on another", "carol", []group.MemberInfoEntry{entry("carol", group.SetMemberInfoInput{Ex: ptr("mine")}), entry("dave", group.SetMemberInfoInput{Ex: ptr("y")})}, errcode.NoPermission},
		{"a second owner", "alice", []group.MemberInfoEntry{legal, entry("bob", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleOwner)})}, errcode.InvalidArgument},
		{"a non-member caller", "erin", []group.MemberInfoEntry{legal}, errcode.NotInGroup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := captureGroup(t, st, "g1")
			_, err := svc.SetMembersInfo(ctx, admins.Actor(c.actor), "g1", group.SetMembersInfoInput{Members: c.members})
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, captureGroup(t, st, "g1"), "a refused batch changes nothing")
		})
	}
	assert.Empty(t, search(t, svc, "alice", "g1", "ok", 0), "not even the legal entry's search key")
}
