package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
)

// Ban is model's: a user kept out of a group until it expires or is lifted.
type Ban = model.Ban

const kindBan = "ban"

// MaxBanItems bounds the items of one BanMembers transaction: the group
// record, the event and the role configuration take the other three.
const MaxBanItems = maxTxItems - 3

// BanItems is how many transaction items banning a user takes: the ban
// record, and for a member (m not nil) what removing them takes.
func BanItems(m *Member) int {
	if m == nil {
		return 1
	}
	return 1 + RemovalItems(m)
}

// UnbanBatch is how many bans one UnbanMembers transaction lifts.
const UnbanBatch = maxTxItems - 2

func banItem(b *Ban) Item {
	item := marshalItem(b, map[string]string{
		"PK": groupPK(b.GroupID), "SK": banSK(b.UserID), "kind": kindBan,
		"GSI1PK": bansPK(b.GroupID), "GSI1SK": reqTimeSK(b.BanTime, b.UserID),
	})
	if b.ExpireTime > 0 {
		// TTL removes the record some time after it stopped applying; until
		// then the conditions below read its expireTime.
		item["expiresAt"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(b.ExpireTime/1000+1, 10)}
	}
	return item
}

// checkNotBanned adds to t the condition that uid has no live ban in the
// group: no ban record, or one whose expireTime (not 0) has passed. Every
// path that adds a member or an application carries it, so a ban committed
// before it refuses it in the same transaction, never by a read before.
func (s *Store) checkNotBanned(t *tx, gid, uid string) {
	now := s.nowMillis()
	c := s.checkItem(groupPK(gid), banSK(uid)).
		If("attribute_not_exists(PK) OR ($ > ? AND $ <= ?)", "expireTime", 0, "expireTime", now)
	addTo(t, c, func(Item) error {
		return &UserError{UserID: uid, Err: errBanned(gid, uid)}
	})
}

func errBanned(gid, uid string) *errcode.Error {
	return errcode.New(errcode.Banned, "user %s is banned from group %s", uid, gid)
}

// BanMembers bans users from g as one change: each ban record is put
// (replacing an earlier ban of the user), and the users who are members
// (remove, as read in the same snapshot as g) are removed exactly as
// RemoveMembers removes them, with memberCount and their role memberships.
// A ban of a user read as a non-member needs no condition of its own: a
// join in between moved the group's version, which the change is
// conditioned on. The batch must fit one transaction: BanItems of the
// users sum to at most MaxBanItems.
func (s *Store) BanMembers(ctx context.Context, g *Group, bans []*Ban, remove []*Member, ev event.Event) (*event.Event, error) {
	total := 0
	for _, m := range remove {
		total += RemovalItems(m)
	}
	total += len(bans)
	if len(bans) == 0 || len(remove) > len(bans) || total > MaxBanItems {
		return nil, fmt.Errorf("ban %d users, %d members (%d items): want 1..%d items", len(bans), len(remove), total, MaxBanItems)
	}
	c := s.newChange(g, ev)
	return s.commitRemoval(ctx, c, remove, func(t *tx) {
		for _, b := range bans {
			b.GroupID = g.GroupID
			addTo(t, s.putItem(banItem(b)), nil)
		}
	})
}

// UnbanMembers lifts the bans of users (at most UnbanBatch) as one change;
// each ban record must exist (else a *UserError with NOT_FOUND).
func (s *Store) UnbanMembers(ctx context.Context, g *Group, userIDs []string, ev event.Event) (*event.Event, error) {
	if len(userIDs) == 0 || len(userIDs) > UnbanBatch {
		return nil, fmt.Errorf("unban %d users: want 1..%d", len(userIDs), UnbanBatch)
	}
	c := s.newChange(g, ev)
	return s.commitChange(ctx, c, func(t *tx) {
		for _, uid := range userIDs {
			addTo(t, s.deleteItem(groupPK(g.GroupID), banSK(uid)).If(ifExists), func(Item) error {
				return &UserError{UserID: uid, Err: errcode.New(errcode.NotFound, "user %s is not banned from group %s", uid, g.GroupID)}
			})
		}
	})
}

// GetBans reads the ban records of users in a group (strongly consistent),
// expired ones included, keyed by userID.
func (s *Store) GetBans(ctx context.Context, groupID string, userIDs []string) (map[string]*Ban, error) {
	keys := make([]Item, len(userIDs))
	for i, id := range userIDs {
		keys[i] = key(groupPK(groupID), banSK(id))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Ban, len(items))
	for _, it := range items {
		b, err := unmarshal[Ban](it)
		if err != nil {
			return nil, err
		}
		out[b.UserID] = b
	}
	return out, nil
}

// ListBans pages through a group's live bans, newest first. Expired bans
// not yet removed by TTL are left out, so a page can be shorter than its
// limit (its cost still depends only on the limit).
func (s *Store) ListBans(ctx context.Context, groupID string, limit int, cursor string) (*Page[*Ban], error) {
	items, next, err := s.page(ctx, pageQuery{ix: gsi1, partition: bansPK(groupID), limit: limit, cursor: cursor})
	if err != nil {
		return nil, err
	}
	now := s.nowMillis()
	page := &Page[*Ban]{Items: []*Ban{}, NextCursor: next}
	for _, it := range items {
		b, err := unmarshal[Ban](it)
		if err != nil {
			return nil, err
		}
		if b.Live(now) {
			page.Items = append(page.Items, b)
		}
	}
	return page, nil
}
