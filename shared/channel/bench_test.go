package channel_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// BenchmarkCheckPermissions measures the call chat services make on every
// message, in a group with 20 custom roles and a channel with a full
// 1000-user blacklist, against a baseline measured in the same loop: one
// strongly consistent GetItem of the group record, the cheapest round trip
// there is (x-GetItem), and the two-item TransactGetItems every group
// operation starts with (x-Snapshot). Compare the ratios across runs;
// absolute times depend on the machine and on DynamoDB Local.
func BenchmarkCheckPermissions(b *testing.B) {
	ctx := context.Background()
	db, table := stacktest.NewTable(b, store.Instrument)
	st := store.New(db, table)
	groups, roles, svc := group.NewService(st), role.NewService(st), channel.NewService(st)
	owner := admins.Actor("alice")
	for _, id := range []string{"alice", "carol"} {
		_, err := groups.PutMyProfile(ctx, admins.Actor(id), group.ProfileInput{Nickname: id})
		require.NoError(b, err)
	}
	_, err := groups.Create(ctx, owner, group.CreateInput{GroupID: "g1", MemberUserIDs: []string{"carol"}})
	require.NoError(b, err)
	var roleIDs []string
	for i := range 20 {
		name := fmt.Sprintf("r%02d", i)
		r, err := roles.CreateRole(ctx, owner, "g1", role.RoleInput{Name: &name, Auths: map[string]string{"deleteMsg": "allow"}})
		require.NoError(b, err)
		roleIDs = append(roleIDs, r.RoleID)
	}
	_, err = roles.AddRoleMembers(ctx, owner, "g1", roleIDs[3], role.RoleMembersInput{UserIDs: []string{"carol"}})
	require.NoError(b, err)
	name := "general"
	ch, err := svc.CreateChannel(ctx, owner, "g1", channel.ChannelInput{Name: &name})
	require.NoError(b, err)
	blacklist := make([]string, store.MaxAccessUsers)
	for i := range blacklist {
		blacklist[i] = fmt.Sprintf("blocked%04d", i)
	}
	// Access lists name members only.
	blocked := make([]*store.Member, len(blacklist))
	for i, id := range blacklist {
		blocked[i] = &store.Member{UserID: id, RoleLevel: store.RoleMember, JoinTime: int64(i + 1)}
	}
	require.NoError(b, st.BulkLoadMembers(ctx, "g1", blocked))
	_, err = svc.UpdateChannelAccessList(ctx, owner, "g1", ch.ChannelID, channel.AccessListInput{Op: "add", UserIDs: blacklist, RoleIDs: roleIDs[10:]})
	require.NoError(b, err)
	items := []string{"sendMsg", "deleteMsg", "remindEveryone", "manageChannel", "kickMember"}
	carol := admins.Actor("carol")

	var get, snap, check time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := st.GetGroup(ctx, "g1"); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, _, err := st.Snapshot(ctx, "g1"); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := svc.CheckPermissions(ctx, carol, "g1", items, ch.ChannelID, ""); err != nil {
			b.Fatal(err)
		}
		get, snap, check = get+t1.Sub(t0), snap+t2.Sub(t1), check+time.Since(t2)
	}
	b.ReportMetric(float64(check)/float64(b.N), "check-ns/op")
	b.ReportMetric(float64(check)/float64(get), "x-GetItem")
	b.ReportMetric(float64(check)/float64(snap), "x-Snapshot")
}
