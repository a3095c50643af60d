package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"
	"golang.org/x/sync/errgroup"
)

// MaxManagedGroups bounds how many of a user's memberships the list of
// received applications without a groupID considers (their first ones, in
// joining order): a page costs one Query per group the user handles.
const MaxManagedGroups = 100

// Memberships returns the user's member records with their groups and role
// configurations (at most MaxManagedGroups, oldest membership first), for
// decisions across groups. The member records come from the "my groups"
// index, which is eventually consistent: enough for choosing what to list.
func (s *Store) Memberships(ctx context.Context, userID string) ([]*Group, map[string]*Member, error) {
	items, _, err := call(ctx, s.partition(gsi2, groupsOfUserPK(userID)).SearchLimit(MaxManagedGroups).RequestLimit(1))
	if err != nil {
		return nil, nil, err
	}
	byGroup := make(map[string]*Member, len(items))
	gids := make([]string, 0, len(items))
	for _, it := range items {
		m, err := unmarshal[Member](it)
		if err != nil {
			return nil, nil, err
		}
		byGroup[m.GroupID] = m
		gids = append(gids, m.GroupID)
	}
	groups, err := s.groupsWithRoles(ctx, gids)
	if err != nil {
		return nil, nil, err
	}
	out2 := slices.Collect(maps.Values(groups))
	slices.SortFunc(out2, func(a, b *Group) int { return strings.Compare(a.GroupID, b.GroupID) })
	return out2, byGroup, nil
}

// groupsWithRoles reads the records of groups and their role
// configurations (into g.Roles) in one view (view.go), keyed by groupID;
// groups that do not exist are absent. Not a snapshot: for reads that
// nothing is written from.
func (s *Store) groupsWithRoles(ctx context.Context, groupIDs []string) (map[string]*Group, error) {
	if len(groupIDs) == 0 {
		return map[string]*Group{}, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, 2*len(groupIDs))
	for _, gid := range groupIDs {
		keys = append(keys, key(groupPK(gid), skMeta), key(groupPK(gid), skRoles))
	}
	items, err := s.viewGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	groups, roles := map[string]*Group{}, map[string]map[string]types.AttributeValue{}
	for _, it := range items {
		switch strAttr(it, "SK") {
		case skMeta:
			g, err := unmarshal[Group](it)
			if err != nil {
				return nil, err
			}
			groups[g.GroupID] = g
		case skRoles:
			roles[strings.TrimPrefix(strAttr(it, "PK"), "G#")] = it
		}
	}
	for gid, g := range groups {
		if g.Roles, err = unmarshalRoles(roles[gid], g); err != nil {
			return nil, err
		}
	}
	return groups, nil
}

// receivedCursor is where a merged page of received applications ended: the
// last application's index sort key (<reqTime>#<uid>) and group.
type receivedCursor struct{ SK, GroupID string }

// ListApplicationsAcross pages through the applications of several groups,
// newest first (then by userID and groupID, descending), optionally only
// those with one handleResult. Each page reads at most limit+1
// applications of each group, starting after the cursor's position.
func (s *Store) ListApplicationsAcross(ctx context.Context, groupIDs []string, result *int, limit int, cursor string) (*Page[*Application], error) {
	limit, err := NormalizeLimit(limit)
	if err != nil {
		return nil, err
	}
	ix, partitionOf := gsi1, applicationsPK
	if result != nil {
		ix, partitionOf = gsi3, func(gid string) string { return applicationsByResultPK(gid, *result) }
	}
	var after *receivedCursor
	if cursor != "" {
		// The cursor is the key of the last application listed: it must
		// name the list partition of the group it belongs to.
		groupOf := func(k Item) string { return strings.TrimPrefix(strAttr(k, "PK"), groupPK("")) }
		k, err := decodeKeyCursorOf(ix, cursor, func(k Item) string { return partitionOf(groupOf(k)) })
		if err != nil {
			return nil, err
		}
		after = &receivedCursor{SK: strAttr(k, ix.sk), GroupID: groupOf(k)}
	}
	type row struct {
		sk   string
		app  *Application
		item Item
	}
	perGroup := make([][]row, len(groupIDs))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(8)
	for i, gid := range groupIDs {
		eg.Go(func() error {
			q := s.partition(ix, partitionOf(gid)).Order(dynamo.Descending).SearchLimit(limit + 2).RequestLimit(1)
			if after != nil {
				// <= keeps the cursor's own sort key, which another group
				// may share; the exact position is filtered below.
				q.Range(ix.sk, dynamo.LessOrEqual, after.SK)
			}
			items, _, err := call(ectx, q)
			if err != nil {
				return err
			}
			for _, it := range items {
				sk := strAttr(it, ix.sk)
				if after != nil && sk == after.SK && gid >= after.GroupID {
					continue
				}
				a, err := unmarshal[Application](it)
				if err != nil {
					return err
				}
				perGroup[i] = append(perGroup[i], row{sk, a, it})
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	var rows []row
	for _, rs := range perGroup {
		rows = append(rows, rs...)
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(strings.Compare(b.sk, a.sk), strings.Compare(b.app.GroupID, a.app.GroupID))
	})
	page := &Page[*Application]{Items: []*Application{}}
	for i, r := range rows {
		if i == limit {
			page.NextCursor = encodeKeyCursor(ix, rows[i-1].item)
			break
		}
		page.Items = append(page.Items, r.app)
	}
	return page, nil
}
