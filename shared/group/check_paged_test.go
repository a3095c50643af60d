package group_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// seedPagedGroup is seedRoleGroup plus a role r2 and twelve members
// zm00..zm11 (the last records of the partition; zm00..zm05 hold r1, and
// zm00 and zm01 r2 too) and four renames, so that a check of pages of a few
// items crosses every kind of record and the events.
func seedPagedGroup(t *testing.T, svc *group.Service, st *store.Store, gid string) {
	t.Helper()
	ctx := context.Background()
	seedRoleGroup(t, st, gid)
	rawPutRole(t, st, gid, store.Role{RoleID: "r2", GroupID: gid, Name: "hosts", Type: store.RoleTypeCustom, Priority: 2, Auths: map[string]string{}}, false)
	var ms []*store.Member
	for i := range 12 {
		m := &store.Member{UserID: fmt.Sprintf("zm%02d", i), RoleLevel: store.RoleMember, JoinTime: int64(5000 + i), JoinSource: store.JoinByAdmin}
		switch {
		case i < 2:
			m.RoleIDs = []string{"r1", "r2"}
		case i < 6:
			m.RoleIDs = []string{"r1"}
		}
		ms = append(ms, m)
	}
	require.NoError(t, st.BulkLoadMembers(ctx, gid, ms))
	for i := range 4 {
		name := fmt.Sprintf("%s-%d", gid, i)
		_, err := svc.SetInfo(ctx, admins.Actor("alice"), gid, group.SetInfoInput{GroupName: &name}, "")
		require.NoError(t, err)
	}
}

func rawPutBan(t *testing.T, st *store.Store, gid, uid string) {
	t.Helper()
	item, err := attributevalue.MarshalMap(store.Ban{GroupID: gid, UserID: uid, BanTime: 1})
	require.NoError(t, err)
	item["PK"] = &types.AttributeValueMemberS{Value: "G#" + gid}
	item["SK"] = &types.AttributeValueMemberS{Value: "B#" + uid}
	item["kind"] = &types.AttributeValueMemberS{Value: "ban"}
	_, err = st.Client().PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(st.Table()), Item: item})
	require.NoError(t, err)
}

// checkInCalls runs the check to its end, passing each continuation back,
// and answers the report and how many calls it took.
func checkInCalls(t *testing.T, svc *group.Service, gid string) (*group.CheckReport, int) {
	t.Helper()
	in := group.CheckInput{}
	for calls := 1; ; calls++ {
		rep, err := svc.Check(context.Background(), checker, gid, in)
		require.NoError(t, err)
		if rep.Continuation == "" {
			return rep, calls
		}
		require.Less(t, calls, 1000, "the check does not end")
		assert.Empty(t, rep.Violations, "an unfinished check reports nothing yet")
		in.Continuation = rep.Continuation
	}
}

// A group checked a few items a page, and a page or a few a call, gets
// exactly the report of the check that reads it whole, healthy or with
// corruptions planted in records read last.
func TestAGroupCheckedInPagesGetsTheReportOfAWholeRead(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	cases := []struct {
		name    string
		corrupt func(t *testing.T, gid string)
		want    []int // the invariants reported
	}{
		{"healthy", func(*testing.T, string) {}, []int{}},
		{"the last member's index keys", func(t *testing.T, gid string) {
			rawSet(t, st, "G#"+gid, "M#zm11", map[string]any{"GSI2SK": "wrong"})
		}, []int{3}},
		{"a second owner and a count off", func(t *testing.T, gid string) {
			setLevel(t, st, gid, "zm10", store.RoleOwner)
			rawSet(t, st, "G#"+gid, "META", map[string]any{"memberCount": 3})
		}, []int{2, 1}},
		{"role records missing, unneeded and orphaned", func(t *testing.T, gid string) {
			rawDelete(t, st, "G#"+gid, "RM#r1#zm04")
			rawPutRoleMember(t, st, gid, "r1", "zm09")
			rawPutRoleMember(t, st, gid, "nosuch", "zm01")
			rawSetRoleIDs(t, st, gid, "zm07", "nosuch")
		}, []int{6, 6, 6, 6}},
		{"a banned member and an event gap", func(t *testing.T, gid string) {
			rawPutBan(t, st, gid, "zm08")
			rawDelete(t, st, "G#"+gid+"#E", "V#000000000003")
		}, []int{8, 4}},
	}
	for i, c := range cases {
		gid := fmt.Sprintf("p%d", i)
		seedPagedGroup(t, svc, st, gid)
		c.corrupt(t, gid)
		whole, err := svc.CheckWhole(ctx, gid, group.CheckInput{})
		require.NoError(t, err)
		assert.Equal(t, c.want, invariantsOf(whole.Violations), c.name)
		for _, paging := range []struct{ items, perCall int }{{1000, 0}, {1, 1}, {2, 0}, {3, 2}, {7, 1}} {
			svc.SetCheckPaging(paging.items, paging.perCall)
			rep, calls := checkInCalls(t, svc, gid)
			assert.Equal(t, whole, rep, "%s, paging %v", c.name, paging)
			if paging.perCall > 0 {
				assert.Greater(t, calls, 3, "%s, paging %v", c.name, paging)
			}
		}
		svc.SetCheckPaging(0, 0)
	}
}

// A continuation is the group's own and as given: another group's, an
// altered, a cut or an oversized one is INVALID_ARGUMENT, as is one with a
// repair; a change of the group between two calls starts the check over,
// so its report is of the group as changed.
func TestACheckContinuationIsRefusedUnlessTheGroupsOwnAndRestartsOnAChange(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	seedPagedGroup(t, svc, st, "g1")
	seedPagedGroup(t, svc, st, "g2")
	svc.SetCheckPaging(2, 3)
	rep, err := svc.Check(ctx, checker, "g1", group.CheckInput{})
	require.NoError(t, err)
	cont := rep.Continuation
	require.NotEmpty(t, cont)

	body, sum, ok := strings.Cut(cont, ".")
	require.True(t, ok)
	flipped := []byte(body)
	flipped[len(flipped)/2] ^= 1
	for name, in := range map[string]group.CheckInput{
		"another group's": {Continuation: cont},
		"altered":         {Continuation: string(flipped) + "." + sum},
		"cut":             {Continuation: cont[:len(cont)-4]},
		"oversized":       {Continuation: strings.Repeat("A", 300<<10) + "." + sum},
		"made up":         {Continuation: "e30.AAAA"},
	} {
		gid := "g1"
		if name == "another group's" {
			gid = "g2"
		}
		_, err := svc.Check(ctx, checker, gid, in)
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), name)
	}
	_, err = svc.Check(ctx, checker, "g1", group.CheckInput{Continuation: cont, Repair: true})
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err), "with a repair")

	// A member joins between two calls: the count read so far is stale.
	require.NoError(t, st.BulkLoadMembers(ctx, "g1", []*store.Member{{UserID: "zz", RoleLevel: store.RoleMember, JoinTime: 9000}}))
	in := group.CheckInput{Continuation: cont}
	for rep.Continuation != "" {
		rep, err = svc.Check(ctx, checker, "g1", in)
		require.NoError(t, err)
		in.Continuation = rep.Continuation
	}
	whole, err := svc.CheckWhole(ctx, "g1", group.CheckInput{})
	require.NoError(t, err)
	assert.Equal(t, whole, rep)
	assert.Empty(t, rep.Violations)
}

// A group whose partition fits on one page is checked from that page: the
// records a page's checks need (a banned user's member record, a role
// holder's role-membership record and back) are on it, so the check makes
// four calls: its head, the page, the events and the head again. A group
// of many pages reads them by key.
func TestAGroupOnOnePageIsCheckedInFourCallsWithoutReadingRecordsByKey(t *testing.T) {
	t.Parallel() // its own table
	svc, st := newService(t)
	seedPagedGroup(t, svc, st, "one")
	rawPutBan(t, st, "one", "zm08")
	cases := []struct {
		name      string
		items     int
		wantCalls map[string]int // nil: some BatchGetItem
	}{
		{"the whole partition on one page", 1000, map[string]int{"TransactGetItems": 2, "Query": 2}},
		{"pages of 7 items", 7, nil},
	}
	for _, c := range cases {
		svc.SetCheckPaging(c.items, 0)
		ctx, meter := store.WithMeter(context.Background())
		rep, err := svc.Check(ctx, checker, "one", group.CheckInput{})
		require.NoError(t, err, c.name)
		assert.Equal(t, []int{8}, invariantsOf(rep.Violations), "%s: the banned member is found", c.name)
		if c.wantCalls != nil {
			assert.Equal(t, c.wantCalls, meter.CallsByOperation(), c.name)
		} else {
			assert.Positive(t, meter.CallsByOperation()["BatchGetItem"], c.name)
		}
	}
	svc.SetCheckPaging(0, 0)
}
