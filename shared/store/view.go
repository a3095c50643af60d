package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/guregu/dynamo/v2"
)

// Reads that nothing is written from.
//
// A write decides on a serializable snapshot (TransactGetItems, 2 read
// units per item of up to 4 KB) because its transaction commits on what
// it read. A read that only answers (CheckPermissions, GetGroupsInfo, the
// member, channel and role lists) reads the same items with one
// BatchGetItem, eventually consistent by default: 0.5 units per item, a
// quarter of the price, in the same single call.
//
// What that gives up, and why it is acceptable:
//   - Staleness. An eventually consistent read reflects every write
//     acknowledged about a second before it (DynamoDB's replicas converge
//     within a second in practice). A permission check may therefore
//     answer, for about a second after a change, as before it: a kicked or
//     demoted member may still be answered "allowed" for that second. Chat
//     gateways make the same trade (Discord's gateway decides on the
//     permissions it cached from the last events it received), and nothing
//     a reader can do with a one-second-old answer lets it change the group:
//     every write decides again on its own transactional snapshot.
//   - Atomicity. The items of one BatchGetItem are read one by one, so a
//     read racing a change may see part of it (the member's new roleIDs
//     with the old role configuration, say). The answer is then one the
//     next read, a moment later, no longer gives; it is never written down.
//
// Callers who need read-your-writes (a client that has just changed a role
// and checks the effect, a test) ask ?consistent=true: WithConsistentReads,
// where every item reflects every write acknowledged before the read, at
// 1 unit per item, still one call. A read that DynamoDB throttles leaves
// keys unprocessed; batchRead asks for them again (a second call) only
// then, a bounded number of times.

// reader is how a snapshot reads its items.
type reader int

const (
	// readTx reads one serializable snapshot (TransactGetItems): what a
	// write decides on.
	readTx reader = iota
	// readView reads the items with BatchGetItem, consistent as the context
	// says: what a read answers from.
	readView
)

type consistentKey struct{}

// WithConsistentReads returns a context whose views (View,
// ViewChannelState, ViewCategoryState, ViewCategories, ViewCategoryLayer,
// GroupsOf, GetGroups) read strongly consistent items:
// the API's ?consistent=true.
func WithConsistentReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, consistentKey{}, true)
}

// ConsistentReads reports whether ctx asks views for strongly consistent
// reads.
func ConsistentReads(ctx context.Context) bool {
	on, _ := ctx.Value(consistentKey{}).(bool)
	return on
}

// viewGet is batchRead as the context asks.
func (s *Store) viewGet(ctx context.Context, keys []Item) ([]Item, error) {
	return s.batchRead(ctx, keys, ConsistentReads(ctx))
}

// viewOne is viewGet of one item: nil when it does not exist.
func (s *Store) viewOne(ctx context.Context, k Item) (Item, error) {
	items, err := s.viewGet(ctx, []Item{k})
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return items[0], nil
}

// readKeys reads keys the way how says and answers the items in the order
// of keys, nil where an item does not exist. keys must be distinct.
func (s *Store) readKeys(ctx context.Context, how reader, keys []Item) ([]Item, error) {
	got := make([]Item, len(keys))
	if how == readView {
		items, err := s.viewGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		at := make(map[[2]string]int, len(keys))
		for i, k := range keys {
			at[[2]string{strAttr(k, "PK"), strAttr(k, "SK")}] = i
		}
		for _, it := range items {
			if i, ok := at[[2]string{strAttr(it, "PK"), strAttr(it, "SK")}]; ok {
				got[i] = it
			}
		}
		return got, nil
	}
	if len(keys) > 100 {
		return nil, fmt.Errorf("snapshot of %d items exceeds 100", len(keys))
	}
	read := s.dyn.GetTx()
	for i, k := range keys {
		read.GetOne(s.tbl.Get("PK", k["PK"]).Range("SK", dynamo.Equal, k["SK"]), &got[i])
	}
	if err := read.Run(ctx); err != nil && !errors.Is(err, dynamo.ErrNotFound) {
		return nil, translate(err)
	}
	return got, nil
}

// View is Snapshot for a read nothing is written from: the group, its role
// configuration and the members of userIDs in one BatchGetItem (one call
// up to 98 users), eventually consistent unless the context asks
// otherwise.
func (s *Store) View(ctx context.Context, groupID string, userIDs ...string) (*Group, map[string]*Member, error) {
	g, ms, _, err := s.readSnapshot(ctx, readView, groupID, userIDs, nil)
	return g, ms, err
}

// GroupsOf returns the groups of groupIDs that exist, keyed by groupID,
// each with userID's roleLevel where they are a member (0 elsewhere): the
// group records and the user's member records in one BatchGetItem up to
// 50 groups (DynamoDB reads at most 100 keys a call; 100 groups take two),
// eventually consistent unless the context asks otherwise.
func (s *Store) GroupsOf(ctx context.Context, userID string, groupIDs []string) (map[string]*Group, error) {
	keys := make([]Item, 0, 2*len(groupIDs))
	for _, id := range distinct(groupIDs) {
		keys = append(keys, key(groupPK(id), skMeta), key(groupPK(id), memberSK(userID)))
	}
	items, err := s.viewGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Group, len(groupIDs))
	level := map[string]int{}
	for _, it := range items {
		if strAttr(it, "SK") != skMeta {
			l, _ := intAttr(it, "roleLevel")
			level[strAttr(it, "groupID")] = int(l)
			continue
		}
		g, err := unmarshal[Group](it)
		if err != nil {
			return nil, err
		}
		out[g.GroupID] = g
	}
	for id, g := range out {
		g.RoleLevel = level[id]
	}
	return out, nil
}
