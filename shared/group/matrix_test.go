package group_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// The permission matrix of the group operations, as one table. Every row runs on a fresh
// group: owner "o", admins "a1" and "a2", members "m1" and "m2"; "x" and "y"
// have profiles but are not members; "admin" is an app admin.
//
// want is "" for success, an error code, or "joined" / "applied" for the
// outcome of invite and join.
type matrixRow struct {
	op, actor, target string
	nv                int  // the group's needVerification
	dismissed         bool // dismiss the group first
	want              string
}

func level(l int) *int { return &l }

var matrixOps = map[string]func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error){
	"kick": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		r, err := s.Kick(ctx, a, gid, group.KickInput{UserIDs: []string{target}})
		if err == nil && len(r.Failed) > 0 {
			return string(r.Failed[0].Code), nil
		}
		return "", err
	},
	"mute": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.MuteMember(ctx, a, gid, target, group.MuteMemberInput{MutedSeconds: 60})
		return "", err
	},
	"unmute": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.CancelMuteMember(ctx, a, gid, target)
		return "", err
	},
	"nickname": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		n := "nick"
		_, err := s.SetMemberInfo(ctx, a, gid, target, group.SetMemberInfoInput{Nickname: &n})
		return "", err
	},
	"toAdmin": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.SetMemberInfo(ctx, a, gid, target, group.SetMemberInfoInput{RoleLevel: level(store.RoleAdmin)})
		return "", err
	},
	"toOrdinary": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.SetMemberInfo(ctx, a, gid, target, group.SetMemberInfoInput{RoleLevel: level(store.RoleMember)})
		return "", err
	},
	"toOwner": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.SetMemberInfo(ctx, a, gid, target, group.SetMemberInfoInput{RoleLevel: level(store.RoleOwner)})
		return "", err
	},
	"transfer": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.TransferOwner(ctx, a, gid, group.TransferInput{NewOwnerUserID: target})
		return "", err
	},
	"quit": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		in := group.QuitInput{}
		if target != a.UserID {
			in.UserID = target
		}
		return "", s.Quit(ctx, a, gid, in)
	},
	"setInfo": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		name := "renamed"
		_, err := s.SetInfo(ctx, a, gid, group.SetInfoInput{GroupName: &name}, "")
		return "", err
	},
	"muteGroup": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		_, err := s.SetGroupMute(ctx, a, gid, true)
		return "", err
	},
	"dismiss": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		return "", s.Dismiss(ctx, a, gid)
	},
	"invite": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		r, err := s.Invite(ctx, a, gid, group.InviteInput{UserIDs: []string{target}})
		switch {
		case err != nil:
			return "", err
		case len(r.Failed) > 0:
			return string(r.Failed[0].Code), nil
		case len(r.Joined) > 0:
			return "joined", nil
		case len(r.Applied) > 0:
			return "applied", nil
		}
		return "nothing", nil
	},
	"join": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		r, err := s.Join(ctx, a, gid, group.JoinInput{JoinSource: store.JoinBySearch})
		if err != nil {
			return "", err
		}
		if r.Joined {
			return "joined", nil
		}
		return "applied", nil
	},
	// approve: "x" applies first, then the actor agrees.
	"approve": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		if _, err := s.Join(ctx, admins.Actor(target), gid, group.JoinInput{JoinSource: store.JoinBySearch}); err != nil {
			return "", fmt.Errorf("setup: %w", err)
		}
		_, err := s.RespondApplication(ctx, a, gid, target, group.ApplicationResponseInput{HandleResult: 1})
		return "", err
	},
	// approveTwice: the application is handled by the owner, then again by the actor.
	"approveTwice": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		if _, err := s.Join(ctx, admins.Actor(target), gid, group.JoinInput{JoinSource: store.JoinBySearch}); err != nil {
			return "", fmt.Errorf("setup: %w", err)
		}
		if _, err := s.RespondApplication(ctx, admins.Actor("o"), gid, target, group.ApplicationResponseInput{HandleResult: -1}); err != nil {
			return "", fmt.Errorf("setup: %w", err)
		}
		_, err := s.RespondApplication(ctx, a, gid, target, group.ApplicationResponseInput{HandleResult: 1})
		return "", err
	},
	"listMembers": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		_, err := s.ListMembers(ctx, a, gid, 0, 10, "")
		return "", err
	},
	"membersInfo": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.MembersInfo(ctx, a, gid, []string{target})
		return "", err
	},
	"changes": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		_, err := s.Changes(ctx, a, gid, 0, 10)
		return "", err
	},
}

const (
	noPerm   = string(errcode.NoPermission)
	notIn    = string(errcode.NotInGroup)
	gone     = string(errcode.GroupDismissed)
	already  = string(errcode.AlreadyInGroup)
	badArg   = string(errcode.InvalidArgument)
	handled  = string(errcode.ApplicationHandled)
	cantQuit = string(errcode.OwnerCannotQuit)
)

var matrix = []matrixRow{
	// Kick: kickMember, the actor must outrank the target, nobody kicks
	// themselves or the owner; an admin cannot kick an admin.
	{op: "kick", actor: "o", target: "m1"}, {op: "kick", actor: "o", target: "a1"},
	{op: "kick", actor: "o", target: "o", want: noPerm},
	{op: "kick", actor: "a1", target: "m1"}, {op: "kick", actor: "a1", target: "a2", want: noPerm},
	{op: "kick", actor: "a1", target: "o", want: noPerm}, {op: "kick", actor: "a1", target: "a1", want: noPerm},
	{op: "kick", actor: "m1", target: "m2", want: noPerm}, {op: "kick", actor: "m1", target: "m1", want: noPerm},
	{op: "kick", actor: "x", target: "m1", want: notIn},
	{op: "kick", actor: "admin", target: "a1"}, {op: "kick", actor: "admin", target: "o", want: noPerm},
	{op: "kick", actor: "o", target: "y", want: notIn},
	// Mute member: the same rank rules; the owner cannot be muted.
	{op: "mute", actor: "o", target: "a1"}, {op: "mute", actor: "o", target: "o", want: noPerm},
	{op: "mute", actor: "a1", target: "m1"}, {op: "mute", actor: "a1", target: "a2", want: noPerm},
	{op: "mute", actor: "a1", target: "o", want: noPerm}, {op: "mute", actor: "m1", target: "m2", want: noPerm},
	{op: "mute", actor: "x", target: "m1", want: notIn}, {op: "mute", actor: "admin", target: "a1"},
	{op: "mute", actor: "admin", target: "o", want: noPerm},
	{op: "unmute", actor: "a1", target: "m1"}, {op: "unmute", actor: "a1", target: "a2", want: noPerm},
	{op: "unmute", actor: "m1", target: "m2", want: noPerm},
	// Member info: yourself, or accountInfoOther and outrank the target.
	{op: "nickname", actor: "m1", target: "m1"}, {op: "nickname", actor: "o", target: "o"},
	{op: "nickname", actor: "m1", target: "m2", want: noPerm}, {op: "nickname", actor: "m1", target: "a1", want: noPerm},
	{op: "nickname", actor: "a1", target: "m1"}, {op: "nickname", actor: "a1", target: "a2", want: noPerm},
	{op: "nickname", actor: "a1", target: "o", want: noPerm}, {op: "nickname", actor: "o", target: "a1"},
	{op: "nickname", actor: "x", target: "m1", want: notIn}, {op: "nickname", actor: "admin", target: "o"},
	// roleLevel: only 60 or 20, by the owner, or by an admin on an ordinary
	// member; nobody changes their own; ownership moves only by transfer.
	{op: "toAdmin", actor: "o", target: "m1"}, {op: "toOrdinary", actor: "o", target: "a1"},
	{op: "toAdmin", actor: "a1", target: "m1"}, {op: "toOrdinary", actor: "a1", target: "a2", want: noPerm},
	{op: "toOrdinary", actor: "a1", target: "o", want: noPerm}, {op: "toAdmin", actor: "m1", target: "m2", want: noPerm},
	{op: "toOrdinary", actor: "a1", target: "a1", want: noPerm}, {op: "toAdmin", actor: "m1", target: "m1", want: noPerm},
	{op: "toOrdinary", actor: "o", target: "o", want: noPerm}, {op: "toOwner", actor: "o", target: "m1", want: badArg},
	{op: "toAdmin", actor: "x", target: "m1", want: notIn}, {op: "toAdmin", actor: "admin", target: "m1"},
	// Transfer: owner or app admin, to another member.
	{op: "transfer", actor: "o", target: "m1"}, {op: "transfer", actor: "o", target: "o", want: badArg},
	{op: "transfer", actor: "o", target: "x", want: notIn}, {op: "transfer", actor: "a1", target: "m1", want: noPerm},
	{op: "transfer", actor: "m1", target: "m2", want: noPerm}, {op: "transfer", actor: "x", target: "m1", want: notIn},
	{op: "transfer", actor: "admin", target: "a1"},
	// Quit: any member; the owner only when alone; app admins may quit others.
	{op: "quit", actor: "m1", target: "m1"}, {op: "quit", actor: "a1", target: "a1"},
	{op: "quit", actor: "o", target: "o", want: cantQuit}, {op: "quit", actor: "x", target: "x", want: notIn},
	{op: "quit", actor: "m1", target: "m2", want: noPerm}, {op: "quit", actor: "admin", target: "m1"},
	// Group settings: manageGroup / muteGroup; dismiss is the owner's.
	{op: "setInfo", actor: "o"}, {op: "setInfo", actor: "a1"}, {op: "setInfo", actor: "m1", want: noPerm},
	{op: "setInfo", actor: "x", want: notIn}, {op: "setInfo", actor: "admin"},
	{op: "muteGroup", actor: "o"}, {op: "muteGroup", actor: "a1"}, {op: "muteGroup", actor: "m1", want: noPerm},
	{op: "muteGroup", actor: "x", want: notIn}, {op: "muteGroup", actor: "admin"},
	{op: "dismiss", actor: "o"}, {op: "dismiss", actor: "a1", want: noPerm}, {op: "dismiss", actor: "m1", want: noPerm},
	{op: "dismiss", actor: "x", want: notIn}, {op: "dismiss", actor: "admin"},
	// Invite under needVerification 0, 1 and 2.
	{op: "invite", actor: "m1", target: "x", nv: 0, want: "joined"},
	{op: "invite", actor: "m1", target: "x", nv: 1, want: "applied"},
	{op: "invite", actor: "a1", target: "x", nv: 1, want: "joined"},
	{op: "invite", actor: "o", target: "x", nv: 1, want: "joined"},
	{op: "invite", actor: "m1", target: "x", nv: 2, want: "joined"},
	{op: "invite", actor: "m1", target: "m2", want: already},
	{op: "invite", actor: "x", target: "y", want: notIn},
	{op: "invite", actor: "admin", target: "x", nv: 1, want: "joined"},
	// Join under needVerification 0, 1 and 2.
	{op: "join", actor: "x", nv: 0, want: "applied"}, {op: "join", actor: "x", nv: 1, want: "applied"},
	{op: "join", actor: "x", nv: 2, want: "joined"}, {op: "join", actor: "m1", want: already},
	// Applications: handleApplication; a handled application stays handled.
	{op: "approve", actor: "o", target: "x"}, {op: "approve", actor: "a1", target: "x"},
	{op: "approve", actor: "m1", target: "x", want: noPerm}, {op: "approve", actor: "y", target: "x", want: notIn},
	{op: "approve", actor: "admin", target: "x"},
	{op: "approveTwice", actor: "a1", target: "x", want: handled},
	// Reads: members and app admins.
	{op: "listMembers", actor: "m1"}, {op: "listMembers", actor: "x", want: notIn}, {op: "listMembers", actor: "admin"},
	{op: "membersInfo", actor: "m1", target: "a1"}, {op: "membersInfo", actor: "x", target: "a1", want: notIn},
	{op: "changes", actor: "m1"}, {op: "changes", actor: "x", want: notIn}, {op: "changes", actor: "admin"},
	// A dismissed group refuses every change (OpenIM #1654).
	{op: "kick", actor: "o", target: "m1", dismissed: true, want: gone},
	{op: "mute", actor: "o", target: "m1", dismissed: true, want: gone},
	{op: "nickname", actor: "m1", target: "m1", dismissed: true, want: gone},
	{op: "toAdmin", actor: "o", target: "m1", dismissed: true, want: gone},
	{op: "transfer", actor: "o", target: "a1", dismissed: true, want: gone},
	{op: "quit", actor: "m1", target: "m1", dismissed: true, want: gone},
	{op: "setInfo", actor: "o", dismissed: true, want: gone},
	{op: "muteGroup", actor: "o", dismissed: true, want: gone},
	{op: "dismiss", actor: "o", dismissed: true, want: gone},
	{op: "invite", actor: "o", target: "x", dismissed: true, want: gone},
	{op: "join", actor: "x", nv: 2, dismissed: true, want: gone},
	{op: "dismiss", actor: "admin", dismissed: true, want: gone},
}

func TestPermissionMatrix(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "o", "a1", "a2", "m1", "m2", "x", "y", "admin")
	for i, row := range matrix {
		name := fmt.Sprintf("%02d %s by %s on %s nv%d dismissed=%v -> %q", i, row.op, row.actor, row.target, row.nv, row.dismissed, row.want)
		t.Run(name, func(t *testing.T) {
			gid := fmt.Sprintf("matrix-%02d", i)
			_, err := svc.Create(ctx, admins.Actor("o"), group.CreateInput{GroupID: gid, NeedVerification: row.nv,
				AdminUserIDs: []string{"a1", "a2"}, MemberUserIDs: []string{"m1", "m2"}})
			require.NoError(t, err)
			if row.dismissed {
				require.NoError(t, svc.Dismiss(ctx, admins.Actor("o"), gid))
			}
			before := snapshot(t, st, gid)

			run, ok := matrixOps[row.op]
			require.True(t, ok, "no operation %q", row.op)
			outcome, err := run(ctx, svc, admins.Actor(row.actor), gid, row.target)
			if err != nil {
				outcome = string(errcode.CodeOf(err))
				require.NotEqual(t, errcode.Internal, errcode.CodeOf(err), "%v", err)
			}
			assert.Equal(t, row.want, outcome, "%v", err)

			switch row.want {
			case "", "joined", "applied":
			default:
				if row.op != "approve" && row.op != "approveTwice" {
					assert.Equal(t, before, snapshot(t, st, gid), "a refused request leaves the group as it was")
				}
			}
			if !row.dismissed && row.op != "dismiss" {
				assertInvariants(t, st, gid)
			}
		})
	}
}

// groupState is what a refused request must not touch: the group record and
// every member record.
type groupState struct {
	Group   store.Group
	Members map[string]store.Member
}

func snapshot(t *testing.T, st *store.Store, gid string) groupState {
	t.Helper()
	g, err := st.GetGroup(context.Background(), gid)
	require.NoError(t, err)
	ms, err := st.AllMembers(context.Background(), gid)
	require.NoError(t, err)
	out := groupState{Group: *g, Members: map[string]store.Member{}}
	for _, m := range ms {
		out.Members[m.UserID] = *m
	}
	return out
}
