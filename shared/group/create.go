package group

import (
	"context"
	"slices"
	"strings"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// CreateInput is the body of POST /groups.
type CreateInput struct {
	GroupID           string   `json:"groupID"`
	GroupName         string   `json:"groupName"`
	Notification      string   `json:"notification"`
	Introduction      string   `json:"introduction"`
	FaceURL           string   `json:"faceURL"`
	Ex                string   `json:"ex"`
	GroupType         int      `json:"groupType"`
	NeedVerification  int      `json:"needVerification"`
	LookMemberInfo    int      `json:"lookMemberInfo"`
	ApplyMemberFriend int      `json:"applyMemberFriend"`
	OwnerUserID       string   `json:"ownerUserID"`
	MemberUserIDs     []string `json:"memberUserIDs"`
	AdminUserIDs      []string `json:"adminUserIDs"`
}

// FailedUser is one entry of a batch operation's failed list.
type FailedUser struct {
	UserID  string       `json:"userID"`
	Code    errcode.Code `json:"code"`
	Message string       `json:"message,omitempty"`
}

// failedWith reports each of ids as failed with err: the users a batched
// operation had not reached when a later batch failed after an earlier one
// committed.
func failedWith(err error, ids ...[]string) []FailedUser {
	e := errcode.Of(err)
	var out []FailedUser
	for _, part := range ids {
		for _, id := range part {
			out = append(out, FailedUser{UserID: id, Code: e.Code, Message: e.Message})
		}
	}
	return out
}

// Created is the answer of CreateGroup: the group, and the users of later
// batches that could not be added.
type Created struct {
	*store.Group
	Failed []FailedUser `json:"failed,omitempty"`
}

func (in *CreateInput) validate() error {
	err := validate.First(
		validate.Text("groupName", in.GroupName, validate.MaxText),
		validate.Text("notification", in.Notification, validate.MaxNotification),
		validate.Text("introduction", in.Introduction, validate.MaxText),
		validate.Text("faceURL", in.FaceURL, validate.MaxText),
		validate.Text("ex", in.Ex, validate.MaxEx),
		validate.OneOf("groupType", in.GroupType, 0, 1, 2),
		validate.OneOf("needVerification", in.NeedVerification, 0, 1, 2),
		validate.OneOf("lookMemberInfo", in.LookMemberInfo, 0, 1),
		validate.OneOf("applyMemberFriend", in.ApplyMemberFriend, 0, 1),
		validate.IDs("memberUserIDs", in.MemberUserIDs, false),
		validate.IDs("adminUserIDs", in.AdminUserIDs, false),
	)
	if err != nil {
		return err
	}
	if in.GroupID != "" {
		if err := validate.ID("groupID", in.GroupID); err != nil {
			return err
		}
	}
	if in.OwnerUserID != "" {
		if err := validate.ID("ownerUserID", in.OwnerUserID); err != nil {
			return err
		}
	}
	if len(in.MemberUserIDs)+len(in.AdminUserIDs) > validate.MaxBatch {
		return errcode.New(errcode.InvalidArgument, "memberUserIDs and adminUserIDs hold %d users together; the limit is %d", len(in.MemberUserIDs)+len(in.AdminUserIDs), validate.MaxBatch)
	}
	for _, id := range in.AdminUserIDs {
		if slices.Contains(in.MemberUserIDs, id) {
			return errcode.New(errcode.InvalidArgument, "user %q is in both memberUserIDs and adminUserIDs", id)
		}
	}
	return nil
}

// Create makes a group whose owner is the actor (or, for an app admin, the
// named ownerUserID). The group, the owner and the first members commit in
// one transaction; longer lists continue in further atomic batches.
func (s *Service) Create(ctx context.Context, a permission.Actor, in CreateInput) (*Created, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	owner := a.UserID
	if in.OwnerUserID != "" && in.OwnerUserID != a.UserID {
		if err := permission.DecideApp(a, permission.OpNameAnotherOwner); err != nil {
			return nil, err
		}
		owner = in.OwnerUserID
	}
	if slices.Contains(in.MemberUserIDs, owner) || slices.Contains(in.AdminUserIDs, owner) {
		return nil, errcode.New(errcode.InvalidArgument, "the owner %q must not be listed in memberUserIDs or adminUserIDs", owner)
	}
	groupID := in.GroupID
	if groupID == "" {
		groupID = store.NewID()
	}

	// Every user must have a profile. Checking them all first gives one
	// clear answer naming every missing user; the transactions check again.
	all := append(append([]string{owner}, in.AdminUserIDs...), in.MemberUserIDs...)
	profiles, err := s.st.GetProfiles(ctx, all)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range all {
		if _, ok := profiles[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, errcode.New(errcode.NotFound, "users without a profile: %s", strings.Join(missing, ","))
	}

	now := s.st.Now().UnixMilli()
	g := &store.Group{
		GroupID: groupID, GroupName: in.GroupName, Notification: in.Notification,
		Introduction: in.Introduction, FaceURL: in.FaceURL, Ex: in.Ex, Status: store.StatusOK,
		CreatorUserID: a.UserID, GroupType: in.GroupType, OwnerUserID: owner,
		NeedVerification: in.NeedVerification, LookMemberInfo: in.LookMemberInfo,
		ApplyMemberFriend: in.ApplyMemberFriend, CreateTime: now,
	}
	if in.Notification != "" {
		g.NotificationUpdateTime, g.NotificationUserID = now, a.UserID
	}
	newMember := func(uid string, level int) *store.Member {
		m := &store.Member{GroupID: groupID, UserID: uid, RoleLevel: level, JoinTime: now,
			JoinSource: store.JoinByAdmin, OperatorUserID: a.UserID}
		if uid != owner {
			m.InviterUserID = a.UserID
		}
		return m
	}
	ms := []*store.Member{newMember(owner, store.RoleOwner)}
	for _, id := range in.AdminUserIDs {
		ms = append(ms, newMember(id, store.RoleAdmin))
	}
	for _, id := range in.MemberUserIDs {
		ms = append(ms, newMember(id, store.RoleMember))
	}

	first := ms[:min(len(ms), store.CreateBatch)]
	ev := event.New(event.GroupCreated, a.UserID, event.GroupCreatedPayload{Group: g, MemberUserIDs: userIDs(first)}, others(userIDs(first), a.UserID)...)
	if _, err := s.st.CreateGroup(ctx, g, first, ev); err != nil {
		return nil, err
	}
	out := &Created{Group: g}
	out.Failed = s.addInBatches(ctx, a, g, ms[len(first):], event.MemberInvited, nil)
	return out, nil
}

// addInBatches adds members in atomic batches, each its own change and
// event of type t.
func (s *Service) addInBatches(ctx context.Context, a permission.Actor, g *store.Group, rest []*store.Member, t event.Type, recheck func() (*store.Group, error)) []FailedUser {
	return inBatches(ctx, s.st, g, rest, store.AddBatch, func(m *store.Member) string { return m.UserID }, recheck, func(batch []*store.Member) error {
		ev := event.New(t, a.UserID, event.UsersPayload{UserIDs: userIDs(batch)}, others(userIDs(batch), a.UserID)...)
		_, err := s.st.AddMembers(ctx, g, batch, ev)
		return err
	})
}

func userIDs(ms []*store.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.UserID
	}
	return out
}

// others is ids without the actor, who needs no notification of their own act.
func others(ids []string, actor string) []string {
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == actor })
}
