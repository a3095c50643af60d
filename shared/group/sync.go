package group

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Sync across groups in one call: the caller's joined-group list by its
// change log (JoinedChanges), and many groups' changes at once
// (GroupsChanges).

// maxTokenBytes bounds a since token as sent, as cursors are bounded.
const maxTokenBytes = 512

// JoinedChanges answers the groups the actor joined or left since the token
// (store.JoinedGroupChanges): OpenIM's incremental joined-group list. No
// token, or one older than the log, answers full=true and the list to
// reload from.
func (s *Service) JoinedChanges(ctx context.Context, a permission.Actor, since string) (*store.JoinedChanges, error) {
	if len(since) > maxTokenBytes {
		return nil, errcode.New(errcode.InvalidArgument, "since is longer than %d bytes", maxTokenBytes)
	}
	return s.st.JoinedGroupChanges(ctx, a.UserID, since)
}

// GroupSince is one group of GroupsChanges and the version the client has.
type GroupSince struct {
	GroupID      string `json:"groupID"`
	SinceVersion int64  `json:"sinceVersion"`
}

// GroupsChangesInput is the body of GetGroupsChanges.
type GroupsChangesInput struct {
	Groups []GroupSince `json:"groups"`
}

// GroupChanges is one group's answer: Changes as GetGroupChanges answers.
type GroupChanges struct {
	GroupID string `json:"groupID"`
	Changes
}

// GroupsChanges is the answer of GetGroupsChanges.
type GroupsChanges struct {
	Groups []GroupChanges `json:"groups"`
}

// MaxGroupsChanges is how many groups one GroupsChanges names at most: their
// records are one BatchGetItem.
const MaxGroupsChanges = 100

// groupsChangesLimit is how many events one group answers at most in a
// GroupsChanges; a client whose items stop short of version asks again.
const groupsChangesLimit = 50

// GroupsChanges answers, for each group asked that the actor may read
// (GetGroupChanges' rule) and that moved from sinceVersion, the events
// after it or full=true, in the order asked. A group with nothing new is
// left out, as is one the actor may not read or that does not exist, so
// that the answer tells nothing about groups that are not the actor's.
// Cost: one BatchGetItem of the group records; then, only if some group
// moved, one BatchGetItem of the actor's member records in those groups
// and one Query per moved group the actor may read. All reads are strongly
// consistent, as GetGroupChanges' are.
func (s *Service) GroupsChanges(ctx context.Context, a permission.Actor, in GroupsChangesInput) (*GroupsChanges, error) {
	if len(in.Groups) == 0 || len(in.Groups) > MaxGroupsChanges {
		return nil, errcode.New(errcode.InvalidArgument, "groups must name 1 to %d groups", MaxGroupsChanges)
	}
	ids := make([]string, len(in.Groups))
	for i, g := range in.Groups {
		if g.SinceVersion < 0 {
			return nil, errcode.New(errcode.InvalidArgument, "groups[%d].sinceVersion must not be negative", i)
		}
		ids[i] = g.GroupID
	}
	if err := validate.IDs("groups[].groupID", ids, true); err != nil {
		return nil, err
	}
	ctx = store.WithConsistentReads(ctx)
	groups, err := s.st.GetGroups(ctx, ids)
	if err != nil {
		return nil, err
	}
	var moved []string
	for _, in := range in.Groups {
		if g := groups[in.GroupID]; g != nil && g.Version != in.SinceVersion {
			moved = append(moved, in.GroupID)
		}
	}
	out := &GroupsChanges{Groups: []GroupChanges{}}
	if len(moved) == 0 {
		return out, nil
	}
	self, err := s.st.MemberOf(ctx, a.UserID, moved)
	if err != nil {
		return nil, err
	}
	for _, in := range in.Groups {
		g := groups[in.GroupID]
		if g == nil || g.Version == in.SinceVersion {
			continue
		}
		if permission.Decide(permission.Request{Op: permission.OpReadMembers, Actor: a, Group: g, Self: self[in.GroupID]}) != nil {
			continue
		}
		c, err := s.changesAfter(ctx, a, g, self[in.GroupID], in.SinceVersion, groupsChangesLimit)
		if err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, GroupChanges{GroupID: in.GroupID, Changes: *c})
	}
	return out, nil
}
