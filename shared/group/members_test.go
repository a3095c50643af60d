package group_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

func memberOf(t *testing.T, st *store.Store, gid, uid string) *store.Member {
	t.Helper()
	ms, err := st.GetMembers(context.Background(), gid, []string{uid})
	require.NoError(t, err)
	require.Contains(t, ms, uid)
	return ms[uid]
}

func TestMuteMemberRulesAndRefusalsChangeNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, now := staffedGroup(t)
	cases := []struct {
		name, actor, target string
		seconds             int64
		code                errcode.Code
	}{
		{"non-member", "erin", "carol", 60, errcode.NotInGroup},
		{"ordinary member lacks muteMember", "carol", "dave", 60, errcode.NoPermission},
		{"nobody mutes themselves", "bob", "bob", 60, errcode.NoPermission},
		{"admin cannot mute an admin", "bob", "bea", 60, errcode.NoPermission},
		{"admin cannot mute the owner", "bob", "alice", 60, errcode.NoPermission},
		{"app admin cannot mute the owner", "admin", "alice", 60, errcode.NoPermission},
		{"target is not a member", "alice", "erin", 60, errcode.NotInGroup},
		{"zero seconds", "alice", "carol", 0, errcode.InvalidArgument},
		{"more than a year", "alice", "carol", 31536001, errcode.InvalidArgument},
		{"bad target ID", "alice", "c#d", 60, errcode.InvalidArgument},
		{"admin mutes an ordinary member", "bob", "carol", 60, ""},
		{"owner mutes an admin", "alice", "bea", 31536000, ""},
		{"app admin mutes an admin", "admin", "bob", 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := captureGroup(t, st, "g1")
			m, err := svc.MuteMember(ctx, admins.Actor(c.actor), "g1", c.target, group.MuteMemberInput{MutedSeconds: c.seconds})
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			if c.code != "" {
				assert.Equal(t, before, captureGroup(t, st, "g1"), "a refused request changes nothing")
				return
			}
			want := now.UnixMilli() + c.seconds*1000
			assert.Equal(t, want, m.MuteEndTime)
			assert.Equal(t, want, memberOf(t, st, "g1", c.target).MuteEndTime)
			assert.Equal(t, c.actor, memberOf(t, st, "g1", c.target).OperatorUserID)
			ev := newestEvent(t, st, "g1")
			assert.Equal(t, event.GroupMemberMuted, ev.Type)
			assert.Equal(t, 1512, ev.Code)
			assert.Equal(t, c.target, ev.Payload["userID"])
			assertInvariants(t, st, "g1")
		})
	}

	t.Run("cancel follows the same rules and clears muteEndTime", func(t *testing.T) {
		before := captureGroup(t, st, "g1")
		_, err := svc.CancelMuteMember(ctx, admins.Actor("bea"), "g1", "bob")
		assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err), "an admin cannot unmute an admin")
		assert.Equal(t, before, captureGroup(t, st, "g1"))

		m, err := svc.CancelMuteMember(ctx, admins.Actor("bob"), "g1", "carol")
		require.NoError(t, err)
		assert.Zero(t, m.MuteEndTime)
		assert.Zero(t, memberOf(t, st, "g1", "carol").MuteEndTime)
		ev := newestEvent(t, st, "g1")
		assert.Equal(t, event.GroupMemberCancelMuted, ev.Type)
		assert.Equal(t, 1513, ev.Code)
		assertInvariants(t, st, "g1")
	})
}

func TestSetMemberInfoRulesAndEvents(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	cases := []struct {
		name, actor, target string
		in                  group.SetMemberInfoInput
		code                errcode.Code
		evType              event.Type
	}{
		{"non-member", "erin", "carol", group.SetMemberInfoInput{Nickname: ptr("x")}, errcode.NotInGroup, ""},
		{"target not a member", "alice", "erin", group.SetMemberInfoInput{Nickname: ptr("x")}, errcode.NotInGroup, ""},
		{"ordinary member edits another", "carol", "dave", group.SetMemberInfoInput{Nickname: ptr("x")}, errcode.NoPermission, ""},
		{"admin edits another admin", "bob", "bea", group.SetMemberInfoInput{Nickname: ptr("x")}, errcode.NoPermission, ""},
		{"admin edits the owner", "bob", "alice", group.SetMemberInfoInput{Nickname: ptr("x")}, errcode.NoPermission, ""},
		{"nickname too long", "carol", "carol", group.SetMemberInfoInput{Nickname: ptr(string(make([]rune, 256)))}, errcode.InvalidArgument, ""},
		{"nobody changes their own roleLevel", "carol", "carol", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)}, errcode.NoPermission, ""},
		{"an admin cannot demote themselves", "bob", "bob", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleMember)}, errcode.NoPermission, ""},
		{"roleLevel 100 is not settable", "alice", "bob", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleOwner)}, errcode.InvalidArgument, ""},
		{"roleLevel 30 is not settable", "alice", "carol", group.SetMemberInfoInput{RoleLevel: ptr(30)}, errcode.InvalidArgument, ""},
		{"admin cannot demote an admin", "bob", "bea", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleMember)}, errcode.NoPermission, ""},
		{"app admin cannot demote the owner", "admin", "alice", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)}, errcode.NoPermission, ""},
		{"ordinary member cannot promote", "carol", "dave", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)}, errcode.NoPermission, ""},
		{"yourself: nickname, faceURL and ex", "carol", "carol", group.SetMemberInfoInput{Nickname: ptr("Caz"), FaceURL: ptr("f"), Ex: ptr("e")}, "", event.GroupMemberInfoSet},
		{"admin edits an ordinary member", "bob", "dave", group.SetMemberInfoInput{Nickname: ptr("D")}, "", event.GroupMemberInfoSet},
		{"owner edits an admin", "alice", "bea", group.SetMemberInfoInput{Ex: ptr("x")}, "", event.GroupMemberInfoSet},
		{"admin promotes an ordinary member", "bob", "carol", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)}, "", event.GroupMemberSetToAdmin},
		{"owner demotes an admin", "alice", "bea", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleMember)}, "", event.GroupMemberSetToOrdinaryUser},
		{"app admin promotes", "admin", "bea", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin), Nickname: ptr("B")}, "", event.GroupMemberSetToAdmin},
		{"the owner edits their own nickname", "alice", "alice", group.SetMemberInfoInput{Nickname: ptr("A")}, "", event.GroupMemberInfoSet},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := captureGroup(t, st, "g1")
			m, err := svc.SetMemberInfo(ctx, admins.Actor(c.actor), "g1", c.target, c.in)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			if c.code != "" {
				assert.Equal(t, before, captureGroup(t, st, "g1"), "a refused request changes nothing")
				return
			}
			stored := memberOf(t, st, "g1", c.target)
			assert.Equal(t, stored, m)
			if c.in.Nickname != nil {
				assert.Equal(t, *c.in.Nickname, stored.Nickname)
			}
			if c.in.RoleLevel != nil {
				assert.Equal(t, *c.in.RoleLevel, stored.RoleLevel)
			}
			ev := newestEvent(t, st, "g1")
			assert.Equal(t, c.evType, ev.Type)
			assert.Equal(t, c.evType.Code(), ev.Code)
			assert.Equal(t, c.target, ev.Payload["userID"])
			g := assertInvariants(t, st, "g1")
			assert.Equal(t, before.Group.Version+1, g.Version)
		})
	}

	t.Run("a roleLevel change moves the member within the ranked list", func(t *testing.T) {
		page, err := svc.ListMembers(ctx, admins.Actor("alice"), "g1", store.FilterAdmins, 0, "")
		require.NoError(t, err)
		assert.ElementsMatch(t, []string{"bea", "bob", "carol"}, memberIDs(page.Items))
	})

	t.Run("a request that changes nothing keeps the version", func(t *testing.T) {
		before := captureGroup(t, st, "g1")
		m, err := svc.SetMemberInfo(ctx, admins.Actor("alice"), "g1", "carol", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)})
		require.NoError(t, err)
		assert.Equal(t, store.RoleAdmin, m.RoleLevel)
		assert.Equal(t, before, captureGroup(t, st, "g1"))
	})
}

// OpenIM #488: setGroupMemberInfo could set roleLevel 100 on a second member.
func TestSetMemberInfoCannotMakeASecondOwner_OpenIM488(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	for _, actor := range []string{"alice", "admin"} {
		for _, target := range []string{"bob", "carol"} {
			before := captureGroup(t, st, "g1")
			_, err := svc.SetMemberInfo(ctx, admins.Actor(actor), "g1", target, group.SetMemberInfoInput{RoleLevel: ptr(store.RoleOwner)})
			assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "%s makes %s owner", actor, target)
			assert.Equal(t, before, captureGroup(t, st, "g1"))
		}
	}
	g := assertInvariants(t, st, "g1")
	assert.Equal(t, "alice", g.OwnerUserID)
}

// OpenIM #3004: the owner demoted themselves and left the group ownerless.
func TestTheOwnerCannotDemoteThemselves_OpenIM3004(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	for _, level := range []int{store.RoleAdmin, store.RoleMember} {
		for _, actor := range []string{"alice", "admin"} {
			before := captureGroup(t, st, "g1")
			_, err := svc.SetMemberInfo(ctx, admins.Actor(actor), "g1", "alice", group.SetMemberInfoInput{RoleLevel: ptr(level)})
			assert.Equal(t, errcode.NoPermission, errcode.CodeOf(err), "%s sets the owner to %d", actor, level)
			assert.Equal(t, before, captureGroup(t, st, "g1"))
		}
	}
	g := assertInvariants(t, st, "g1")
	assert.Equal(t, "alice", g.OwnerUserID)
}

func TestConcurrentRoleChangesTransfersAndMutesKeepExactlyOneOwner(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	people := []string{"alice", "bob", "bea", "carol", "dave"}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(seed), uint64(w)))
			for range 12 {
				actor, target := people[rng.IntN(len(people))], people[rng.IntN(len(people))]
				var err error
				switch rng.IntN(4) {
				case 0:
					_, err = svc.TransferOwner(ctx, admins.Actor(actor), "g1", group.TransferInput{NewOwnerUserID: target})
				case 1:
					_, err = svc.SetMemberInfo(ctx, admins.Actor(actor), "g1", target, group.SetMemberInfoInput{RoleLevel: ptr([]int{store.RoleAdmin, store.RoleMember, store.RoleOwner}[rng.IntN(3)])})
				case 2:
					_, err = svc.MuteMember(ctx, admins.Actor(actor), "g1", target, group.MuteMemberInput{MutedSeconds: 60})
				case 3:
					_, err = svc.SetMemberInfo(ctx, admins.Actor(actor), "g1", target, group.SetMemberInfoInput{Nickname: ptr(fmt.Sprint(rng.IntN(9)))})
				}
				switch errcode.CodeOf(err) {
				case "", errcode.NoPermission, errcode.InvalidArgument, errcode.Conflict:
				default:
					t.Errorf("seed %d: unexpected %v", seed, err)
				}
			}
		}()
	}
	wg.Wait()
	g := assertInvariants(t, st, "g1")
	ms, err := st.AllMembers(ctx, "g1")
	require.NoError(t, err)
	for _, m := range ms {
		if m.MuteEndTime != 0 {
			assert.NotEqual(t, g.OwnerUserID, m.UserID, "seed %d: the owner is never muted (a transfer unmutes the new owner)", seed)
		}
	}
}

func memberIDs(ms []*store.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.UserID
	}
	return out
}

// listAll pages through a filter with a small limit and collects the IDs.
func listAll(t *testing.T, svc *group.Service, actor string, filter, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		page, err := svc.ListMembers(context.Background(), admins.Actor(actor), "g1", filter, limit, cursor)
		require.NoError(t, err)
		assert.LessOrEqual(t, len(page.Items), limit)
		out = append(out, memberIDs(page.Items)...)
		if page.NextCursor == "" {
			return out
		}
		cursor = page.NextCursor
	}
	t.Fatal("too many pages")
	return nil
}

// rankedGroup adds to staffedGroup's g1 two admins and three ordinary
// members who joined later, one after another, and returns every member's
// ID by filter in the expected order (roleLevel descending, then joinTime).
func rankedGroup(t *testing.T) (*group.Service, *store.Store, map[int][]string) {
	t.Helper()
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	late := []struct {
		id    string
		level int
	}{{"m1", store.RoleMember}, {"a1", store.RoleAdmin}, {"m2", store.RoleMember}, {"a2", store.RoleAdmin}, {"m3", store.RoleMember}}
	for i, l := range late {
		withProfiles(t, svc, l.id)
		g, err := st.GetGroup(ctx, "g1")
		require.NoError(t, err)
		m := &store.Member{GroupID: "g1", UserID: l.id, RoleLevel: l.level, JoinTime: st.Now().UnixMilli() + int64(i+1)*1000, JoinSource: store.JoinByAdmin}
		_, err = st.AddMembers(ctx, g, []*store.Member{m}, event.New(event.MemberInvited, "alice", event.UsersPayload{UserIDs: []string{l.id}}))
		require.NoError(t, err)
	}
	// Members created together share a joinTime and are ordered by userID.
	owner := []string{"alice"}
	adminIDs := []string{"bea", "bob", "a1", "a2"}
	ordinary := []string{"carol", "dave", "m1", "m2", "m3"}
	return svc, st, map[int][]string{
		store.FilterAll:           slices.Concat(owner, adminIDs, ordinary),
		store.FilterOwner:         owner,
		store.FilterAdmins:        adminIDs,
		store.FilterOrdinary:      ordinary,
		store.FilterAdminOrdinary: slices.Concat(adminIDs, ordinary),
		store.FilterOwnerAdmins:   slices.Concat(owner, adminIDs),
	}
}

// OpenIM's member list ignored its filter.
func TestGetGroupMemberListFilterReallyFilters(t *testing.T) {
	t.Parallel() // each test has its own table
	svc, st, want := rankedGroup(t)
	assertInvariants(t, st, "g1")
	for filter := store.FilterAll; filter <= store.FilterOwnerAdmins; filter++ {
		for _, limit := range []int{2, 100} {
			t.Run(fmt.Sprintf("filter %d limit %d", filter, limit), func(t *testing.T) {
				assert.Equal(t, want[filter], listAll(t, svc, "carol", filter, limit))
			})
		}
	}
}

func TestGetGroupMemberListIsForMembersAndAppAdminsAndChecksItsArguments(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, _, want := rankedGroup(t)
	assert.Equal(t, want[store.FilterAll], listAll(t, svc, "admin", store.FilterAll, 4), "an app admin reads without being a member")

	first, err := svc.ListMembers(ctx, admins.Actor("alice"), "g1", store.FilterAdmins, 1, "")
	require.NoError(t, err)
	require.NotEmpty(t, first.NextCursor)
	cases := []struct {
		name, actor   string
		filter, limit int
		cursor        string
		code          errcode.Code
	}{
		{"non-member", "erin", 0, 0, "", errcode.NotInGroup},
		{"filter 6", "alice", 6, 0, "", errcode.InvalidArgument},
		{"filter -1", "alice", -1, 0, "", errcode.InvalidArgument},
		{"limit 1001", "alice", 0, 1001, "", errcode.InvalidArgument},
		{"garbage cursor", "alice", 0, 0, "zzz", errcode.InvalidArgument},
		{"another filter's cursor", "alice", store.FilterOrdinary, 0, first.NextCursor, errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.ListMembers(ctx, admins.Actor(c.actor), "g1", c.filter, c.limit, c.cursor)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
		})
	}
	_, err = svc.ListMembers(ctx, admins.Actor("alice"), "nope", 0, 0, "")
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))
	page, err := svc.ListMembers(ctx, admins.Actor("alice"), "g1", store.FilterAll, 0, first.NextCursor)
	require.NoError(t, err, "a cursor of a narrower filter lies within filter 0")
	assert.Equal(t, want[store.FilterAll][2:], memberIDs(page.Items))
}

func TestGetGroupMembersInfoHonoursLookMemberInfo(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	for _, u := range []string{"bob", "carol", "dave"} {
		_, err := svc.SetMemberInfo(ctx, admins.Actor(u), "g1", u, group.SetMemberInfoInput{Nickname: ptr(u + "!"), Ex: ptr("secret of " + u)})
		require.NoError(t, err)
	}
	asked := []string{"dave", "carol", "ghost", "bob"}
	full := func(t *testing.T, m *store.Member) {
		assert.Equal(t, "secret of "+m.UserID, m.Ex, m.UserID)
		assert.NotZero(t, m.JoinTime, m.UserID)
	}
	public := func(t *testing.T, m *store.Member) {
		assert.Equal(t, &store.Member{GroupID: "g1", UserID: m.UserID, Nickname: m.UserID + "!", RoleLevel: m.RoleLevel, Masked: true}, m)
		assert.NotZero(t, m.RoleLevel)
		// The private fields are absent, not zero: joinSource 0 or
		// muteEndTime 0 ("not muted") would be false statements.
		raw, err := json.Marshal(m)
		require.NoError(t, err)
		var keys map[string]any
		require.NoError(t, json.Unmarshal(raw, &keys))
		assert.ElementsMatch(t, []string{"groupID", "userID", "nickname", "faceURL", "roleLevel"}, slices.Collect(maps.Keys(keys)))
	}
	read := func(t *testing.T, actor string) map[string]*store.Member {
		page, err := svc.MembersInfo(ctx, admins.Actor(actor), "g1", asked)
		require.NoError(t, err)
		assert.Equal(t, []string{"dave", "carol", "bob"}, memberIDs(page.Items), "members only, in the order asked")
		out := map[string]*store.Member{}
		for _, m := range page.Items {
			out[m.UserID] = m
		}
		return out
	}

	t.Run("lookMemberInfo 0: everyone sees every field", func(t *testing.T) {
		for _, m := range read(t, "carol") {
			full(t, m)
		}
	})
	_, err := svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{LookMemberInfo: ptr(1)}, "")
	require.NoError(t, err)
	t.Run("lookMemberInfo 1: an ordinary member sees their own record and public fields of others", func(t *testing.T) {
		got := read(t, "carol")
		full(t, got["carol"])
		public(t, got["dave"])
		public(t, got["bob"])
		listed, err := svc.ListMembers(ctx, admins.Actor("carol"), "g1", store.FilterOrdinary, 0, "")
		require.NoError(t, err)
		for _, m := range listed.Items {
			if m.UserID == "dave" {
				public(t, m)
			}
		}
	})
	for _, actor := range []string{"bob", "alice", "admin"} {
		t.Run("lookMemberInfo 1: "+actor+" sees every field", func(t *testing.T) {
			for _, m := range read(t, actor) {
				full(t, m)
			}
		})
	}
	for _, c := range []struct {
		name, actor string
		ids         []string
		code        errcode.Code
	}{
		{"non-member", "erin", []string{"bob"}, errcode.NotInGroup},
		{"no userIDs", "carol", nil, errcode.InvalidArgument},
		{"duplicate userIDs", "carol", []string{"bob", "bob"}, errcode.InvalidArgument},
		{"bad userID", "carol", []string{"b/b"}, errcode.InvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.MembersInfo(ctx, admins.Actor(c.actor), "g1", c.ids)
			assert.Equal(t, c.code, errcode.CodeOf(err))
		})
	}
	assertInvariants(t, st, "g1")
}
