package group_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// The corruptions below are raw DynamoDB writes that bypass the store, the
// way OpenIM's non-atomic multi-document changes (or a hand edit of the
// database) left groups ownerless, with two owners or a wrong member count.

var checker = admins.Actor("admin")

// seedCheckGroup creates group gid with members of distinct join times:
// alice owner (t=1000), carol member (1500), erin admin (2000), bob admin
// (3000), dave member (4000). Version 1, memberCount 5.
func seedCheckGroup(t *testing.T, st *store.Store, gid string) {
	t.Helper()
	for _, id := range []string{"alice", "bob", "carol", "dave", "erin"} {
		_, err := st.PutProfile(context.Background(), store.Profile{UserID: id, Nickname: id})
		require.NoError(t, err)
	}
	m := func(uid string, level int, joined int64) *store.Member {
		return &store.Member{GroupID: gid, UserID: uid, RoleLevel: level, JoinTime: joined, JoinSource: store.JoinByAdmin}
	}
	g := &store.Group{GroupID: gid, GroupName: gid, OwnerUserID: "alice", CreatorUserID: "alice", CreateTime: 1000}
	_, err := st.CreateGroup(context.Background(), g, []*store.Member{
		m("alice", store.RoleOwner, 1000), m("carol", store.RoleMember, 1500), m("erin", store.RoleAdmin, 2000),
		m("bob", store.RoleAdmin, 3000), m("dave", store.RoleMember, 4000),
	}, event.New(event.GroupCreated, "alice", nil))
	require.NoError(t, err)
}

func rawKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}

// rawSet overwrites attributes of an item directly, with no condition.
func rawSet(t *testing.T, st *store.Store, pk, sk string, attrs map[string]any) {
	t.Helper()
	expr, names, values := "SET ", map[string]string{}, map[string]types.AttributeValue{}
	i := 0
	for name, v := range attrs {
		if i > 0 {
			expr += ", "
		}
		expr += fmt.Sprintf("#a%d = :v%d", i, i)
		names[fmt.Sprintf("#a%d", i)] = name
		switch v := v.(type) {
		case string:
			values[fmt.Sprintf(":v%d", i)] = &types.AttributeValueMemberS{Value: v}
		case int:
			values[fmt.Sprintf(":v%d", i)] = &types.AttributeValueMemberN{Value: strconv.Itoa(v)}
		default:
			t.Fatalf("rawSet: %T", v)
		}
		i++
	}
	_, err := st.Client().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table()), Key: rawKey(pk, sk), UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values,
	})
	require.NoError(t, err)
}

func rawDelete(t *testing.T, st *store.Store, pk, sk string) {
	t.Helper()
	_, err := st.Client().DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(st.Table()), Key: rawKey(pk, sk)})
	require.NoError(t, err)
}

// rankSK is the member-list rank key of the key design (store/keys.go).
func rankSK(level int, joined int64, uid string) string {
	return fmt.Sprintf("%03d#%013d#%s", 999-level, joined, uid)
}

// setLevel changes a member's roleLevel together with its rank key, as a
// buggy non-atomic operation would: the record itself stays well-formed.
func setLevel(t *testing.T, st *store.Store, gid, uid string, level int) {
	t.Helper()
	ms, err := st.GetMembers(context.Background(), gid, []string{uid})
	require.NoError(t, err)
	require.Contains(t, ms, uid)
	rawSet(t, st, "G#"+gid, "M#"+uid, map[string]any{"roleLevel": level, "GSI1SK": rankSK(level, ms[uid].JoinTime, uid)})
}

func invariantsOf(fs []group.Finding) []int {
	out := []int{}
	for _, f := range fs {
		out = append(out, f.Invariant)
	}
	return out
}

func levelsOf(t *testing.T, st *store.Store, gid string) map[string]int {
	t.Helper()
	ms, err := st.AllMembers(context.Background(), gid)
	require.NoError(t, err)
	out := map[string]int{}
	for _, m := range ms {
		out[m.UserID] = m.RoleLevel
	}
	return out
}

func TestCheckReportsAndRepairsCorruptedGroups(t *testing.T) {
	t.Parallel() // each test has its own table
	healthy := map[string]int{"alice": 100, "carol": 20, "erin": 60, "bob": 60, "dave": 20}
	cases := []struct {
		name       string
		corrupt    func(t *testing.T, st *store.Store, gid string)
		invariants []int  // reported by the check, in order
		contains   string // in some violation message
		owner      string // after the repair
		levels     map[string]int
		count      int64
	}{
		{
			name:       "ownerless: the owner's record demoted to 20 (OpenIM #3004) gives the longest-serving admin ownership",
			corrupt:    func(t *testing.T, st *store.Store, gid string) { setLevel(t, st, gid, "alice", store.RoleMember) },
			invariants: []int{1, 1}, contains: "ownerUserID alice has roleLevel 20",
			owner:  "erin",
			levels: map[string]int{"alice": 20, "carol": 20, "erin": 100, "bob": 60, "dave": 20}, count: 5,
		},
		{
			name: "ownerless with no admin gives the longest-serving member ownership",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				for _, id := range []string{"alice", "erin", "bob"} {
					setLevel(t, st, gid, id, store.RoleMember)
				}
			},
			invariants: []int{1, 1}, contains: "no member has roleLevel 100",
			owner:  "alice",
			levels: map[string]int{"alice": 100, "carol": 20, "erin": 20, "bob": 20, "dave": 20}, count: 5,
		},
		{
			name: "ownerless: the owner's record is gone and memberCount still counts it",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawDelete(t, st, "G#"+gid, "M#alice")
			},
			invariants: []int{2, 1, 1}, contains: "ownerUserID alice is not a member",
			owner:  "erin",
			levels: map[string]int{"carol": 20, "erin": 100, "bob": 60, "dave": 20}, count: 4,
		},
		{
			name:       "two owners (OpenIM #488): the one not named by the group becomes an admin",
			corrupt:    func(t *testing.T, st *store.Store, gid string) { setLevel(t, st, gid, "carol", store.RoleOwner) },
			invariants: []int{1}, contains: "members other than ownerUserID with roleLevel 100: carol",
			owner:  "alice",
			levels: map[string]int{"alice": 100, "carol": 60, "erin": 60, "bob": 60, "dave": 20}, count: 5,
		},
		{
			name: "the group names a non-owner while another member holds 100: that member is the owner",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "META", map[string]any{"ownerUserID": "dave"})
			},
			invariants: []int{1, 1}, contains: "ownerUserID dave has roleLevel 20",
			owner:  "alice",
			levels: healthy, count: 5,
		},
		{
			name: "wrong memberCount is recounted",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "META", map[string]any{"memberCount": 9})
			},
			invariants: []int{2}, contains: "memberCount is 9 but there are 5 member records",
			owner:  "alice",
			levels: healthy, count: 5,
		},
		{
			name: "a channelCount above the channels is recounted, or the 500-channel bound would bite early",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "META", map[string]any{"channelCount": 7})
			},
			invariants: []int{2}, contains: "channelCount is 7 but there are 0 channels",
			owner:  "alice",
			levels: healthy, count: 5,
		},
		{
			name: "a negative channelCount (a group from before the count, which lost a channel) is recounted, or the bound would not hold",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "META", map[string]any{"channelCount": -1})
			},
			invariants: []int{2}, contains: "channelCount is -1 but there are 0 channels",
			owner:  "alice",
			levels: healthy, count: 5,
		},
		{
			name: "a bad rank key is rewritten from roleLevel and joinTime",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "M#carol", map[string]any{"GSI1SK": rankSK(store.RoleOwner, 1500, "carol")})
			},
			invariants: []int{3}, contains: "member carol has index keys",
			owner:  "alice",
			levels: healthy, count: 5,
		},
		{
			name: "a bad my-groups key is rewritten, so the member sees the group again (invariant 3)",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "M#dave", map[string]any{"GSI2PK": "U#mallory#G", "GSI2SK": "x"})
			},
			invariants: []int{3}, contains: "member dave has index keys",
			owner:  "alice",
			levels: healthy, count: 5,
		},
	}
	// One table; each case has its own group.
	svc, st := newService(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			gid := fmt.Sprintf("g%d", i)
			seedCheckGroup(t, st, gid)
			c.corrupt(t, st, gid)

			rep, err := svc.Check(ctx, checker, gid, group.CheckInput{})
			require.NoError(t, err)
			assert.Equal(t, c.invariants, invariantsOf(rep.Violations), "%+v", rep.Violations)
			assert.Contains(t, fmt.Sprint(rep.Violations), c.contains)
			assert.False(t, rep.Repaired)
			assert.EqualValues(t, 1, rep.Version)
			g, err := st.GetGroup(ctx, gid)
			require.NoError(t, err)
			assert.EqualValues(t, 1, g.Version, "a check without repair writes nothing")

			rep, err = svc.Check(ctx, checker, gid, group.CheckInput{Repair: true})
			require.NoError(t, err)
			assert.True(t, rep.Repaired)
			assert.Empty(t, rep.Violations, "the report after the repair is fresh")
			assert.EqualValues(t, 2, rep.Version)

			g = assertInvariants(t, st, gid)
			assert.Equal(t, c.owner, g.OwnerUserID)
			assert.Equal(t, c.count, g.MemberCount)
			assert.Equal(t, c.levels, levelsOf(t, st, gid))
			evs, err := st.ListEvents(ctx, gid, 1, 10)
			require.NoError(t, err)
			require.Len(t, evs, 1, "exactly one repair event")
			assert.Equal(t, event.GroupRepaired, evs[0].Type)
			assert.Equal(t, event.GroupRepaired.Code(), evs[0].Code)
			assert.EqualValues(t, 2, evs[0].Version, "the repair event has the next version")
			assert.Equal(t, "admin", evs[0].ActorUserID)
			assert.Empty(t, evs[0].Recipients, "a repair is addressed to the whole group")
			assert.NotEmpty(t, evs[0].Payload["violations"])

			rep, err = svc.Check(ctx, checker, gid, group.CheckInput{Repair: true})
			require.NoError(t, err)
			assert.Empty(t, rep.Violations)
			assert.False(t, rep.Repaired, "nothing left to repair")
			assert.EqualValues(t, 2, rep.Version, "a repair of a healthy group writes nothing")

			for uid := range c.levels {
				page, err := st.ListJoinedGroups(ctx, uid, 100, "")
				require.NoError(t, err)
				level := -1
				for _, g := range page.Items {
					if g.GroupID == gid {
						level = g.RoleLevel
					}
				}
				assert.Equal(t, c.levels[uid], level, "%s lists the group in my groups at their level", uid)
			}
		})
	}
}

func TestCheckOfAHealthyGroupReportsNothing(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	members := users("m", 60)
	withProfiles(t, svc, append([]string{"alice", "bob"}, members...)...)
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "g1", AdminUserIDs: []string{"bob"}, MemberUserIDs: members})
	require.NoError(t, err)
	_, err = svc.TransferOwner(ctx, admins.Actor("alice"), "g1", group.TransferInput{NewOwnerUserID: "bob"})
	require.NoError(t, err)

	// The creation's batches, then the transfer.
	version := int64(1 + (62-store.CreateBatch+store.AddBatch-1)/store.AddBatch + 1)
	rep, err := svc.Check(ctx, checker, "g1", group.CheckInput{Repair: true})
	require.NoError(t, err)
	assert.Equal(t, &group.CheckReport{GroupID: "g1", Version: version, Violations: []group.Finding{}}, rep)
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"groupID":"g1","version":%d,"violations":[],"repaired":false}`, version), string(b))
	assertInvariants(t, st, "g1")
}

func TestCheckIsForAppAdminsOnly(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	seedCheckGroup(t, st, "g1")
	cases := []struct {
		name, actor, groupID string
		code                 errcode.Code
	}{
		{"the group's owner", "alice", "g1", errcode.NoPermission},
		{"a member", "carol", "g1", errcode.NoPermission},
		{"a stranger", "zed", "g1", errcode.NoPermission},
		{"an app admin on a missing group", "admin", "nope", errcode.GroupNotFound},
		{"an app admin with a bad group ID", "admin", "a#b", errcode.InvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			setLevel(t, st, "g1", "carol", store.RoleOwner) // something to repair
			_, err := svc.Check(ctx, admins.Actor(c.actor), c.groupID, group.CheckInput{Repair: true})
			assert.Equal(t, c.code, errcode.CodeOf(err))
			assert.Equal(t, store.RoleOwner, levelsOf(t, st, "g1")["carol"], "a refused check repairs nothing")
		})
	}
}

func TestCheckReportsEventLogGapsItCannotRepair(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	cases := []struct {
		name     string
		corrupt  func(t *testing.T, st *store.Store, gid string)
		contains string
	}{
		{"a missing event in the retained window", func(t *testing.T, st *store.Store, gid string) {
			rawDelete(t, st, "G#"+gid+"#E", fmt.Sprintf("V#%012d", 2))
		}, "events jump from version 1 to 3"},
		{"the newest event behind the group's version", func(t *testing.T, st *store.Store, gid string) {
			rawSet(t, st, "G#"+gid, "META", map[string]any{"version": 4})
		}, "the newest retained event has version 3 but the group is at version 4"},
		{"an event whose version is not its key's", func(t *testing.T, st *store.Store, gid string) {
			rawSet(t, st, "G#"+gid+"#E", fmt.Sprintf("V#%012d", 2), map[string]any{"version": 7})
		}, "carries version 7"},
	}
	svc, st := newService(t)
	withProfiles(t, svc, "frank", "gina")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gid := fmt.Sprintf("g%d", i)
			seedCheckGroup(t, st, gid)
			for _, id := range []string{"frank", "gina"} { // versions 2 and 3
				g, err := st.GetGroup(ctx, gid)
				require.NoError(t, err)
				_, err = st.AddMembers(ctx, g, []*store.Member{{GroupID: gid, UserID: id, RoleLevel: store.RoleMember, JoinTime: 5000}}, event.New(event.MemberInvited, "alice", nil))
				require.NoError(t, err)
			}
			c.corrupt(t, st, gid)
			rep, err := svc.Check(ctx, checker, gid, group.CheckInput{Repair: true})
			require.NoError(t, err)
			assert.Contains(t, invariantsOf(rep.Violations), 4)
			assert.Contains(t, fmt.Sprint(rep.Violations), c.contains)
			assert.False(t, rep.Repaired, "an event log is not rewritten")
		})
	}
}

func TestCheckIgnoresExpiredEvents(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	seedCheckGroup(t, st, "g1")
	withProfiles(t, svc, "frank")
	g, err := st.GetGroup(ctx, "g1")
	require.NoError(t, err)
	_, err = st.AddMembers(ctx, g, []*store.Member{{GroupID: "g1", UserID: "frank", RoleLevel: store.RoleMember, JoinTime: 5000}}, event.New(event.MemberInvited, "alice", nil))
	require.NoError(t, err)
	// Version 1 has expired but TTL has not deleted it yet; version 2 is
	// retained. Expired events are outside the window, even if still there.
	rawSet(t, st, "G#g1#E", fmt.Sprintf("V#%012d", 1), map[string]any{"expiresAt": int(time.Now().Add(-time.Hour).Unix()), "version": 99})
	rep, err := svc.Check(ctx, checker, "g1", group.CheckInput{})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
}

func TestCheckOfADismissedGroupReportsLeftoverRecordsOnceCleanupIsDue(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	seedCheckGroup(t, st, "g1")
	// Dismissed as DismissGroup leaves it: status 2 at the dismissal's
	// version, records still there; ownership no longer matters.
	rawSet(t, st, "G#g1", "META", map[string]any{"status": store.StatusDismissed})
	setLevel(t, st, "g1", "alice", store.RoleMember)

	rep, err := svc.Check(ctx, checker, "g1", group.CheckInput{})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations, "within the grace period the records are pending cleanup")
	require.Len(t, rep.Pending, 1)
	assert.Equal(t, 5, rep.Pending[0].Invariant)
	assert.Contains(t, rep.Pending[0].Message, "5 member")

	rep, err = svc.Check(ctx, checker, "g1", group.CheckInput{CleanupDue: true, Repair: true})
	require.NoError(t, err)
	assert.Equal(t, []int{5}, invariantsOf(rep.Violations))
	assert.False(t, rep.Repaired, "a dismissed group accepts no change, not even a repair")

	later := *st
	later.Now = func() time.Time { return time.Now().Add(group.CleanupGrace + time.Minute) }
	rep, err = group.NewService(&later).Check(ctx, checker, "g1", group.CheckInput{})
	require.NoError(t, err)
	assert.Equal(t, []int{5}, invariantsOf(rep.Violations), "after the grace period leftovers are violations")

	for _, id := range []string{"alice", "bob", "carol", "dave", "erin"} {
		rawDelete(t, st, "G#g1", "M#"+id)
	}
	rawSet(t, st, "G#g1", "META", map[string]any{"memberCount": 0})
	rep, err = svc.Check(ctx, checker, "g1", group.CheckInput{CleanupDue: true})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations)
	assert.Empty(t, rep.Pending)
}

func TestCheckAllLogsGroupsWithViolationsAndEmitsTheMetric(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	for _, gid := range []string{"ga", "gb", "gc"} {
		seedCheckGroup(t, st, gid)
	}
	setLevel(t, st, "gb", "carol", store.RoleOwner)
	rawSet(t, st, "G#gb", "META", map[string]any{"memberCount": 7})

	var out bytes.Buffer
	sum, err := svc.CheckAll(ctx, &out, 0)
	require.NoError(t, err)
	assert.Equal(t, &group.CheckAllSummary{Groups: 3, GroupsWithViolations: 1, Violations: 2}, sum)

	var warned []string
	var emf map[string]any
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line), "every line is JSON: %s", sc.Text())
		if line["level"] == "WARN" {
			warned = append(warned, line["groupID"].(string))
			assert.Len(t, line["violations"], 2)
		}
		if _, ok := line["_aws"]; ok {
			emf = line
		}
	}
	assert.Equal(t, []string{"gb"}, warned, "one line per group with violations")
	require.NotNil(t, emf, "an Embedded Metric Format line")
	assert.EqualValues(t, 2, emf["GroupInvariantViolations"])
	assert.EqualValues(t, 3, emf["GroupsChecked"])
	directive := emf["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	assert.Equal(t, "Circles", directive["Namespace"])
	assert.Contains(t, fmt.Sprint(directive["Metrics"]), "GroupInvariantViolations")

	g, err := st.GetGroup(ctx, "gb")
	require.NoError(t, err)
	assert.EqualValues(t, 1, g.Version, "the scheduled check only reports")

	out.Reset()
	sum, err = svc.CheckAll(ctx, &out, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Groups)
	assert.True(t, sum.Truncated, "a run is bounded")

	// The bound counts groups started, and a started group is finished
	// even when its check takes several calls: the last group allowed is
	// not dropped for being large.
	svc.SetCheckPaging(1, 1)
	out.Reset()
	sum, err = svc.CheckAll(ctx, &out, 2)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Groups, "both groups allowed are checked whole")
	assert.True(t, sum.Truncated)
}

func TestConcurrentRepairsCommitExactlyOneRepair(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	seedCheckGroup(t, st, "g1")
	setLevel(t, st, "g1", "alice", store.RoleMember)
	setLevel(t, st, "g1", "carol", store.RoleOwner)
	rawSet(t, st, "G#g1", "META", map[string]any{"memberCount": 2})

	const n = 6
	reps := make([]*group.CheckReport, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = svc.Check(ctx, checker, "g1", group.CheckInput{Repair: true})
		}()
	}
	wg.Wait()
	repaired := 0
	for i := range n {
		require.NoError(t, errs[i], "call %d", i)
		assert.Empty(t, reps[i].Violations, "call %d", i)
		if reps[i].Repaired {
			repaired++
		}
	}
	assert.Equal(t, 1, repaired, "the losers of the race re-read and find nothing to repair")
	g := assertInvariants(t, st, "g1")
	assert.EqualValues(t, 2, g.Version, "one repair, one version")
	assert.Equal(t, "carol", g.OwnerUserID, "the one member left with 100 keeps ownership")
	assert.EqualValues(t, 5, g.MemberCount)
}
