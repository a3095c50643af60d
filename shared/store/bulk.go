package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"
)

// BulkLoadMembers adds member records to an existing group with
// BatchWriteItem and then raises memberCount by as many: seeding and
// load-test tooling only (it writes no event and is not atomic, so no
// request path uses it). Members must not exist yet. A member's RoleIDs
// (custom roles that exist in the group's configuration) get their
// role-membership records and raise the roles' memberCount, so the records
// are what AddRoleMembers would have written (invariant 6 holds). Each
// record's search key is what a join would write: its group nickname, else
// the user's profile nickname (read here, 100 profiles a call). Each
// member also gets the joined-log entry an operation adding them writes, at
// their joinTime and the group's version as read (the load makes no change
// of its own), so GetJoinedGroupChanges sees them join.
func (s *Store) BulkLoadMembers(ctx context.Context, groupID string, ms []*Member) error {
	names, err := s.profileNicknames(ctx, memberUIDs(ms))
	if err != nil {
		return err
	}
	g, err := s.GetGroup(ctx, groupID)
	if err != nil {
		return err
	}
	var reqs []types.WriteRequest
	roleCounts := map[string]int64{}
	for _, m := range ms {
		m.GroupID = groupID
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: memberItem(m, names[m.UserID])}},
			types.WriteRequest{PutRequest: &types.PutRequest{Item: s.joinedLogItem(m.UserID, groupID, true, m.JoinTime, g.Version)}})
		for _, rid := range m.RoleIDs {
			roleCounts[rid]++
			rm := &RoleMembership{GroupID: groupID, RoleID: rid, UserID: m.UserID, AddTime: m.JoinTime}
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: roleMembershipItem(rm)}})
		}
	}
	if err := s.batchWrite(ctx, groupID, reqs); err != nil {
		return err
	}
	for rid, n := range roleCounts {
		err := s.updateItem(groupPK(groupID), skRoles).
			SetExpr("$.$.$ = $.$.$ + ?", "roles", rid, "memberCount", "roles", rid, "memberCount", n).
			SetExpr("$ = $ + ?", "rev", "rev", 1).
			If("attribute_exists($.$)", "roles", rid).
			Run(ctx)
		if err != nil {
			return fmt.Errorf("bulk load %s: role %s: %w", groupID, rid, translate(err))
		}
	}
	return translate(s.updateItem(groupPK(groupID), skMeta).Add("memberCount", int64(len(ms))).If(ifExists).Run(ctx))
}

// bulkWriters is how many BatchWriteItem calls a bulk load keeps in
// flight: each waits mostly on its round trip, so a few at once load a
// large group several times faster than one after the other.
const bulkWriters = 4

// batchWrite puts reqs 25 at a time, bulkWriters calls at once, retrying
// unprocessed items.
func (s *Store) batchWrite(ctx context.Context, groupID string, all []types.WriteRequest) error {
	var g errgroup.Group
	g.SetLimit(bulkWriters)
	for start := 0; start < len(all); start += 25 {
		reqs := all[start:min(start+25, len(all))]
		g.Go(func() error { return s.batchWriteOne(ctx, groupID, reqs) })
	}
	return g.Wait()
}

// batchWriteOne puts at most 25 requests, retrying unprocessed items.
func (s *Store) batchWriteOne(ctx context.Context, groupID string, reqs []types.WriteRequest) error {
	pending := map[string][]types.WriteRequest{s.table: reqs}
	for attempt := 0; len(pending[s.table]) > 0; attempt++ {
		if attempt == 20 {
			return fmt.Errorf("bulk load %s: unprocessed items after %d attempts", groupID, attempt)
		}
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 20 * time.Millisecond)
		}
		// Each call is bounded: a call that never answers is retried.
		cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		out, err := s.db.BatchWriteItem(cctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
		cancel()
		if err != nil && ctx.Err() == nil && cctx.Err() != nil {
			continue
		}
		if err != nil {
			return translate(err)
		}
		pending = out.UnprocessedItems
	}
	return nil
}
