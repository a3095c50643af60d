package group_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// Raw writes of role records, bypassing the store, to build the broken
// states invariant 6 rules out.

func rawPutRole(t *testing.T, st *store.Store, gid string, r store.Role, deleted bool) {
	t.Helper()
	av, err := attributevalue.Marshal(r)
	require.NoError(t, err)
	expr := "SET #roles.#id = :r"
	if deleted {
		expr = "SET #deleted.#id = :r"
		av = &types.AttributeValueMemberN{Value: "1"}
	}
	names := map[string]string{"#roles": "roles", "#id": r.RoleID}
	if deleted {
		names = map[string]string{"#deleted": "deleted", "#id": r.RoleID}
	}
	_, err = st.Client().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table()), Key: rawKey("G#"+gid, "ROLES"), UpdateExpression: aws.String(expr),
		ExpressionAttributeNames: names, ExpressionAttributeValues: map[string]types.AttributeValue{":r": av},
	})
	require.NoError(t, err)
}

func rawSetRoleIDs(t *testing.T, st *store.Store, gid, uid string, roleIDs ...string) {
	t.Helper()
	_, err := st.Client().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table()), Key: rawKey("G#"+gid, "M#"+uid), UpdateExpression: aws.String("SET roleIDs = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberSS{Value: roleIDs}},
	})
	require.NoError(t, err)
}

func rawPutRoleMember(t *testing.T, st *store.Store, gid, rid, uid string) {
	t.Helper()
	item, err := attributevalue.MarshalMap(store.RoleMembership{GroupID: gid, RoleID: rid, UserID: uid, AddTime: 1})
	require.NoError(t, err)
	item["PK"] = &types.AttributeValueMemberS{Value: "G#" + gid}
	item["SK"] = &types.AttributeValueMemberS{Value: "RM#" + rid + "#" + uid}
	_, err = st.Client().PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(st.Table()), Item: item})
	require.NoError(t, err)
}

// seedRoleGroup is seedCheckGroup plus a healthy custom role r1 held by
// carol and dave, and a deleted role "gone" whose cleanup is still under
// way (dave still carries it and its record remains).
func seedRoleGroup(t *testing.T, st *store.Store, gid string) {
	t.Helper()
	seedCheckGroup(t, st, gid)
	rawPutRole(t, st, gid, store.Role{RoleID: "r1", GroupID: gid, Name: "mods", Type: store.RoleTypeCustom, Priority: 1, Auths: map[string]string{}, MemberCount: 2}, false)
	rawPutRole(t, st, gid, store.Role{RoleID: "gone"}, true)
	rawSetRoleIDs(t, st, gid, "carol", "r1")
	rawSetRoleIDs(t, st, gid, "dave", "r1", "gone")
	rawPutRoleMember(t, st, gid, "r1", "carol")
	rawPutRoleMember(t, st, gid, "r1", "dave")
	rawPutRoleMember(t, st, gid, "gone", "dave")
}

// roleInvariant reads invariant 6 back: each live role's memberCount, and
// for each member the roles its records and its roleIDs name.
func roleInvariant(t *testing.T, st *store.Store, gid string) (counts map[string]int64, records, roleIDs map[string][]string) {
	t.Helper()
	s, err := st.ReadGroupState(context.Background(), gid)
	require.NoError(t, err)
	counts, records, roleIDs = map[string]int64{}, map[string][]string{}, map[string][]string{}
	for id, r := range s.Roles.Roles {
		if r.Type == store.RoleTypeCustom {
			counts[id] = r.MemberCount
		}
	}
	for _, rm := range s.RoleMembers {
		records[rm.UserID] = append(records[rm.UserID], rm.RoleID)
	}
	for _, m := range s.Members {
		if len(m.RoleIDs) > 0 {
			ids := slices.Clone(m.RoleIDs)
			sort.Strings(ids)
			roleIDs[m.UserID] = ids
		}
	}
	return counts, records, roleIDs
}

func TestCheckReportsAndRepairsRoleMembershipsAndCounts(t *testing.T) {
	t.Parallel() // each test has its own table
	cases := []struct {
		name     string
		corrupt  func(t *testing.T, st *store.Store, gid string)
		contains []string
		other    []int // invariants other than 6 also reported
	}{
		{
			name: "a role's memberCount that is off is recounted",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSet(t, st, "G#"+gid, "ROLES", map[string]any{"rev": 7})
				setRoleCount(t, st, gid, "r1", 5)
			},
			contains: []string{"role r1 has memberCount 5 but 2 members hold it"},
		},
		{
			name:     "a member holding a role without its record gets the record",
			corrupt:  func(t *testing.T, st *store.Store, gid string) { rawDelete(t, st, "G#"+gid, "RM#r1#dave") },
			contains: []string{"member dave holds role r1 but has no role-membership record"},
		},
		{
			name: "a record of a role the member does not carry is removed, and the count follows the members",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSetRoleIDs(t, st, gid, "carol", "x-unused")
			},
			contains: []string{"member carol holds roles that do not exist", "role-membership record r1/carol but the member does not hold the role", "role r1 has memberCount 2 but 1 members hold it"},
		},
		{
			name: "a member whose rank key and roleIDs are both broken is fixed in one update",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawSetRoleIDs(t, st, gid, "dave", "r1", "gone", "ghost")
				rawSet(t, st, "G#"+gid, "M#dave", map[string]any{"GSI1SK": rankSK(store.RoleOwner, 4000, "dave")})
			},
			contains: []string{"member dave holds roles that do not exist", "member dave has index keys"},
			other:    []int{3},
		},
		{
			name: "records of a role that never existed, or of a non-member, are removed",
			corrupt: func(t *testing.T, st *store.Store, gid string) {
				rawPutRoleMember(t, st, gid, "r9", "carol")
				rawPutRoleMember(t, st, gid, "r1", "mallory")
			},
			contains: []string{"role-membership record r9/carol of a role or member that does not exist", "role-membership record r1/mallory of a role or member that does not exist"},
		},
	}
	svc, st := newService(t)
	ctx := context.Background()

	healthy := "healthy"
	seedRoleGroup(t, st, healthy)
	rep, err := svc.Check(ctx, checker, healthy, group.CheckInput{})
	require.NoError(t, err)
	assert.Empty(t, rep.Violations, "a deleted role still being cleaned up is no violation")

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gid := fmt.Sprintf("r%d", i)
			seedRoleGroup(t, st, gid)
			c.corrupt(t, st, gid)

			rep, err := svc.Check(ctx, checker, gid, group.CheckInput{})
			require.NoError(t, err)
			for _, want := range c.contains {
				assert.Contains(t, fmt.Sprint(rep.Violations), want)
			}
			for _, v := range rep.Violations {
				if !slices.Contains(c.other, v.Invariant) {
					assert.Equal(t, 6, v.Invariant, v.Message)
				}
			}

			rep, err = svc.Check(ctx, checker, gid, group.CheckInput{Repair: true})
			require.NoError(t, err)
			assert.True(t, rep.Repaired)
			assert.Empty(t, rep.Violations, "the report after the repair is fresh")
			assertInvariants(t, st, gid)

			counts, records, roleIDs := roleInvariant(t, st, gid)
			var holders int64
			for uid, ids := range roleIDs {
				if slices.Contains(ids, "r1") {
					holders++
				}
				live := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "gone" })
				got := slices.DeleteFunc(slices.Clone(records[uid]), func(id string) bool { return id == "gone" })
				sort.Strings(got)
				assert.Equal(t, live, got, "member %s: records mirror roleIDs", uid)
			}
			assert.Equal(t, holders, counts["r1"], "memberCount equals the members holding r1")
			for uid := range records {
				assert.Contains(t, roleIDs, uid, "no record of a non-member remains")
			}
		})
	}
}

// setRoleCount overwrites a role's memberCount inside the role configuration.
func setRoleCount(t *testing.T, st *store.Store, gid, rid string, n int) {
	t.Helper()
	_, err := st.Client().UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName: aws.String(st.Table()), Key: rawKey("G#"+gid, "ROLES"), UpdateExpression: aws.String("SET #roles.#id.memberCount = :n"),
		ExpressionAttributeNames:  map[string]string{"#roles": "roles", "#id": rid},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: fmt.Sprint(n)}},
	})
	require.NoError(t, err)
}
