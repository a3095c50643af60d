package group_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// The randomized concurrency test of issues 3, 4, 12 and 13: 16 workers run
// random group, role, channel and category operations (moves, syncs and
// reorders, bans, invite codes, batch member info and profile renames among
// them) on 3 groups and 30 users, then the checker must find no violation
// of invariants 1–8 on any group, and the member search index must match
// every member's name.
//
// CIRCLES_CONCURRENCY_SEED replays a run's choices (the seed is logged, and
// repeated on failure); the interleaving of the workers is the scheduler's,
// so a replay makes the same choices, not necessarily the same race.
// CIRCLES_CONCURRENCY_DURATION (a Go duration) sets how long the workers run.
const defaultConcurrencyDuration = 20 * time.Second

const (
	concurrencyWorkers = 16
	concurrencyUsers   = 30
)

func concurrencyDuration(t *testing.T) time.Duration {
	if v := os.Getenv("CIRCLES_CONCURRENCY_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "CIRCLES_CONCURRENCY_DURATION")
		return d
	}
	if testing.Short() {
		return 3 * time.Second
	}
	return defaultConcurrencyDuration
}

func concurrencySeed(t *testing.T) uint64 {
	if v := os.Getenv("CIRCLES_CONCURRENCY_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		require.NoError(t, err, "CIRCLES_CONCURRENCY_SEED")
		return s
	}
	return uint64(time.Now().UnixNano())
}

// expectedRefusals are the answers a random operation may get besides
// success: the rules of the group operations and lost races. Anything else (INTERNAL, an
// untyped error) fails the test.
var expectedRefusals = []errcode.Code{
	errcode.NoPermission, errcode.NotInGroup, errcode.AlreadyInGroup, errcode.GroupDismissed,
	errcode.ApplicationHandled, errcode.OwnerCannotQuit, errcode.Conflict, errcode.NotFound,
	errcode.InvalidArgument, errcode.LimitExceeded, errcode.Banned,
}

// op is one kind of random operation.
type op struct {
	name string
	// onMember: the target is usually a member (kick, transfer...);
	// otherwise any user (invite, respond to an application).
	onMember bool
	run      func(r *rand.Rand, a permission.Actor, gid, target string) error
}

func TestRandomConcurrentOperationsKeepEveryInvariant(t *testing.T) {
	seed := concurrencySeed(t)
	t.Logf("seed %d (replay with CIRCLES_CONCURRENCY_SEED=%d)", seed, seed)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("FAILED with seed %d: replay with CIRCLES_CONCURRENCY_SEED=%d", seed, seed)
		}
	})
	ctx := context.Background()
	svc, st := newService(t)
	us := users("u", concurrencyUsers)
	withProfiles(t, svc, append([]string{"admin"}, us...)...)

	// One group per needVerification mode; g2 is the one that may be
	// dismissed while the others run to the end.
	groups := []string{"g0", "g1", "g2"}
	for i, gid := range groups {
		_, err := svc.Create(ctx, admins.Actor(us[i]), group.CreateInput{
			GroupID: gid, NeedVerification: []int{2, 0, 1}[i],
			AdminUserIDs: []string{us[3+i], us[6+i]}, MemberUserIDs: us[9+3*i : 15+3*i],
		})
		require.NoError(t, err)
	}

	ops := memberOps(ctx, svc, us)
	// The checker runs during the workload too: its reads are bracketed by
	// the group's version, so it must never see a state between two changes.
	ops = append(ops, op{"check", false, func(_ *rand.Rand, _ permission.Actor, gid, _ string) error {
		rep, err := svc.Check(ctx, checker, gid, group.CheckInput{})
		if err == nil && len(rep.Violations) > 0 {
			t.Errorf("mid-run check of %s at version %d: %v (seed %d)", gid, rep.Version, rep.Violations, seed)
		}
		return err
	}})
	// Roles and channels race with the member operations above;
	// invariant 6 is checked with the rest.
	rc := newRoleChannelOps(ctx, st, admins)
	rc.seed(t, groups)
	ops = append(ops, rc.ops()...)
	dismiss := op{"dismiss", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
		return svc.Dismiss(ctx, a, gid)
	}}

	// A rough, often stale view of who is in which group, so that most
	// operations come from members and aim at members and the interesting
	// races (transfer against kick, setMemberInfo against quit...) happen.
	var (
		viewMu sync.Mutex
		view   = map[string][]*store.Member{}
	)
	refresh := func() {
		rc.refresh(groups)
		for _, gid := range groups {
			ms, err := st.AllMembers(ctx, gid)
			if err == nil {
				viewMu.Lock()
				view[gid] = ms
				viewMu.Unlock()
			}
		}
	}
	refresh()
	pick := func(r *rand.Rand, gid string, owner bool) (string, bool) {
		viewMu.Lock()
		defer viewMu.Unlock()
		ms := view[gid]
		if owner {
			for _, m := range ms {
				if m.RoleLevel == store.RoleOwner {
					return m.UserID, true
				}
			}
		}
		if len(ms) == 0 {
			return "", false
		}
		return ms[r.IntN(len(ms))].UserID, true
	}

	pickOutsider := func(r *rand.Rand, gid string) (string, bool) {
		viewMu.Lock()
		defer viewMu.Unlock()
		var out []string
		for _, u := range us {
			if !slices.ContainsFunc(view[gid], func(m *store.Member) bool { return m.UserID == u }) {
				out = append(out, u)
			}
		}
		if len(out) == 0 {
			return "", false
		}
		return out[r.IntN(len(out))], true
	}

	var (
		wg       sync.WaitGroup
		total    atomic.Int64
		mu       sync.Mutex
		counts   = map[string]map[errcode.Code]int{} // op -> outcome -> how many
		failures []string
	)
	deadline := time.Now().Add(concurrencyDuration(t))
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			refresh()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	for w := range concurrencyWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			for time.Now().Before(deadline) {
				o := ops[r.IntN(len(ops))]
				if r.IntN(100) == 0 {
					o = dismiss
				}
				gid := groups[r.IntN(len(groups))]
				if o.name == "dismiss" {
					gid = "g2"
				}
				actor := admins.Actor(us[r.IntN(len(us))])
				switch n := r.IntN(10); {
				case n == 0: // an app admin may do anything
					actor = admins.Actor("admin")
				case n <= 3: // the owner, as far as the view knows
					if id, ok := pick(r, gid, true); ok {
						actor = admins.Actor(id)
					}
				case n <= 7: // some member
					if id, ok := pick(r, gid, false); ok {
						actor = admins.Actor(id)
					}
				}
				target := us[r.IntN(len(us))]
				if id, ok := pick(r, gid, false); ok && o.onMember && r.IntN(4) > 0 {
					target = id
				}
				if o.name == "respond" { // the applicant: someone outside, as far as the view knows
					if id, ok := pickOutsider(r, gid); ok {
						target = id
					}
				}
				err := o.run(r, actor, gid, target)
				total.Add(1)
				code := errcode.CodeOf(err)
				mu.Lock()
				if counts[o.name] == nil {
					counts[o.name] = map[errcode.Code]int{}
				}
				counts[o.name][cmp.Or(code, "ok")]++
				if err != nil && !slices.Contains(expectedRefusals, code) {
					failures = append(failures, fmt.Sprintf("%s by %s on %s (target %s): %v", o.name, actor.UserID, gid, target, err))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.Logf("%d operations; outcomes: %v", total.Load(), counts)
	assert.Empty(t, failures, "unexpected errors (seed %d)", seed)

	for _, gid := range groups {
		g, err := st.GetGroup(ctx, gid)
		require.NoError(t, err)
		in := group.CheckInput{}
		if g.Status == store.StatusDismissed {
			// What the GroupDismissed consumer does; after it, leftovers are
			// violations of invariant 5.
			for done := false; !done; {
				done, err = svc.CleanupDismissed(ctx, gid, 1000)
				require.NoError(t, err)
			}
			in.CleanupDue = true
		}
		rep, err := svc.Check(ctx, checker, gid, in)
		require.NoError(t, err)
		assert.Empty(t, rep.Violations, "group %s (status %d, version %d), seed %d", gid, g.Status, g.Version, seed)
		if g.Status != store.StatusDismissed {
			// Finish the cleanups of deleted roles and channels, which race
			// with everything above, and check again.
			rc.finishCleanups(t, gid)
			rep, err = svc.Check(ctx, checker, gid, in)
			require.NoError(t, err)
			assert.Empty(t, rep.Violations, "group %s after role and channel cleanups, seed %d", gid, seed)
			assert.Empty(t, rc.tombstones(t, gid), "every deleted role's cleanup finished")
		}
		t.Logf("group %s: status %d, version %d, %d members, owner %s", gid, g.Status, g.Version, g.MemberCount, g.OwnerUserID)
		if g.Status != store.StatusDismissed {
			assertInvariants(t, st, gid)
		}
	}

	// The member search index after the races: every member is found by
	// their name (group nickname, else profile nickname), and whoever a
	// search finds has a name that matches it (no stale key).
	for _, gid := range groups {
		if g, err := st.GetGroup(ctx, gid); err != nil || g.Status == store.StatusDismissed {
			continue
		}
		assertSearchIndexMatchesNames(t, svc, st, gid)
	}

	// Invariant 3 from the users' side: "my groups" lists exactly the live
	// groups holding a member record of the user.
	for _, uid := range us {
		var want []string
		for _, gid := range groups {
			g, err := st.GetGroup(ctx, gid)
			require.NoError(t, err)
			ms, err := st.GetMembers(ctx, gid, []string{uid})
			require.NoError(t, err)
			if _, ok := ms[uid]; ok && g.Status != store.StatusDismissed {
				want = append(want, gid)
			}
		}
		page, err := st.ListJoinedGroups(ctx, uid, 100, "")
		require.NoError(t, err)
		var got []string
		for _, g := range page.Items {
			got = append(got, g.GroupID)
		}
		slices.Sort(got)
		assert.Equal(t, want, got, "my groups of %s (seed %d)", uid, seed)
	}
}

// memberOps are the random member operations of svc on groups of users us.
func memberOps(ctx context.Context, svc *group.Service, us []string) []op {
	return []op{
		{"join", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			_, err := svc.Join(ctx, a, gid, group.JoinInput{JoinSource: store.JoinBySearch, ReqMsg: "hi"})
			return err
		}},
		{"respond", false, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := svc.RespondApplication(ctx, a, gid, target, group.ApplicationResponseInput{HandleResult: []int{1, 1, -1}[r.IntN(3)]})
			return err
		}},
		{"invite", false, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			ids := []string{target}
			if other := us[r.IntN(len(us))]; other != target {
				ids = append(ids, other)
			}
			_, err := svc.Invite(ctx, a, gid, group.InviteInput{UserIDs: ids})
			return err
		}},
		{"kick", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := svc.Kick(ctx, a, gid, group.KickInput{UserIDs: []string{target}})
			return err
		}},
		{"quit", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			return svc.Quit(ctx, a, gid, group.QuitInput{})
		}},
		{"transfer", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := svc.TransferOwner(ctx, a, gid, group.TransferInput{NewOwnerUserID: target})
			return err
		}},
		{"setMemberInfo", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			in := group.SetMemberInfoInput{}
			switch r.IntN(3) {
			case 0:
				l := store.RoleAdmin
				in.RoleLevel = &l
			case 1:
				l := store.RoleMember
				in.RoleLevel = &l
			default:
				n := fmt.Sprintf("nick%d", r.IntN(100))
				in.Nickname = &n
			}
			_, err := svc.SetMemberInfo(ctx, a, gid, target, in)
			return err
		}},
		// Batch member info: the target's entry (a level, a nickname or a
		// cleared nickname: the search key then falls back to the profile
		// nickname, which renameProfile races) and the actor's own
		// nickname, which members may always set.
		{"setMembersInfo", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			in := group.SetMembersInfoInput{}
			for i, uid := range []string{target, a.UserID} {
				if i > 0 && uid == target {
					continue
				}
				e := group.MemberInfoEntry{UserID: uid}
				switch r.IntN(4) + 2*i {
				case 0:
					e.RoleLevel = new(store.RoleAdmin)
				case 1:
					e.RoleLevel = new(store.RoleMember)
				case 2:
					e.Nickname = new("")
				default:
					e.Nickname = new(fmt.Sprintf("batch%d", r.IntN(100)))
				}
				in.Members = append(in.Members, e)
			}
			_, err := svc.SetMembersInfo(ctx, a, gid, in)
			return err
		}},
		{"renameProfile", false, func(r *rand.Rand, a permission.Actor, _, _ string) error {
			_, err := svc.PutMyProfile(ctx, a, group.ProfileInput{Nickname: fmt.Sprintf("name%d", r.IntN(50))})
			return err
		}},
		// Bans race with every way in: the checker's invariant 8 (no member
		// beside a live ban) is checked with the rest.
		{"ban", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			in := group.BanInput{UserIDs: []string{target}, Reason: "random"}
			if r.IntN(2) == 0 {
				in.ExpireTime = time.Now().Add(time.Hour).UnixMilli()
			}
			_, err := svc.Ban(ctx, a, gid, in)
			return err
		}},
		{"unban", false, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			_, err := svc.Unban(ctx, a, gid, group.UnbanInput{UserIDs: []string{target}})
			return err
		}},
		// The app admin makes a code of 1 to 3 uses, and the actor joins
		// with it.
		{"joinByCode", false, func(r *rand.Rand, a permission.Actor, gid, _ string) error {
			c, err := svc.CreateInviteCode(ctx, admins.Actor("admin"), gid, group.CreateInviteCodeInput{MaxUses: int64(1 + r.IntN(3))})
			if err != nil {
				return err
			}
			_, err = svc.JoinByInviteCode(ctx, a, gid, group.JoinByInviteCodeInput{Code: c.Code})
			return err
		}},
		{"mute", true, func(r *rand.Rand, a permission.Actor, gid, target string) error {
			if r.IntN(2) == 0 {
				_, err := svc.CancelMuteMember(ctx, a, gid, target)
				return err
			}
			_, err := svc.MuteMember(ctx, a, gid, target, group.MuteMemberInput{MutedSeconds: 60})
			return err
		}},
	}
}

// assertSearchIndexMatchesNames searches a group for each member's name and
// checks that the member is found, and that every member found has a name
// that begins with the keyword, case-insensitively.
func assertSearchIndexMatchesNames(t *testing.T, svc *group.Service, st *store.Store, gid string) {
	t.Helper()
	ctx := context.Background()
	ms, err := st.AllMembers(ctx, gid)
	require.NoError(t, err)
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID
	}
	profiles, err := st.GetProfiles(ctx, ids)
	require.NoError(t, err)
	names := map[string]string{}
	for _, m := range ms {
		names[m.UserID] = cmp.Or(m.Nickname, profiles[m.UserID].Nickname)
	}
	for uid, name := range names {
		found := search(t, svc, "admin", gid, name, 0)
		assert.Contains(t, found, uid, "%s in %s is found by its name %q", uid, gid, name)
		for _, f := range found {
			assert.True(t, strings.HasPrefix(strings.ToLower(names[f]), strings.ToLower(name)),
				"%s found by %q in %s, but named %q", f, name, gid, names[f])
		}
	}
}
