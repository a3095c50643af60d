package group_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/ops"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// customRole creates a custom role in g1 as its owner alice.
func customRole(t *testing.T, st *store.Store, name string, auths map[string]string) string {
	t.Helper()
	r, err := role.NewService(st).CreateRole(context.Background(), admins.Actor("alice"), "g1", role.RoleInput{Name: &name, Auths: auths})
	require.NoError(t, err)
	return r.RoleID
}

func TestFiftyConcurrentJoinsOnACodeOfTenUsesAdmitExactlyTen(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := membershipGroup(t, 1) // every other way in needs approval
	rid := customRole(t, st, "newcomers", map[string]string{})
	code, err := svc.CreateInviteCode(ctx, admins.Actor("alice"), "g1", group.CreateInviteCodeInput{MaxUses: 10, RoleIDs: []string{rid}})
	require.NoError(t, err)
	joiners := users("j", 50)
	withProfiles(t, svc, joiners...)

	var mu sync.Mutex
	var joined []string
	refusals := map[errcode.Code]int{}
	var wg sync.WaitGroup
	for _, id := range joiners {
		wg.Go(func() {
			// As a client does (shared/client), CONFLICT is tried again.
			for {
				_, err := svc.JoinByInviteCode(ctx, admins.Actor(id), "g1", group.JoinByInviteCodeInput{Code: code.Code})
				if errcode.CodeOf(err) == errcode.Conflict {
					continue
				}
				mu.Lock()
				if err == nil {
					joined = append(joined, id)
				} else {
					refusals[errcode.CodeOf(err)]++
				}
				mu.Unlock()
				return
			}
		})
	}
	wg.Wait()
	assert.Len(t, joined, 10, "exactly maxUses joins")
	assert.Equal(t, map[errcode.Code]int{errcode.LimitExceeded: 40}, refusals, "every other join finds the code used up")
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 3+10, g.MemberCount)
	page, err := svc.ListInviteCodes(ctx, admins.Actor("alice"), "g1", 10, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.EqualValues(t, 10, page.Items[0].Uses)
	ms, err := st.GetMembers(ctx, "g1", joined)
	require.NoError(t, err)
	for _, id := range joined {
		assert.Equal(t, []string{rid}, ms[id].RoleIDs, "the code's role is granted")
		assert.Equal(t, store.JoinByQRCode, ms[id].JoinSource)
	}
	g, _, err = st.Snapshot(ctx, "g1")
	require.NoError(t, err)
	assert.EqualValues(t, 10, g.Roles.Roles[rid].MemberCount, "invariant 6: the role counts its holders")
	checkClean(t, svc, "g1")
}

func TestInviteCodesAreStoredByHashAndRefusedWhenDeadOrForeign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	alice, dave := admins.Actor("alice"), admins.Actor("dave")
	withProfiles(t, svc, "frank")
	_, err := svc.Create(ctx, alice, group.CreateInput{GroupID: "g2"})
	require.NoError(t, err)
	mk := func(gid string, in group.CreateInviteCodeInput) *group.CreatedInviteCode {
		t.Helper()
		c, err := svc.CreateInviteCode(ctx, alice, gid, in)
		require.NoError(t, err)
		return c
	}
	code := mk("g1", group.CreateInviteCodeInput{MaxUses: 5})
	sum := sha256.Sum256([]byte(code.Code))
	assert.Equal(t, hex.EncodeToString(sum[:]), code.CodeID, "the record is keyed by the code's SHA-256")
	assert.Len(t, code.Code, 22)
	assert.Equal(t, code.Code[:4], code.Hint)
	page, err := svc.ListInviteCodes(ctx, alice, "g1", 10, "")
	require.NoError(t, err)
	listed, _ := json.Marshal(page)
	assert.NotContains(t, string(listed), code.Code, "the list never shows a code")
	assert.Equal(t, event.InviteCodeCreated, lastEvent(t, st, "g1").Type)
	assert.NotContains(t, lastEvent(t, st, "g1").Payload, "code")

	now := time.Now()
	st.Now = func() time.Time { return now }
	expiring := mk("g1", group.CreateInviteCodeInput{MaxUses: 5, ExpireTime: now.Add(time.Minute).UnixMilli()})
	revoked := mk("g1", group.CreateInviteCodeInput{MaxUses: 5})
	_, err = svc.RevokeInviteCode(ctx, alice, "g1", revoked.CodeID)
	require.NoError(t, err)
	assert.Equal(t, event.InviteCodeRevoked, lastEvent(t, st, "g1").Type)
	once := mk("g1", group.CreateInviteCodeInput{MaxUses: 1})
	_, err = svc.JoinByInviteCode(ctx, admins.Actor("frank"), "g1", group.JoinByInviteCodeInput{Code: once.Code})
	require.NoError(t, err)
	foreign := mk("g2", group.CreateInviteCodeInput{MaxUses: 5})
	st.Now = func() time.Time { return now.Add(2 * time.Minute) }

	cases := []struct {
		name  string
		actor string
		code  string
		want  errcode.Code
	}{
		{"an expired code", "dave", expiring.Code, errcode.NotFound},
		{"a revoked code", "dave", revoked.Code, errcode.NotFound},
		{"a code of another group", "dave", foreign.Code, errcode.NotFound},
		{"an unknown code", "dave", strings.Repeat("A", 22), errcode.NotFound},
		{"a malformed code", "dave", "not-a-code", errcode.InvalidArgument},
		{"a used-up code", "dave", once.Code, errcode.LimitExceeded},
		{"a member", "carol", code.Code, errcode.AlreadyInGroup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.JoinByInviteCode(ctx, admins.Actor(c.actor), "g1", group.JoinByInviteCodeInput{Code: c.code})
			require.Error(t, err)
			assert.Equal(t, c.want, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"), "a refused join changes nothing")
		})
	}
	t.Run("a group that turned codes off", func(t *testing.T) {
		off := 1
		_, err := svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{DisableInviteCodes: &off}, "")
		require.NoError(t, err)
		_, err = svc.JoinByInviteCode(ctx, dave, "g1", group.JoinByInviteCodeInput{Code: code.Code})
		assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err), "%v", err)
		on := 0
		_, err = svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{DisableInviteCodes: &on}, "")
		require.NoError(t, err)
		out, err := svc.JoinByInviteCode(ctx, dave, "g1", group.JoinByInviteCodeInput{Code: code.Code})
		require.NoError(t, err)
		assert.True(t, out.Joined, "a live code admits under needVerification 0 without approval")
		assert.Equal(t, event.MemberJoinedByInviteCode, lastEvent(t, st, "g1").Type)
	})
	assertInvariants(t, st, "g1")
	checkClean(t, svc, "g1")
}

func TestInviteCodeManagementRefusesAbuse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	inviters := customRole(t, st, "inviters", map[string]string{"inviteMember": "allow"})
	_, err := role.NewService(st).AddRoleMembers(ctx, admins.Actor("alice"), "g1", inviters, role.RoleMembersInput{UserIDs: []string{"carol"}})
	require.NoError(t, err)
	now := time.Now().UnixMilli()
	cases := []struct {
		name  string
		actor string
		in    group.CreateInviteCodeInput
		want  errcode.Code
	}{
		{"a non-member", "dave", group.CreateInviteCodeInput{MaxUses: 1}, errcode.NotInGroup},
		{"maxUses 0", "alice", group.CreateInviteCodeInput{}, errcode.InvalidArgument},
		{"a huge maxUses", "alice", group.CreateInviteCodeInput{MaxUses: 1 << 40}, errcode.InvalidArgument},
		{"a negative expireTime", "alice", group.CreateInviteCodeInput{MaxUses: 1, ExpireTime: -5}, errcode.InvalidArgument},
		{"a past expireTime", "alice", group.CreateInviteCodeInput{MaxUses: 1, ExpireTime: now - 1}, errcode.InvalidArgument},
		{"an unknown role", "alice", group.CreateInviteCodeInput{MaxUses: 1, RoleIDs: []string{"nope"}}, errcode.InvalidArgument},
		{"@everyone as a role", "alice", group.CreateInviteCodeInput{MaxUses: 1, RoleIDs: []string{store.EveryoneRoleID}}, errcode.InvalidArgument},
		{"roles from a holder of inviteMember below admin", "carol", group.CreateInviteCodeInput{MaxUses: 1, RoleIDs: []string{inviters}}, errcode.NoPermission},
		{"duplicate roles", "alice", group.CreateInviteCodeInput{MaxUses: 1, RoleIDs: []string{inviters, inviters}}, errcode.InvalidArgument},
		{"a chosen code from the owner, no app admin", "alice", group.CreateInviteCodeInput{MaxUses: 1, Code: "OwnersOwnChosenCode000"}, errcode.NoPermission},
		{"a chosen code too short", "admin", group.CreateInviteCodeInput{MaxUses: 1, Code: "short"}, errcode.InvalidArgument},
		{"a chosen code outside base62", "admin", group.CreateInviteCodeInput{MaxUses: 1, Code: "AdminsChosenCode00000!"}, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := readGroupItems(t, st, "g1")
			_, err := svc.CreateInviteCode(ctx, admins.Actor(c.actor), "g1", c.in)
			require.Error(t, err)
			assert.Equal(t, c.want, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, readGroupItems(t, st, "g1"))
		})
	}
	t.Run("a holder of inviteMember below admin makes a code without roles", func(t *testing.T) {
		_, err := svc.CreateInviteCode(ctx, admins.Actor("carol"), "g1", group.CreateInviteCodeInput{MaxUses: 3})
		require.NoError(t, err)
	})
	t.Run("revoking an unknown code, or one twice", func(t *testing.T) {
		_, err := svc.RevokeInviteCode(ctx, admins.Actor("alice"), "g1", strings.Repeat("0", 64))
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
		c, err := svc.CreateInviteCode(ctx, admins.Actor("alice"), "g1", group.CreateInviteCodeInput{MaxUses: 3})
		require.NoError(t, err)
		_, err = svc.RevokeInviteCode(ctx, admins.Actor("alice"), "g1", c.CodeID)
		require.NoError(t, err)
		_, err = svc.RevokeInviteCode(ctx, admins.Actor("alice"), "g1", c.CodeID)
		assert.Equal(t, errcode.NotFound, errcode.CodeOf(err))
	})
	t.Run("an app admin chooses a code, stored by its hash, and cannot choose it again even once revoked", func(t *testing.T) {
		const code = "AdminsChosenCode000001"
		c, err := svc.CreateInviteCode(ctx, admins.Actor("admin"), "g1", group.CreateInviteCodeInput{MaxUses: 2, Code: code})
		require.NoError(t, err)
		assert.Equal(t, code, c.Code)
		sum := sha256.Sum256([]byte(code))
		assert.Equal(t, hex.EncodeToString(sum[:]), c.CodeID, "stored by its hash like a drawn code")
		_, err = svc.CreateInviteCode(ctx, admins.Actor("admin"), "g1", group.CreateInviteCodeInput{MaxUses: 2, Code: code})
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "a live code is not chosen twice: %v", err)
		_, err = svc.RevokeInviteCode(ctx, admins.Actor("alice"), "g1", c.CodeID)
		require.NoError(t, err)
		before := readGroupItems(t, st, "g1")
		_, err = svc.CreateInviteCode(ctx, admins.Actor("admin"), "g1", group.CreateInviteCodeInput{MaxUses: 2, Code: code})
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "nor revived once revoked: %v", err)
		assert.Equal(t, before, readGroupItems(t, st, "g1"))
	})
	t.Run("members without inviteMember neither list nor revoke", func(t *testing.T) {
		_, err := svc.ListInviteCodes(ctx, admins.Actor("erin"), "g1", 10, "")
		assert.Equal(t, errcode.NotInGroup, errcode.CodeOf(err))
		_, err = svc.Join(ctx, admins.Actor("dave"), "g1", group.JoinInput{})
		require.NoError(t, err)
	})
}

// TestReplayingABanOrACodeJoinChangesNothingMore sends BanMembers,
// JoinByInviteCode and SetGroupMembersInfo through their registry
// operations twice with one Idempotency-Key: the second answers the first
// response and commits nothing.
func TestReplayingABanOrACodeJoinChangesNothingMore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := membershipGroup(t, 0)
	code, err := svc.CreateInviteCode(ctx, admins.Actor("alice"), "g1", group.CreateInviteCodeInput{MaxUses: 5})
	require.NoError(t, err)
	send := func(name, sub, path, body string) events.APIGatewayV2HTTPResponse {
		op, ok := ops.Find(name)
		require.True(t, ok)
		ev := &events.APIGatewayV2HTTPRequest{
			RouteKey: op.Spec.Method + " " + op.Spec.Route, RawPath: path, Body: body,
			Headers:        map[string]string{"idempotency-key": "k-" + name},
			PathParameters: map[string]string{"groupID": "g1"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "req-1",
				HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: op.Spec.Method, Path: path},
				Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{"sub": sub}}}},
		}
		return op.Bind(st, admins)(ctx, ev)
	}
	for _, c := range []struct{ name, sub, path, body string }{
		{"BanMembers", "alice", "/groups/g1/bans", `{"userIDs":["carol"],"reason":"spam"}`},
		{"JoinByInviteCode", "dave", "/groups/g1/join-by-code", `{"code":"` + code.Code + `"}`},
		{"SetGroupMembersInfo", "alice", "/groups/g1/members", `{"members":[{"userID":"bob","nickname":"B"},{"userID":"dave","ex":"x"}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			first := send(c.name, c.sub, c.path, c.body)
			require.Equal(t, 200, first.StatusCode, first.Body)
			after := readGroupItems(t, st, "g1")
			again := send(c.name, c.sub, c.path, c.body)
			assert.Equal(t, 200, again.StatusCode)
			assert.JSONEq(t, first.Body, again.Body)
			assert.Equal(t, "true", again.Headers["Idempotent-Replayed"])
			assert.Equal(t, after, readGroupItems(t, st, "g1"), "the replay commits nothing")
		})
	}
	page, err := svc.ListInviteCodes(ctx, admins.Actor("alice"), "g1", 10, "")
	require.NoError(t, err)
	assert.EqualValues(t, 1, page.Items[0].Uses, "the replayed join used the code once")
	checkClean(t, svc, "g1")
}
