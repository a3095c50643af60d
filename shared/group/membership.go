package group

import (
	"context"
	"errors"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// InviteInput is the body of POST /groups/{groupID}/members.
type InviteInput struct {
	UserIDs []string `json:"userIDs"`
	Reason  string   `json:"reason"`
}

// InviteResult lists who joined, who got a pending application, and who
// could not be invited, with the reason.
type InviteResult struct {
	Joined  []string     `json:"joined"`
	Applied []string     `json:"applied"`
	Failed  []FailedUser `json:"failed"`
}

// Invite brings users into the group. Under needVerification 1 an actor
// without inviteMember creates applications (joinSource 2) instead; in every
// other case the users join directly. Users without a profile, members and
// banned users fail one by one (a ban is also a condition of each
// transaction); each batch of the rest is one transaction.
func (s *Service) Invite(ctx context.Context, a permission.Actor, groupID string, in InviteInput) (*InviteResult, error) {
	if err := validate.First(
		validate.ID("groupID", groupID),
		validate.IDs("userIDs", in.UserIDs, true),
		validate.Text("reason", in.Reason, validate.MaxText),
	); err != nil {
		return nil, err
	}
	// decide reads the group and the actor and decides; it runs again for
	// each batch, on the group as it is then: an actor kicked, or who lost
	// inviteMember, between two batches adds nobody more.
	decide := func() (*store.Group, bool, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, false, err
		}
		self := ms[a.UserID]
		if err := permission.Decide(permission.Request{Op: permission.OpInvite, Actor: a, Group: g, Self: self}); err != nil {
			return nil, false, err
		}
		return g, permission.InvitesDirectly(a, g, self), nil
	}
	g, direct, err := decide()
	if err != nil {
		return nil, err
	}
	recheck := func() (*store.Group, error) {
		g, now, err := decide()
		if err == nil && now != direct {
			err = errcode.New(errcode.NoPermission, "your right to add members directly changed during the invitation; invite the others again")
		}
		return g, err
	}

	// Reading first gives each failing user a precise reason up front; the
	// transactions check both conditions again.
	profiles, err := s.st.GetProfiles(ctx, in.UserIDs)
	if err != nil {
		return nil, err
	}
	existing, err := s.st.GetMembers(ctx, groupID, in.UserIDs)
	if err != nil {
		return nil, err
	}
	bans, err := s.st.GetBans(ctx, groupID, in.UserIDs)
	if err != nil {
		return nil, err
	}
	res := &InviteResult{Joined: []string{}, Applied: []string{}, Failed: []FailedUser{}}
	var todo []string
	for _, id := range in.UserIDs {
		switch {
		case bans[id] != nil && bans[id].Live(s.st.Now().UnixMilli()):
			res.Failed = append(res.Failed, FailedUser{UserID: id, Code: errcode.Banned, Message: "user " + id + " is banned from the group"})
		case profiles[id] == nil:
			res.Failed = append(res.Failed, FailedUser{UserID: id, Code: errcode.NotFound, Message: "user " + id + " has no profile"})
		case existing[id] != nil:
			res.Failed = append(res.Failed, FailedUser{UserID: id, Code: errcode.AlreadyInGroup, Message: "user " + id + " is already in the group"})
		default:
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 {
		return res, nil
	}
	now := s.st.Now().UnixMilli()
	var failed []FailedUser
	if direct {
		add := make([]*store.Member, len(todo))
		for i, id := range todo {
			add[i] = &store.Member{GroupID: groupID, UserID: id, RoleLevel: store.RoleMember, JoinTime: now,
				JoinSource: store.JoinByInvitation, InviterUserID: a.UserID, OperatorUserID: a.UserID}
		}
		failed = s.addInBatches(ctx, a, g, add, event.MemberInvited, recheck)
	} else {
		apps := make([]*store.Application, len(todo))
		for i, id := range todo {
			apps[i] = &store.Application{GroupID: groupID, UserID: id, ReqMsg: in.Reason, JoinSource: store.JoinByInvitation,
				InviterUserID: a.UserID, ReqTime: now}
		}
		failed = s.applyInBatches(ctx, a, g, apps, recheck)
	}
	bad := map[string]bool{}
	for _, f := range failed {
		bad[f.UserID] = true
	}
	res.Failed = append(res.Failed, failed...)
	for _, id := range todo {
		switch {
		case bad[id]:
		case direct:
			res.Joined = append(res.Joined, id)
		default:
			res.Applied = append(res.Applied, id)
		}
	}
	return res, nil
}

// KickInput is the body of POST /groups/{groupID}/kick.
type KickInput struct {
	UserIDs []string `json:"userIDs"`
	Reason  string   `json:"reason"`
}

// KickResult lists who was removed and who could not be, with the reason.
type KickResult struct {
	Kicked []string     `json:"kicked"`
	Failed []FailedUser `json:"failed"`
}

// Kick removes members. Each batch of targets is decided on one snapshot and
// removed in one change; a target the actor may not kick goes to the failed
// list. When no target at all can be kicked, the request fails with the
// first target's error (a single-target kick answers like any operation) and
// changes nothing.
func (s *Service) Kick(ctx context.Context, a permission.Actor, groupID string, in KickInput) (*KickResult, error) {
	if err := validate.First(
		validate.ID("groupID", groupID),
		validate.IDs("userIDs", in.UserIDs, true),
		validate.Text("reason", in.Reason, validate.MaxText),
	); err != nil {
		return nil, err
	}
	kicked, failed, err := decideInBatches(ctx, in.UserIDs, store.RemoveBatch, func(batch []string, d *batchDecision) error {
		g, ms, err := s.st.Snapshot(ctx, groupID, append([]string{a.UserID}, batch...)...)
		if err != nil {
			return err
		}
		var remove []*store.Member
		for _, id := range batch {
			err := permission.Decide(permission.Request{Op: permission.OpKick, Actor: a, Group: g,
				Self: ms[a.UserID], Target: ms[id], TargetID: id})
			if err != nil {
				d.refuse(id, err)
				continue
			}
			remove = append(remove, ms[id])
		}
		if len(remove) == 0 {
			return nil
		}
		// Role memberships go in the same transaction; members that do
		// not fit wait for the next batch.
		remove, d.deferred = fitRemoval(remove)
		ids := userIDs(remove)
		ev := event.New(event.MemberKicked, a.UserID, event.MemberKickedPayload{UserIDs: ids, Reason: in.Reason}, ids...)
		if _, err := s.st.RemoveMembers(ctx, g, remove, ev); err != nil {
			return err
		}
		d.done = ids
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &KickResult{Kicked: kicked, Failed: failed}, nil
}

// QuitInput is the body of POST /groups/{groupID}/quit; userID (another
// user) is for app admins only.
type QuitInput struct {
	UserID string `json:"userID"`
}

// Quit removes the actor (or, for an app admin, userID) from the group. The
// owner may quit only as the last member, which dismisses the group: status
// 2, GroupDismissed (1511), and the owner's record removed in the same
// change (see store.DismissAlone).
func (s *Service) Quit(ctx context.Context, a permission.Actor, groupID string, in QuitInput) error {
	target := in.UserID
	if target == "" {
		target = a.UserID
	}
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("userID", target)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, target)
		if err != nil {
			return err
		}
		m := ms[target]
		if err := permission.Decide(permission.Request{Op: permission.OpQuit, Actor: a, Group: g,
			Self: ms[a.UserID], Target: m, TargetID: target}); err != nil {
			return err
		}
		if target == g.OwnerUserID {
			ev := event.New(event.GroupDismissed, a.UserID, event.GroupDismissedPayload{Reason: "ownerQuitAlone", UserID: target})
			_, err = s.st.DismissAlone(ctx, g, m, ev)
			return err
		}
		ev := event.New(event.MemberQuit, a.UserID, event.UserPayload{UserID: target}, target)
		_, err = s.st.RemoveMembers(ctx, g, []*store.Member{m}, ev)
		var ue *store.UserError
		if errors.As(err, &ue) {
			// Gone since the snapshot: another change moved the version too.
			return store.ErrRetry
		}
		return err
	})
}

// fitRemoval splits members to remove into those that fit one transaction
// with their role memberships and the user IDs of the rest.
func fitRemoval(ms []*store.Member) (fit []*store.Member, deferred []string) {
	items := 0
	for i, m := range ms {
		items += store.RemovalItems(m)
		if items > store.MaxRemovalItems {
			return ms[:i], userIDs(ms[i:])
		}
	}
	return ms, nil
}
