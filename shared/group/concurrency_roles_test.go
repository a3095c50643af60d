package group_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/channel"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/role"
	"github.com/circles-im/circles/shared/store"
)

// roleChannelOps are the role and channel operations of the randomized
// concurrency test, with a rough, often stale view of each group's custom
// roles and channels to aim them at.
type roleChannelOps struct {
	ctx      context.Context
	st       *store.Store
	roles    *role.Service
	channels *channel.Service
	admin    permission.Actor

	mu       sync.Mutex
	roleIDs  map[string][]string // groupID -> custom roles
	chanIDs  map[string][]string // groupID -> channels
	catIDs   map[string][]string // groupID -> categories
	cleanups map[string][]string // groupID -> deleted channels
}

func newRoleChannelOps(ctx context.Context, st *store.Store, admins permission.AppAdmins) *roleChannelOps {
	return &roleChannelOps{ctx: ctx, st: st, roles: role.NewService(st), channels: channel.NewService(st), admin: admins.Actor("admin"),
		roleIDs: map[string][]string{}, chanIDs: map[string][]string{}, catIDs: map[string][]string{}, cleanups: map[string][]string{}}
}

// seed gives each group three custom roles (the first grants kickMember and
// manageRole, so ordinary members holding it take part), some role members,
// a public and a private channel and a public and a private category, so that the random operations meet
// existing roles and channels from the start.
func (rc *roleChannelOps) seed(t *testing.T, groups []string) {
	t.Helper()
	for gi, gid := range groups {
		for i := range 3 {
			name := fmt.Sprintf("seed%d", i)
			p := i + 1
			in := role.RoleInput{Name: &name, Priority: &p}
			if i == 0 {
				in.Auths = map[string]string{"kickMember": "allow", "manageRole": "allow"}
			}
			r, err := rc.roles.CreateRole(rc.ctx, rc.admin, gid, in)
			require.NoError(t, err)
			ms, err := rc.st.AllMembers(rc.ctx, gid)
			require.NoError(t, err)
			var ids []string
			for j, m := range ms {
				if (j+i+gi)%3 == 0 {
					ids = append(ids, m.UserID)
				}
			}
			_, err = rc.roles.AddRoleMembers(rc.ctx, rc.admin, gid, r.RoleID, role.RoleMembersInput{UserIDs: ids})
			require.NoError(t, err)
		}
		for mode := range 2 {
			name := fmt.Sprintf("seed%d", mode)
			_, err := rc.channels.CreateChannel(rc.ctx, rc.admin, gid, channel.ChannelInput{Name: &name, ViewMode: &mode})
			require.NoError(t, err)
			_, err = rc.channels.CreateCategory(rc.ctx, rc.admin, gid, channel.CategoryInput{Name: &name, ViewMode: &mode})
			require.NoError(t, err)
		}
	}
	rc.refresh(groups)
}

func (rc *roleChannelOps) refresh(groups []string) {
	for _, gid := range groups {
		g, _, err := rc.st.Snapshot(rc.ctx, gid)
		if err != nil {
			continue
		}
		var rids []string
		for id, r := range g.Roles.Roles {
			if r.Type == store.RoleTypeCustom {
				rids = append(rids, id)
			}
		}
		page, err := rc.st.ListChannels(rc.ctx, gid, 100, "")
		var cids []string
		if err == nil {
			for _, ch := range page.Items {
				cids = append(cids, ch.ChannelID)
			}
		}
		var kids []string
		if cats, err := rc.st.ListCategories(rc.ctx, gid); err == nil {
			for _, c := range cats {
				kids = append(kids, c.CategoryID)
			}
		}
		rc.mu.Lock()
		rc.roleIDs[gid], rc.chanIDs[gid], rc.catIDs[gid] = rids, cids, kids
		rc.mu.Unlock()
	}
}

// pick answers one of the group's roles (or channels), or a made-up ID now
// and then, which must be refused cleanly.
func (rc *roleChannelOps) pick(r *rand.Rand, ids map[string][]string, gid string) string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(ids[gid]) == 0 || r.IntN(10) == 0 {
		return fmt.Sprintf("nope%d", r.IntN(3))
	}
	return ids[gid][r.IntN(len(ids[gid]))]
}

var raceItems = []string{"kickMember", "manageRole", "inviteMember", "sendMsg", "muteMember", "manageChannel"}

func randomAuths(r *rand.Rand) map[string]string {
	out := map[string]string{}
	for range 1 + r.IntN(3) {
		out[raceItems[r.IntN(len(raceItems))]] = []string{"allow", "deny", "inherit"}[r.IntN(3)]
	}
	return out
}

func (rc *roleChannelOps) ops() []op {
	ctx := rc.ctx
	return []op{
		{"createRole", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			name := fmt.Sprintf("role%d", r.IntN(1000))
			in := role.RoleInput{Name: &name}
			if r.IntN(2) == 0 {
				p := 1 + r.IntN(40)
				in.Priority = &p
			}
			if r.IntN(2) == 0 {
				in.Auths = randomAuths(r)
			}
			_, err := rc.roles.CreateRole(ctx, a, gid, in)
			return err
		}},
		{"updateRole", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			rid := rc.pick(r, rc.roleIDs, gid)
			if r.IntN(5) == 0 {
				rid = store.EveryoneRoleID
			}
			_, err := rc.roles.UpdateRole(ctx, a, gid, rid, role.RoleInput{Auths: randomAuths(r)})
			return err
		}},
		{"deleteRole", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			return rc.roles.DeleteRole(ctx, a, gid, rc.pick(r, rc.roleIDs, gid))
		}},
		{"rolePriorities", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			g, _, err := rc.st.Snapshot(ctx, gid)
			if err != nil {
				return err
			}
			// Swap two roles' priorities: within the old bounds, distinct.
			var custom []*store.Role
			for _, ro := range g.Roles.Roles {
				if ro.Type == store.RoleTypeCustom {
					custom = append(custom, ro)
				}
			}
			if len(custom) < 2 {
				return nil
			}
			x, y := custom[r.IntN(len(custom))], custom[r.IntN(len(custom))]
			_, err = rc.roles.UpdateRolePriorities(ctx, a, gid, role.PrioritiesInput{Priorities: map[string]int{x.RoleID: y.Priority, y.RoleID: x.Priority}})
			return err
		}},
		{"addRoleMembers", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := rc.roles.AddRoleMembers(ctx, a, gid, rc.pick(r, rc.roleIDs, gid), role.RoleMembersInput{UserIDs: []string{target}})
			return err
		}},
		{"removeRoleMembers", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := rc.roles.RemoveRoleMembers(ctx, a, gid, rc.pick(r, rc.roleIDs, gid), role.RoleMembersInput{UserIDs: []string{target}})
			return err
		}},
		{"createChannel", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			name, mode := fmt.Sprintf("chan%d", r.IntN(1000)), r.IntN(2)
			_, err := rc.channels.CreateChannel(ctx, a, gid, channel.ChannelInput{Name: &name, ViewMode: &mode})
			return err
		}},
		{"deleteChannel", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			cid := rc.pick(r, rc.chanIDs, gid)
			err := rc.channels.DeleteChannel(ctx, a, gid, cid)
			if err == nil {
				rc.mu.Lock()
				rc.cleanups[gid] = append(rc.cleanups[gid], cid)
				rc.mu.Unlock()
			}
			return err
		}},
		{"channelAccess", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			in := channel.AccessListInput{Op: []string{"add", "remove"}[r.IntN(2)], UserIDs: []string{target}}
			if r.IntN(2) == 0 {
				in.RoleIDs = []string{rc.pick(r, rc.roleIDs, gid)}
			}
			_, err := rc.channels.UpdateChannelAccessList(ctx, a, gid, rc.pick(r, rc.chanIDs, gid), in)
			return err
		}},
		{"channelRole", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			cid, rid := rc.pick(r, rc.chanIDs, gid), rc.pick(r, rc.roleIDs, gid)
			var err error
			switch r.IntN(3) {
			case 0:
				_, err = rc.channels.AddChannelRole(ctx, a, gid, cid, channel.ChannelRoleInput{ParentRoleID: rid})
			case 1:
				_, err = rc.channels.UpdateChannelRole(ctx, a, gid, cid, rid, channel.AuthsInput{Auths: randomAuths(r)})
			default:
				err = rc.channels.RemoveChannelRole(ctx, a, gid, cid, rid)
			}
			return err
		}},
		{"memberOverride", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			cid := rc.pick(r, rc.chanIDs, gid)
			if r.IntN(3) == 0 {
				return rc.channels.DeleteChannelMemberAuths(ctx, a, gid, cid, target)
			}
			_, err := rc.channels.SetChannelMemberAuths(ctx, a, gid, cid, target, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			return err
		}},
		{"createCategory", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			name, mode := fmt.Sprintf("cat%d", r.IntN(1000)), r.IntN(2)
			_, err := rc.channels.CreateCategory(ctx, a, gid, channel.CategoryInput{Name: &name, ViewMode: &mode})
			return err
		}},
		{"updateCategory", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			mode, pos := r.IntN(2), int64(r.IntN(10))
			_, err := rc.channels.UpdateCategory(ctx, a, gid, rc.pick(r, rc.catIDs, gid), channel.CategoryInput{ViewMode: &mode, Position: &pos})
			return err
		}},
		{"deleteCategory", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			return rc.channels.DeleteCategory(ctx, a, gid, rc.pick(r, rc.catIDs, gid))
		}},
		{"categoryAccess", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			in := channel.AccessListInput{Op: []string{"add", "remove"}[r.IntN(2)], UserIDs: []string{target}}
			if r.IntN(2) == 0 {
				in.RoleIDs = []string{rc.pick(r, rc.roleIDs, gid)}
			}
			_, err := rc.channels.UpdateCategoryAccessList(ctx, a, gid, rc.pick(r, rc.catIDs, gid), in)
			return err
		}},
		{"categoryRoleOrOverride", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			kid, rid := rc.pick(r, rc.catIDs, gid), rc.pick(r, rc.roleIDs, gid)
			var err error
			switch r.IntN(4) {
			case 0:
				_, err = rc.channels.AddCategoryRole(ctx, a, gid, kid, channel.ChannelRoleInput{ParentRoleID: rid})
			case 1:
				_, err = rc.channels.UpdateCategoryRole(ctx, a, gid, kid, rid, channel.AuthsInput{Auths: randomAuths(r)})
			case 2:
				_, err = rc.channels.SetCategoryMemberAuths(ctx, a, gid, kid, target, channel.AuthsInput{Auths: map[string]string{"sendMsg": "deny"}})
			default:
				err = rc.channels.DeleteCategoryMemberAuths(ctx, a, gid, kid, target)
			}
			return err
		}},
		{"placeChannel", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			kid, sync := rc.pick(r, rc.catIDs, gid), r.IntN(2)
			if r.IntN(4) == 0 {
				kid, sync = "", 0
			}
			_, err := rc.channels.UpdateChannel(ctx, a, gid, rc.pick(r, rc.chanIDs, gid), channel.ChannelInput{CategoryID: &kid, SyncMode: &sync})
			return err
		}},
		{"reorder", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			if r.IntN(2) == 0 {
				in := channel.CategoryPositionsInput{Positions: map[string]int64{rc.pick(r, rc.catIDs, gid): int64(r.IntN(5)), rc.pick(r, rc.catIDs, gid): int64(5 + r.IntN(5))}}
				_, err := rc.channels.UpdateCategoryPositions(ctx, a, gid, in)
				return err
			}
			kid := ""
			if r.IntN(2) == 0 {
				kid = rc.pick(r, rc.catIDs, gid)
			}
			in := channel.ChannelPositionsInput{CategoryID: kid, Positions: map[string]int64{rc.pick(r, rc.chanIDs, gid): int64(r.IntN(5)), rc.pick(r, rc.chanIDs, gid): int64(5 + r.IntN(5))}}
			_, err := rc.channels.UpdateChannelPositions(ctx, a, gid, in)
			return err
		}},
		{"checkPermissions", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			cid := ""
			if r.IntN(2) == 0 {
				cid = rc.pick(r, rc.chanIDs, gid)
			}
			_, err := rc.channels.CheckPermissions(ctx, a, gid, []string{"sendMsg", "kickMember"}, cid, target)
			return err
		}},
	}
}

// finishCleanups runs what the cleanup consumer does for RoleDeleted,
// CategoryDeleted and ChannelDeleted, for everything deleted during the run.
func (rc *roleChannelOps) finishCleanups(t *testing.T, gid string) {
	t.Helper()
	for _, rid := range rc.tombstones(t, gid) {
		for done := false; !done; {
			var err error
			done, err = rc.st.CleanupDeletedRole(rc.ctx, gid, rid, 1000)
			require.NoError(t, err)
		}
	}
	cats, err := rc.st.GetCategories(rc.ctx, gid)
	require.NoError(t, err)
	for _, kid := range cats.Deleted() {
		for done := false; !done; {
			var err error
			done, err = rc.st.CleanupDeletedCategory(rc.ctx, gid, kid, 1000)
			require.NoError(t, err)
		}
	}
	for _, cid := range rc.cleanups[gid] {
		for done := false; !done; {
			var err error
			done, err = rc.st.CleanupDeletedChannel(rc.ctx, gid, cid, 1000)
			require.NoError(t, err)
		}
	}
}

// tombstones are the group's deleted roles whose cleanup has not finished.
func (rc *roleChannelOps) tombstones(t *testing.T, gid string) []string {
	t.Helper()
	g, _, err := rc.st.Snapshot(rc.ctx, gid)
	require.NoError(t, err)
	var out []string
	for id := range g.Roles.Deleted {
		out = append(out, id)
	}
	return out
}
