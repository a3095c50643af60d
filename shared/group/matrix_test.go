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
	"github.com/circles-im/circles/shared/permission/matrix"
	"github.com/circles-im/circles/shared/store"
)

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
	"batchInfo": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		ex, n := "batch", "nick"
		_, err := s.SetMembersInfo(ctx, a, gid, group.SetMembersInfoInput{Members: []group.MemberInfoEntry{
			{UserID: "m2", SetMemberInfoInput: group.SetMemberInfoInput{Ex: &ex}},
			{UserID: target, SetMemberInfoInput: group.SetMemberInfoInput{Nickname: &n}},
		}})
		return "", err
	},
	"batchToAdmin": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		_, err := s.SetMembersInfo(ctx, a, gid, group.SetMembersInfoInput{Members: []group.MemberInfoEntry{
			{UserID: target, SetMemberInfoInput: group.SetMemberInfoInput{RoleLevel: level(store.RoleAdmin)}},
		}})
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
	"ban": func(ctx context.Context, s *group.Service, a permission.Actor, gid, target string) (string, error) {
		r, err := s.Ban(ctx, a, gid, group.BanInput{UserIDs: []string{target}})
		if err == nil && len(r.Failed) > 0 {
			return string(r.Failed[0].Code), nil
		}
		return "", err
	},
	"listBans": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		_, err := s.ListBans(ctx, a, gid, 10, "")
		return "", err
	},
	"inviteCode": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		_, err := s.CreateInviteCode(ctx, a, gid, group.CreateInviteCodeInput{MaxUses: 1})
		return "", err
	},
	"joinByCode": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		c, err := s.CreateInviteCode(ctx, admins.Actor("o"), gid, group.CreateInviteCodeInput{MaxUses: 1})
		if err != nil {
			return "", fmt.Errorf("setup: %w", err)
		}
		if _, err := s.JoinByInviteCode(ctx, a, gid, group.JoinByInviteCodeInput{Code: c.Code}); err != nil {
			return "", err
		}
		return "joined", nil
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
	"groupsChanges": func(ctx context.Context, s *group.Service, a permission.Actor, gid, _ string) (string, error) {
		res, err := s.GroupsChanges(ctx, a, group.GroupsChangesInput{Groups: []group.GroupSince{{GroupID: gid}}})
		if err == nil && len(res.Groups) == 0 {
			return matrix.NotIn, nil
		}
		return "", err
	},
}

// TestPermissionMatrix runs every row of the permission matrix
// (matrix.Rows) through the service, on a fresh group each: owner "o",
// admins "a1" and "a2", members "m1" and "m2"; "x" and "y" have profiles but
// are not members; "admin" is an app admin. The pure half, permission.Decide
// on the same rows, is in shared/permission; this half proves that a refused
// request changes nothing.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel() // each test has its own table
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "o", "a1", "a2", "m1", "m2", "x", "y", "admin")
	for i, row := range matrix.Rows {
		name := fmt.Sprintf("%02d %s by %s on %s nv%d dismissed=%v -> %q", i, row.Op, row.Actor, row.Target, row.NV, row.Dismissed, row.Want)
		t.Run(name, func(t *testing.T) {
			gid := fmt.Sprintf("matrix-%02d", i)
			_, err := svc.Create(ctx, admins.Actor("o"), group.CreateInput{GroupID: gid, NeedVerification: row.NV,
				AdminUserIDs: []string{"a1", "a2"}, MemberUserIDs: []string{"m1", "m2"}})
			require.NoError(t, err)
			if row.Dismissed {
				require.NoError(t, svc.Dismiss(ctx, admins.Actor("o"), gid))
			}
			before := snapshot(t, st, gid)

			run, ok := matrixOps[row.Op]
			require.True(t, ok, "no operation %q", row.Op)
			outcome, err := run(ctx, svc, admins.Actor(row.Actor), gid, row.Target)
			if err != nil {
				outcome = string(errcode.CodeOf(err))
				require.NotEqual(t, errcode.Internal, errcode.CodeOf(err), "%v", err)
			}
			assert.Equal(t, row.Want, outcome, "%v", err)

			switch row.Want {
			case "", matrix.Joined, matrix.Applied:
			default:
				if row.Op != "approve" && row.Op != "approveTwice" && row.Op != "joinByCode" {
					assert.Equal(t, before, snapshot(t, st, gid), "a refused request leaves the group as it was")
				}
			}
			if !row.Dismissed && row.Op != "dismiss" {
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
