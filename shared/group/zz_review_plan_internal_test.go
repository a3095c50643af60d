package group

import (
	"fmt"
	"testing"

	"github.com/circles-im/circles/shared/store"
)

func TestZZReviewPlanOverBudget(t *testing.T) {
	g := &store.Group{GroupID: "g1", OwnerUserID: "u000", MemberCount: 100}
	roles := store.DefaultRoles("g1", 1)
	roles.Rev = 3
	roles.Roles["r1"] = &store.Role{RoleID: "r1", Type: store.RoleTypeCustom, Priority: 1, MemberCount: 5, Auths: map[string]string{}}
	st := &store.GroupState{Group: g, Roles: roles}
	for i := 0; i < 100; i++ {
		lvl := store.RoleMember
		if i == 0 {
			lvl = store.RoleOwner
		}
		m := store.Member{GroupID: "g1", UserID: fmt.Sprintf("u%03d", i), RoleLevel: lvl, JoinTime: int64(i)}
		st.Members = append(st.Members, &store.MemberRecord{Member: m}) // zero index keys: every record needs a re-index
	}
	r, _ := plan(st)
	t.Logf("members=%d items=%d max=%d rolesSet=%v", len(r.Members), r.Items(), store.MaxRepairMembers, r.Roles != nil)
	if r.Items() > store.MaxRepairMembers {
		t.Fatalf("plan exceeds the repair budget: %d > %d (RepairGroup refuses it; the group is never repaired)", r.Items(), store.MaxRepairMembers)
	}
}
