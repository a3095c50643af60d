package store

// These tests are inside package store so that they can bulk-load large
// groups with the production item builders (memberItem, eventItem): only
// tests write without transactions.

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

func testStore(t *testing.T) *Store {
	t.Helper()
	db, table := stacktest.NewTable(t, Instrument)
	return New(db, table)
}

// bulkUserID is the ID of the i-th bulk-loaded user; all have one length,
// so items of big and small groups have the same size.
func bulkUserID(i int) string { return fmt.Sprintf("u%05d", i) }

// batchWrite writes items with BatchWriteItem, 25 per call, on 8 workers,
// resending unprocessed items.
func batchWrite(t *testing.T, s *Store, items []map[string]types.AttributeValue) {
	t.Helper()
	ctx := context.Background()
	chunks := make(chan []map[string]types.AttributeValue)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range chunks {
				reqs := make([]types.WriteRequest, len(chunk))
				for i, it := range chunk {
					reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
				}
				pending := map[string][]types.WriteRequest{s.table: reqs}
				for len(pending) > 0 {
					out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
					if err != nil {
						errs <- err
						return
					}
					pending = out.UnprocessedItems
				}
			}
		}()
	}
	for start := 0; start < len(items); start += 25 {
		chunks <- items[start:min(start+25, len(items))]
	}
	close(chunks)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// loadGroupForTest makes a group of n members: the owner u00000 (with a
// profile) through CreateGroup, then admins u00001-u00002 and ordinary
// members written straight with BatchWriteItem, and memberCount raised by
// as many, so memberCount equals the member records (invariant 2).
func loadGroupForTest(t *testing.T, s *Store, gid string, n int) *Group {
	t.Helper()
	ctx := context.Background()
	_, err := s.PutProfile(ctx, Profile{UserID: bulkUserID(0)})
	require.NoError(t, err)
	g := &Group{GroupID: gid, GroupName: gid, OwnerUserID: bulkUserID(0), CreatorUserID: bulkUserID(0), CreateTime: 1}
	owner := &Member{GroupID: gid, UserID: bulkUserID(0), RoleLevel: RoleOwner, JoinTime: 1_000_000}
	_, err = s.CreateGroup(ctx, g, []*Member{owner}, event.New(event.GroupCreated, owner.UserID, nil))
	require.NoError(t, err)
	items := make([]map[string]types.AttributeValue, 0, n-1)
	for i := 1; i < n; i++ {
		level := RoleMember
		if i <= 2 {
			level = RoleAdmin
		}
		items = append(items, memberItem(&Member{GroupID: gid, UserID: bulkUserID(i), RoleLevel: level, JoinTime: 1_000_000 + int64(i), JoinSource: JoinByAdmin}, ""))
	}
	batchWrite(t, s, items)
	err = s.updateItem(groupPK(gid), skMeta).Add("memberCount", int64(n-1)).Run(ctx)
	require.NoError(t, err)
	g, err = s.GetGroup(ctx, gid)
	require.NoError(t, err)
	require.EqualValues(t, n, g.MemberCount)
	return g
}

// loadEventsForTest gives a group versions 2..n, each with its event, as if
// n-1 changes had been committed.
func loadEventsForTest(t *testing.T, s *Store, g *Group, n int64) {
	t.Helper()
	items := make([]map[string]types.AttributeValue, 0, n)
	for v := g.Version + 1; v <= n; v++ {
		ev := event.New(event.GroupInfoSetName, bulkUserID(0), event.FieldChanges[event.GroupInfoPayload](map[string]any{"groupName": "same length name"}))
		ev.GroupID, ev.Version, ev.EventID, ev.OccurredAt = g.GroupID, v, NewID(), s.nowMillis()
		items = append(items, s.eventItem(&ev))
	}
	batchWrite(t, s, items)
	err := s.updateItem(groupPK(g.GroupID), skMeta).Set("version", n).Run(context.Background())
	require.NoError(t, err)
	g.Version = n
}

// metered runs fn and returns the capacity its DynamoDB calls consumed.
func metered(t *testing.T, fn func(ctx context.Context) error) float64 {
	t.Helper()
	ctx, m := WithMeter(context.Background())
	require.NoError(t, fn(ctx))
	require.Positive(t, m.Capacity(), "DynamoDB reports consumed capacity")
	return m.Capacity()
}

// The paging acceptance: a page costs per page, not per group. A page of
// GetGroupMemberList is the decision's Snapshot plus one Query of GSI1.
func TestAMemberPageCostsTheSameInA10000MemberGroupAsInA200MemberGroup(t *testing.T) {
	s := testStore(t)
	big := loadGroupForTest(t, s, "gbig", 10_000)
	small := loadGroupForTest(t, s, "gsml", 200)
	require.EqualValues(t, 10_000, big.MemberCount)
	require.EqualValues(t, 200, small.MemberCount)

	page := func(gid string, filter int, cursor string) (*Page[*Member], float64) {
		var p *Page[*Member]
		cost := metered(t, func(ctx context.Context) error {
			if _, _, err := s.Snapshot(ctx, gid, bulkUserID(5)); err != nil {
				return err
			}
			var err error
			p, err = s.ListMembers(ctx, gid, filter, 100, cursor)
			return err
		})
		return p, cost
	}
	for _, filter := range []int{FilterAll, FilterOrdinary, FilterAdminOrdinary} {
		t.Run(fmt.Sprint("filter ", filter), func(t *testing.T) {
			bp, bc := page("gbig", filter, "")
			sp, sc := page("gsml", filter, "")
			require.Len(t, bp.Items, 100)
			require.Len(t, sp.Items, 100)
			assert.InEpsilon(t, sc, bc, 0.10, "first page: %v in the big group vs %v in the small one", bc, sc)

			_, bc2 := page("gbig", filter, bp.NextCursor)
			_, sc2 := page("gsml", filter, sp.NextCursor)
			t.Logf("filter %d: first page %.1f vs %.1f units, second %.1f vs %.1f", filter, bc, sc, bc2, sc2)
			if filter == FilterAll {
				// The small group's second page is its last: 100 items and
				// no look-ahead item.
				assert.InEpsilon(t, sc2, bc2, 0.10, "second page")
			}
		})
	}
}

// A page of GetGroupChanges is the decision's Snapshot plus one Query of the
// event partition. The long log is 2,000 events, ten times the short one:
// a Query's cost depends only on the items it returns, and loading 10,000
// events into DynamoDB Local takes minutes, as long as the rest of the suite.
func TestAChangesPageCostsTheSameWithA2000EventLogAsWithA200EventLog(t *testing.T) {
	s := testStore(t)
	big := loadGroupForTest(t, s, "gbig", 3)
	small := loadGroupForTest(t, s, "gsml", 3)
	loadEventsForTest(t, s, big, 2_000)
	loadEventsForTest(t, s, small, 200)

	page := func(gid string, after int64) ([]event.Event, float64) {
		var evs []event.Event
		cost := metered(t, func(ctx context.Context) error {
			if _, _, err := s.Snapshot(ctx, gid, bulkUserID(1)); err != nil {
				return err
			}
			var err error
			evs, err = s.ListEvents(ctx, gid, after, 100)
			return err
		})
		return evs, cost
	}
	for _, c := range []struct{ big, small int64 }{{0, 0}, {1_000, 50}, {1_900, 100}} {
		bevs, bc := page("gbig", c.big)
		sevs, sc := page("gsml", c.small)
		require.Len(t, bevs, 100)
		require.Len(t, sevs, 100)
		assert.Equal(t, c.big+1, bevs[0].Version)
		t.Logf("after %d vs %d: %.1f vs %.1f units", c.big, c.small, bc, sc)
		assert.InEpsilon(t, sc, bc, 0.10, "after %d vs after %d", c.big, c.small)
	}
}

func TestMemberListFiltersAreKeyRanges(t *testing.T) {
	for _, c := range []struct {
		filter int
		in     []int
		out    []int
	}{
		{FilterOwner, []int{RoleOwner}, []int{RoleAdmin, RoleMember}},
		{FilterAdmins, []int{RoleAdmin}, []int{RoleOwner, RoleMember}},
		{FilterOrdinary, []int{RoleMember}, []int{RoleOwner, RoleAdmin}},
		{FilterAdminOrdinary, []int{RoleAdmin, RoleMember}, []int{RoleOwner}},
		{FilterOwnerAdmins, []int{RoleOwner, RoleAdmin}, []int{RoleMember}},
	} {
		lo, hi, err := memberRange(c.filter)
		require.NoError(t, err)
		for _, l := range c.in {
			for _, jt := range []int64{0, 9_999_999_999_999} {
				sk := memberRankSK(l, jt, "zzzz")
				assert.True(t, sk >= lo && sk <= hi, "filter %d must include %s", c.filter, sk)
			}
		}
		for _, l := range c.out {
			sk := memberRankSK(l, 1, "a")
			assert.False(t, sk >= lo && sk <= hi, "filter %d must exclude %s", c.filter, sk)
		}
	}
	_, _, err := memberRange(6)
	assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
}

// A member update is conditioned on the roleLevel its decision read, not
// only on the group's version: a decision on a stale member record never
// commits, even paired with a current group record.
func TestMemberUpdatesLoseToAConcurrentRoleChange(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	loadGroupForTest(t, s, "g1", 5) // u00000 owner, u00001-2 admins, u00003-4 members
	_, ms, err := s.Snapshot(ctx, "g1", "u00003", "u00000")
	require.NoError(t, err)
	stale, owner := *ms["u00003"], *ms["u00000"]

	g, ms, err := s.Snapshot(ctx, "g1", "u00003")
	require.NoError(t, err)
	promoted := *ms["u00003"]
	promoted.RoleLevel = RoleAdmin
	_, err = s.SetMemberInfo(ctx, g, ms["u00003"], &promoted, "u00000", event.New(event.GroupMemberSetToAdmin, "u00000", nil))
	require.NoError(t, err)

	current, err := s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	before, err := s.AllMembers(ctx, "g1")
	require.NoError(t, err)

	m := stale
	_, err = s.MuteMember(ctx, current, &m, 99, "u00001", event.New(event.GroupMemberMuted, "u00001", nil))
	assert.True(t, IsRetryable(err), "mute on a stale roleLevel: %v", err)
	m = stale
	next := stale
	next.Nickname = "x"
	_, err = s.SetMemberInfo(ctx, current, &m, &next, "u00001", event.New(event.GroupMemberInfoSet, "u00001", nil))
	assert.True(t, IsRetryable(err), "set info on a stale roleLevel: %v", err)

	demoted := owner
	demoted.RoleLevel = RoleAdmin
	_, err = s.SetMemberInfo(ctx, current, &owner, &demoted, "u00001", event.New(event.GroupMemberSetToAdmin, "u00001", nil))
	assert.Error(t, err, "the owner's roleLevel never changes here")
	second := stale
	second.RoleLevel = RoleOwner
	m = stale
	_, err = s.SetMemberInfo(ctx, current, &m, &second, "u00000", event.New(event.GroupMemberInfoSet, "u00000", nil))
	assert.Error(t, err, "nobody is made a second owner here (OpenIM #488)")

	after, err := s.AllMembers(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, before, after)
	g, err = s.GetGroup(ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, current.Version, g.Version)
}
