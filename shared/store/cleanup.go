package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// CleanupBatch is how many records one cleanup transaction deletes: with
// the group record's update it fills a transaction of 100 items.
const CleanupBatch = 99

// errCleanupRaced is a concurrent cleanup having deleted a record first.
var errCleanupRaced = fmt.Errorf("a concurrent cleanup deleted the record first: %w", ErrRetry)

// cleanupStep deletes up to max records of one kind of a dismissed group and
// says how many it deleted; fewer than max means none of that kind is left.
type cleanupStep func(ctx context.Context, groupID string, max int) (int, error)

// cleanupSteps are the kinds of records a dismissed group leaves behind, in
// the order they are removed: members (with memberCount), applications,
// role memberships, member overrides, channels, users' category facts,
// categories, their layers, bans, invite codes (revoked ones included) and,
// last, the role configuration. A dismissed group admits nobody, so its
// bans and codes guard nothing once it is.
func (s *Store) cleanupSteps() []cleanupStep {
	return []cleanupStep{
		s.deleteMembers,
		s.deleteByPrefix(prefixApplication),
		s.deleteByPrefix(prefixRoleMember),
		s.deleteByPrefix(prefixOverride),
		s.deleteByPrefix(prefixChannel),
		s.deleteByPrefix(prefixUserCats),
		s.deleteByPrefix(prefixCategory),
		s.deleteByPrefix(skCategories),
		s.deleteByPrefix(prefixBan),
		s.deleteByPrefix(prefixInviteCode),
		s.deleteByPrefix(skRoles),
	}
}

// CleanupDismissed removes at most maxItems records of a dismissed group
// (invariant 5) in transactions of at most CleanupBatch deletes. It
// answers done once nothing is left. Deleting a member record also removes
// the member's "my groups" entry, which is the same item's GSI2 key, so
// invariant 3 holds at every step. Calling it again after a failure or on a
// redelivered event is safe.
func (s *Store) CleanupDismissed(ctx context.Context, groupID string, maxItems int) (done bool, err error) {
	if maxItems < 1 {
		return false, fmt.Errorf("cleanup of %s: maxItems %d < 1", groupID, maxItems)
	}
	g, err := s.GetGroup(ctx, groupID)
	if err != nil {
		return false, err
	}
	if g.Status != StatusDismissed {
		return false, errcode.New(errcode.InvalidArgument, "group %s is not dismissed", groupID)
	}
	left := maxItems
	for _, step := range s.cleanupSteps() {
		for {
			if left == 0 {
				return false, nil
			}
			asked := min(left, CleanupBatch)
			n, err := step(ctx, groupID, asked)
			if err != nil {
				return false, err
			}
			left -= n
			if n < asked {
				break
			}
		}
	}
	return true, nil
}

// recordKeys reads the keys of up to max records of a group whose sort key
// begins with prefix, with a consistent read of the base table.
func (s *Store) recordKeys(ctx context.Context, groupID, prefix string, max int) ([]map[string]types.AttributeValue, error) {
	items, _, err := call(ctx, s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, prefix).
		Project("PK", "SK").
		SearchLimit(max).RequestLimit(1).
		Consistent(true))
	return items, err
}

// deleteRecords deletes the records at keys in one transaction, each
// conditioned on existing (so a concurrent cleanup cannot make this one
// count a record twice), together with a check of the group record, which
// must be dismissed and which lowers memberCount by members.
func (s *Store) deleteRecords(ctx context.Context, groupID string, keys []Item, members int64, more ...func(t *tx)) error {
	t := &tx{}
	for _, add := range more {
		add(t)
	}
	notDismissed := func(Item) error {
		return errcode.New(errcode.InvalidArgument, "group %s is not dismissed", groupID)
	}
	const dismissed = "attribute_exists(PK) AND $ = ?"
	if members != 0 {
		addTo(t, s.updateItem(groupPK(groupID), skMeta).Add("memberCount", -members).If(dismissed, "status", StatusDismissed), notDismissed)
	} else {
		addTo(t, s.checkItem(groupPK(groupID), skMeta).If(dismissed, "status", StatusDismissed), notDismissed)
	}
	for _, k := range keys {
		addTo(t, s.deleteItem(strAttr(k, "PK"), strAttr(k, "SK")).If(ifExists), func(Item) error {
			return errCleanupRaced
		})
	}
	return s.commit(ctx, t)
}

// deleteMembers deletes member records and lowers memberCount by as many in
// the same transaction, so memberCount equals the member records at every
// point (invariant 2), with each user's joined-log entry (joined.go), in
// transactions of at most cleanupMembers members.
func (s *Store) deleteMembers(ctx context.Context, groupID string, max int) (int, error) {
	done := 0
	for done < max {
		asked := min(max-done, cleanupMembers)
		keys, err := s.recordKeys(ctx, groupID, prefixMember, asked)
		if err != nil || len(keys) == 0 {
			return done, err
		}
		err = s.deleteRecords(ctx, groupID, keys, int64(len(keys)), func(t *tx) {
			for _, k := range keys {
				// At version 0: the cleanup is no change of the group.
				s.logMembership(t, memberOfKey(k), groupID, false)
			}
		})
		if err != nil {
			return done, err
		}
		done += len(keys)
		if len(keys) < asked {
			break
		}
	}
	return done, nil
}

// cleanupMembers is how many members one cleanup transaction removes: a
// delete and a joined-log entry each, with the group record's update.
const cleanupMembers = (CleanupBatch - 1) / 2

// deleteByPrefix deletes records whose sort key begins with prefix.
// Application records take their list entries (the same items' GSI keys)
// with them; no other record of a dismissed group is counted anywhere.
func (s *Store) deleteByPrefix(prefix string) cleanupStep {
	return func(ctx context.Context, groupID string, max int) (int, error) {
		keys, err := s.recordKeys(ctx, groupID, prefix, max)
		if err != nil || len(keys) == 0 {
			return 0, err
		}
		if err := s.deleteRecords(ctx, groupID, keys, 0); err != nil {
			return 0, err
		}
		return len(keys), nil
	}
}
