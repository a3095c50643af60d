package group_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// staffedGroup is g1: alice owns it, bob and bea are admins, carol and dave
// are ordinary members; erin is a user outside it and admin an app admin.
// The store's clock is fixed and moved by hand.
func staffedGroup(t *testing.T) (*group.Service, *store.Store, *time.Time) {
	t.Helper()
	svc, st := newService(t)
	now := time.UnixMilli(1_767_225_600_000)
	st.Now = func() time.Time { return now }
	withProfiles(t, svc, "alice", "bob", "bea", "carol", "dave", "erin", "admin")
	_, err := svc.Create(context.Background(), admins.Actor("alice"), group.CreateInput{
		GroupID: "g1", GroupName: "one", AdminUserIDs: []string{"bob", "bea"}, MemberUserIDs: []string{"carol", "dave"}})
	require.NoError(t, err)
	return svc, st, &now
}

// capturedGroup is what a refused request must leave as it was: the group
// record, every member record and the event log.
type capturedGroup struct {
	Group   *store.Group
	Members []*store.Member
	Events  []event.Event
}

func captureGroup(t *testing.T, st *store.Store, gid string) capturedGroup {
	t.Helper()
	ctx := context.Background()
	g, err := st.GetGroup(ctx, gid)
	require.NoError(t, err)
	ms, err := st.AllMembers(ctx, gid)
	require.NoError(t, err)
	evs, err := st.ListEvents(ctx, gid, 0, 1000)
	require.NoError(t, err)
	return capturedGroup{g, ms, evs}
}

// newestEvent is the group's last event.
func newestEvent(t *testing.T, st *store.Store, gid string) event.Event {
	t.Helper()
	evs, err := st.ListEvents(context.Background(), gid, 0, 1000)
	require.NoError(t, err)
	require.NotEmpty(t, evs)
	return evs[len(evs)-1]
}

func ptr[T any](v T) *T { return &v }

func TestSetInfoPermissionsAndValidationAndRefusalsChangeNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	cases := []struct {
		name, actor string
		in          group.SetInfoInput
		ifMatch     string
		code        errcode.Code
	}{
		{"non-member", "erin", group.SetInfoInput{GroupName: ptr("x")}, "", errcode.NotInGroup},
		{"ordinary member lacks manageGroup", "carol", group.SetInfoInput{GroupName: ptr("x")}, "", errcode.NoPermission},
		{"name too long", "alice", group.SetInfoInput{GroupName: ptr(strings.Repeat("n", 256))}, "", errcode.InvalidArgument},
		{"notification too long", "alice", group.SetInfoInput{Notification: ptr(strings.Repeat("n", 2049))}, "", errcode.InvalidArgument},
		{"introduction too long", "alice", group.SetInfoInput{Introduction: ptr(strings.Repeat("n", 256))}, "", errcode.InvalidArgument},
		{"faceURL too long", "alice", group.SetInfoInput{FaceURL: ptr(strings.Repeat("n", 256))}, "", errcode.InvalidArgument},
		{"ex too long", "alice", group.SetInfoInput{Ex: ptr(strings.Repeat("n", 1025))}, "", errcode.InvalidArgument},
		{"unknown needVerification", "alice", group.SetInfoInput{NeedVerification: ptr(3)}, "", errcode.InvalidArgument},
		{"unknown lookMemberInfo", "alice", group.SetInfoInput{LookMemberInfo: ptr(2)}, "", errcode.InvalidArgument},
		{"unknown applyMemberFriend", "alice", group.SetInfoInput{ApplyMemberFriend: ptr(-1)}, "", errcode.InvalidArgument},
		{"unknown groupType", "alice", group.SetInfoInput{GroupType: ptr(3)}, "", errcode.InvalidArgument},
		{"malformed If-Match", "alice", group.SetInfoInput{GroupName: ptr("x")}, "abc", errcode.InvalidArgument},
		{"stale If-Match", "alice", group.SetInfoInput{GroupName: ptr("x")}, "1", errcode.Conflict},
		{"bad group ID", "alice", group.SetInfoInput{GroupName: ptr("x")}, "", errcode.InvalidArgument},
	}
	// The creation took version 1; give the group a second version so that
	// If-Match 1 is stale.
	_, err := svc.SetInfo(ctx, admins.Actor("alice"), "g1", group.SetInfoInput{Introduction: ptr("intro")}, "")
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gid := "g1"
			if c.name == "bad group ID" {
				gid = "g#1"
			}
			before := captureGroup(t, st, "g1")
			_, err := svc.SetInfo(ctx, admins.Actor(c.actor), gid, c.in, c.ifMatch)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			assert.Equal(t, before, captureGroup(t, st, "g1"), "a refused request changes nothing")
		})
	}
	_, err = svc.SetInfo(ctx, admins.Actor("alice"), "nope", group.SetInfoInput{GroupName: ptr("x")}, "")
	assert.Equal(t, errcode.GroupNotFound, errcode.CodeOf(err))

	for _, actor := range []string{"bob", "alice", "admin"} {
		t.Run(actor+" holds manageGroup", func(t *testing.T) {
			g, err := svc.SetInfo(ctx, admins.Actor(actor), "g1", group.SetInfoInput{GroupName: ptr("by " + actor)}, "")
			require.NoError(t, err)
			assert.Equal(t, "by "+actor, g.GroupName)
			assertInvariants(t, st, "g1")
		})
	}
}

func TestSetInfoIsAPartialUpdateWhereEmptyClearsAndEachRequestEmitsOneEvent(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, now := staffedGroup(t)
	alice := admins.Actor("alice")

	g, err := svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{GroupName: ptr("renamed")}, "")
	require.NoError(t, err)
	assert.Equal(t, "renamed", g.GroupName)
	ev := newestEvent(t, st, "g1")
	assert.Equal(t, event.GroupInfoSetName, ev.Type)
	assert.Equal(t, 1520, ev.Code)
	assert.Equal(t, map[string]any{"groupName": "renamed"}, ev.Payload)
	assert.Empty(t, ev.Recipients, "a group-wide event")

	*now = now.Add(time.Minute)
	g, err = svc.SetInfo(ctx, admins.Actor("bob"), "g1", group.SetInfoInput{Notification: ptr("hello")}, "")
	require.NoError(t, err)
	assert.Equal(t, "renamed", g.GroupName, "absent fields stay")
	assert.Equal(t, "hello", g.Notification)
	assert.Equal(t, now.UnixMilli(), g.NotificationUpdateTime)
	assert.Equal(t, "bob", g.NotificationUserID)
	ev = newestEvent(t, st, "g1")
	assert.Equal(t, event.GroupInfoSetAnnouncement, ev.Type)
	assert.Equal(t, 1519, ev.Code)
	assert.Equal(t, "hello", ev.Payload["notification"])

	g, err = svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{Introduction: ptr("about"), FaceURL: ptr("https://x/y.png"), Ex: ptr("{}"),
		NeedVerification: ptr(2), LookMemberInfo: ptr(1), ApplyMemberFriend: ptr(1), GroupType: ptr(1)}, "")
	require.NoError(t, err)
	assert.Equal(t, "about", g.Introduction)
	assert.Equal(t, "https://x/y.png", g.FaceURL)
	assert.Equal(t, 2, g.NeedVerification)
	assert.Equal(t, "renamed", g.GroupName, "absent fields stay")
	ev = newestEvent(t, st, "g1")
	assert.Equal(t, event.GroupInfoSet, ev.Type)
	assert.Equal(t, 1502, ev.Code)
	assert.ElementsMatch(t, []string{"introduction", "faceURL", "ex", "needVerification", "lookMemberInfo", "applyMemberFriend", "groupType"}, keysOf(ev.Payload))

	*now = now.Add(time.Minute)
	g, err = svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{GroupName: ptr("both"), Notification: ptr("")}, "")
	require.NoError(t, err)
	assert.Equal(t, "", g.Notification, `"" clears`)
	ev = newestEvent(t, st, "g1")
	assert.Equal(t, event.GroupInfoSet, ev.Type, "name and notification together are one GroupInfoSet")
	assert.ElementsMatch(t, []string{"groupName", "notification", "notificationUpdateTime", "notificationUserID"}, keysOf(ev.Payload))

	stored := assertInvariants(t, st, "g1")
	assert.Equal(t, "both", stored.GroupName)
	assert.Equal(t, "about", stored.Introduction)
	assert.Equal(t, "https://x/y.png", stored.FaceURL)
	assert.Equal(t, 2, stored.NeedVerification)
	assert.Equal(t, 1, stored.LookMemberInfo)
	assert.Equal(t, 1, stored.ApplyMemberFriend)
	assert.Equal(t, 1, stored.GroupType)
	assert.EqualValues(t, 5, stored.Version, "four requests, four versions")
	assert.Equal(t, stored.Version, g.Version, "the answer carries the new version")
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSetInfoWithIfMatchCommitsOnlyOnTheVersionTheClientSaw(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	alice := admins.Actor("alice")

	g, err := svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{GroupName: ptr("v2")}, "1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, g.Version)
	g, err = svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{GroupName: ptr("v3")}, `"2"`)
	require.NoError(t, err, "the quoted ETag form is accepted")
	assert.EqualValues(t, 3, g.Version)

	before := captureGroup(t, st, "g1")
	_, err = svc.SetInfo(ctx, alice, "g1", group.SetInfoInput{GroupName: ptr("lost update")}, "2")
	assert.Equal(t, errcode.Conflict, errcode.CodeOf(err))
	assert.Equal(t, before, captureGroup(t, st, "g1"))
}

func TestSetInfoThatChangesNothingAnswersTheGroupWithoutANewVersion(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	before := captureGroup(t, st, "g1")
	for _, in := range []group.SetInfoInput{{}, {GroupName: ptr("one"), NeedVerification: ptr(0)}} {
		g, err := svc.SetInfo(ctx, admins.Actor("alice"), "g1", in, "")
		require.NoError(t, err)
		assert.EqualValues(t, 1, g.Version)
		assert.Equal(t, "one", g.GroupName)
	}
	assert.Equal(t, before, captureGroup(t, st, "g1"))
}

func TestMuteGroupAndCancelMuteGroup(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	cases := []struct {
		name, actor string
		mute        bool
		code        errcode.Code
		status      int
		evType      event.Type
	}{
		{"non-member", "erin", true, errcode.NotInGroup, 0, ""},
		{"ordinary member lacks muteGroup", "carol", true, errcode.NoPermission, 0, ""},
		{"admin mutes", "bob", true, "", store.StatusMuted, event.GroupMuted},
		{"owner unmutes", "alice", false, "", store.StatusOK, event.GroupCancelMuted},
		{"app admin mutes", "admin", true, "", store.StatusMuted, event.GroupMuted},
		{"ordinary member cannot unmute", "dave", false, errcode.NoPermission, store.StatusMuted, ""},
		{"admin unmutes", "bea", false, "", store.StatusOK, event.GroupCancelMuted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := captureGroup(t, st, "g1")
			g, err := svc.SetGroupMute(ctx, admins.Actor(c.actor), "g1", c.mute)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
			if c.code != "" {
				assert.Equal(t, before, captureGroup(t, st, "g1"))
				return
			}
			assert.Equal(t, c.status, g.Status)
			stored := assertInvariants(t, st, "g1")
			assert.Equal(t, c.status, stored.Status)
			assert.Equal(t, before.Group.Version+1, stored.Version)
			ev := newestEvent(t, st, "g1")
			assert.Equal(t, c.evType, ev.Type)
			assert.Equal(t, c.evType.Code(), ev.Code)
		})
	}
	assert.Equal(t, 1514, event.GroupMuted.Code())
	assert.Equal(t, 1515, event.GroupCancelMuted.Code())
}

func TestDismissIsForTheOwnerOrAnAppAdminAndTakesEffectAtOnce(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	for _, winner := range []string{"alice", "admin"} {
		t.Run(winner, func(t *testing.T) {
			svc, st, _ := staffedGroup(t)
			for _, c := range []struct {
				actor string
				code  errcode.Code
			}{{"erin", errcode.NotInGroup}, {"carol", errcode.NoPermission}, {"bob", errcode.NoPermission}} {
				before := captureGroup(t, st, "g1")
				err := svc.Dismiss(ctx, admins.Actor(c.actor), "g1")
				assert.Equal(t, c.code, errcode.CodeOf(err), c.actor)
				assert.Equal(t, before, captureGroup(t, st, "g1"), c.actor)
			}
			require.NoError(t, svc.Dismiss(ctx, admins.Actor(winner), "g1"))
			g, err := st.GetGroup(ctx, "g1")
			require.NoError(t, err)
			assert.Equal(t, store.StatusDismissed, g.Status)
			assert.EqualValues(t, 2, g.Version)
			ev := newestEvent(t, st, "g1")
			assert.Equal(t, event.GroupDismissed, ev.Type)
			assert.Equal(t, 1511, ev.Code)
			assert.EqualValues(t, 2, ev.Version)
			assert.Empty(t, ev.Recipients)
		})
	}
}

// OpenIM #1654: a dismissed group kept accepting changes.
func TestADismissedGroupRefusesEveryChange_OpenIM1654(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st, _ := staffedGroup(t)
	require.NoError(t, svc.Dismiss(ctx, admins.Actor("alice"), "g1"))
	ops := map[string]func(actor string) error{
		"SetGroupInfo": func(a string) error {
			_, err := svc.SetInfo(ctx, admins.Actor(a), "g1", group.SetInfoInput{GroupName: ptr("zombie")}, "")
			return err
		},
		"MuteGroup": func(a string) error { _, err := svc.SetGroupMute(ctx, admins.Actor(a), "g1", true); return err },
		"CancelMuteGroup": func(a string) error {
			_, err := svc.SetGroupMute(ctx, admins.Actor(a), "g1", false)
			return err
		},
		"DismissGroup": func(a string) error { return svc.Dismiss(ctx, admins.Actor(a), "g1") },
		"MuteGroupMember": func(a string) error {
			_, err := svc.MuteMember(ctx, admins.Actor(a), "g1", "carol", group.MuteMemberInput{MutedSeconds: 60})
			return err
		},
		"CancelMuteGroupMember": func(a string) error {
			_, err := svc.CancelMuteMember(ctx, admins.Actor(a), "g1", "carol")
			return err
		},
		"SetGroupMemberInfo": func(a string) error {
			_, err := svc.SetMemberInfo(ctx, admins.Actor(a), "g1", "carol", group.SetMemberInfoInput{Nickname: ptr("z")})
			return err
		},
		"SetGroupMemberInfo.roleLevel": func(a string) error {
			_, err := svc.SetMemberInfo(ctx, admins.Actor(a), "g1", "carol", group.SetMemberInfoInput{RoleLevel: ptr(store.RoleAdmin)})
			return err
		},
		"TransferGroupOwner": func(a string) error {
			_, err := svc.TransferOwner(ctx, admins.Actor(a), "g1", group.TransferInput{NewOwnerUserID: "bob"})
			return err
		},
	}
	for name, op := range ops {
		for _, actor := range []string{"alice", "bob", "admin"} {
			t.Run(name+" by "+actor, func(t *testing.T) {
				before := captureGroup(t, st, "g1")
				assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(op(actor)))
				assert.Equal(t, before, captureGroup(t, st, "g1"))
			})
		}
	}
}
