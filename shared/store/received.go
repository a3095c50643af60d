package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(gsi2.name),
		KeyConditionExpression:    aws.String("GSI2PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: groupsOfUserPK(userID)}},
		Limit:                     aws.Int32(MaxManagedGroups),
	})
	if err != nil {
		return nil, nil, translate(err)
	}
	byGroup := make(map[string]*Member, len(out.Items))
	gids := make([]string, 0, len(out.Items))
	for _, it := range out.Items {
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
// configurations (into g.Roles) with batchGet, keyed by groupID; groups
// that do not exist are absent. Not a snapshot: for reads that nothing is
// written from.
func (s *Store) groupsWithRoles(ctx context.Context, groupIDs []string) (map[string]*Group, error) {
	if len(groupIDs) == 0 {
		return map[string]*Group{}, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, 2*len(groupIDs))
	for _, gid := range groupIDs {
		keys = append(keys, key(groupPK(gid), skMeta), key(groupPK(gid), skRoles))
	}
	items, err := s.batchGet(ctx, keys)
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

// A merged page of received applications ends at the last application's
// index sort key (<reqTime>#<uid>) and group: the cursor's fields.
const (
	receivedSK    = "sk"
	receivedGroup = "g"
)

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
	var after *receivedCursor
	if cursor != "" {
		k, err := decodeCursor(cursor, receivedSK, receivedGroup)
		if err != nil {
			return nil, err
		}
		after = &receivedCursor{SK: k[receivedSK], GroupID: k[receivedGroup]}
	}
	type row struct {
		sk  string
		app *Application
	}
	perGroup := make([][]row, len(groupIDs))
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(8)
	for i, gid := range groupIDs {
		eg.Go(func() error {
			ix, pk := gsi1, applicationsPK(gid)
			if result != nil {
				ix, pk = gsi3, applicationsByResultPK(gid, *result)
			}
			in := &dynamodb.QueryInput{
				TableName:                 aws.String(s.table),
				IndexName:                 aws.String(ix.name),
				KeyConditionExpression:    aws.String("#pk = :pk"),
				ExpressionAttributeNames:  map[string]string{"#pk": ix.pk},
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
				ScanIndexForward:          aws.Bool(false),
				Limit:                     aws.Int32(int32(limit + 2)),
			}
			if after != nil {
				// <= keeps the cursor's own sort key, which another group
				// may share; the exact position is filtered below.
				in.KeyConditionExpression = aws.String("#pk = :pk AND #sk <= :sk")
				in.ExpressionAttributeNames["#sk"] = ix.sk
				in.ExpressionAttributeValues[":sk"] = &types.AttributeValueMemberS{Value: after.SK}
			}
			out, err := s.db.Query(ectx, in)
			if err != nil {
				return translate(err)
			}
			for _, it := range out.Items {
				sk := strAttr(it, ix.sk)
				if after != nil && sk == after.SK && gid >= after.GroupID {
					continue
				}
				a, err := unmarshal[Application](it)
				if err != nil {
					return err
				}
				perGroup[i] = append(perGroup[i], row{sk, a})
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
			last := rows[i-1]
			page.NextCursor = encodeCursor(map[string]string{receivedSK: last.sk, receivedGroup: last.app.GroupID})
			break
		}
		page.Items = append(page.Items, r.app)
	}
	return page, nil
}
