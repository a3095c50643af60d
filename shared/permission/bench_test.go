package permission

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/circles-im/circles/shared/model"
	"github.com/circles-im/circles/shared/store"
)

// BenchmarkDecideInAChannel measures the pure part of CheckPermissions:
// building the facts from the loaded records and deciding five items, for
// a member of a group with 20 custom roles in a channel with a full
// 1000-user blacklist. The baseline, measured in the same loop, is
// unmarshalling that channel's record, which every check pays anyway;
// x-unmarshal is the ratio to compare across runs.
func BenchmarkDecideInAChannel(b *testing.B) {
	g := &model.Group{GroupID: "g", Roles: model.DefaultRoles("g", 1)}
	var held []string
	for i := range 20 {
		id := fmt.Sprintf("r%02d", i)
		g.Roles.Roles[id] = &model.Role{RoleID: id, Type: model.RoleTypeCustom, Priority: i + 1, Auths: map[string]string{"deleteMsg": model.AuthAllow}}
		if i%5 == 0 {
			held = append(held, id)
		}
	}
	m := &model.Member{UserID: "carol", RoleLevel: model.RoleMember, RoleIDs: held}
	ch := &model.Channel{GroupID: "g", ChannelID: "c", RoleAuths: map[string]*model.ChannelRole{"r05": {Auths: map[string]string{"sendMsg": model.AuthDeny}}}}
	for i := range store.MaxAccessUsers {
		ch.Users = append(ch.Users, fmt.Sprintf("blocked%04d", i))
	}
	ch.Roles = []string{"r11", "r12"}
	raw, err := attributevalue.MarshalMap(ch)
	if err != nil {
		b.Fatal(err)
	}
	items := []Item{SendMsg, DeleteMsg, RemindEveryone, ManageChannel, KickMember}

	var sink int
	b.ReportAllocs()
	var baseNs, decideNs int64
	for b.Loop() {
		t0 := nanotime()
		var c model.Channel
		if err := attributevalue.UnmarshalMap(raw, &c); err != nil {
			b.Fatal(err)
		}
		t1 := nanotime()
		f := FactsOf(g, m, nil, &c, nil, 0)
		for _, it := range items {
			if Effective(f, it) {
				sink++
			}
		}
		baseNs, decideNs = baseNs+t1-t0, decideNs+nanotime()-t1
	}
	b.ReportMetric(float64(decideNs)/float64(baseNs), "x-unmarshal")
	_ = sink
}

func nanotime() int64 { return time.Now().UnixNano() }
