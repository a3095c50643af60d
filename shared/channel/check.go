package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// CheckResult is the answer of CheckPermissions: item -> held.
type CheckResult struct {
	Auths map[string]bool `json:"auths"`
}

// CheckPermissions answers which of the items userID (default: the actor)
// holds in the group, or in the channel when channelID is given
// (permission.Effective). Asking about another user needs manageRole or an app admin. It
// makes exactly one DynamoDB call, a BatchGetItem, eventually consistent
// unless the context asks otherwise (store.ViewChannelState): chat
// services ask it on every message.
// A user who is not a member, and every user of a dismissed group, holds
// nothing; an actor who is not a member (and not an app admin) is refused;
// a channel the actor cannot see is NOT_FOUND, as a missing one.
func (s *Service) CheckPermissions(ctx context.Context, a permission.Actor, groupID string, auths []string, channelID, userID string) (*CheckResult, error) {
	if userID == "" {
		userID = a.UserID
	}
	errs := []error{validate.ID("groupID", groupID), validate.ID("userID", userID)}
	if channelID != "" {
		errs = append(errs, validate.ID("channelID", channelID))
	}
	if err := validate.First(errs...); err != nil {
		return nil, err
	}
	if len(auths) == 0 || len(auths) > validate.MaxBatch {
		return nil, errcode.New(errcode.InvalidArgument, "auths must name 1 to %d items", validate.MaxBatch)
	}
	st, err := s.st.ViewChannelState(ctx, groupID, channelID, a.UserID, userID)
	if err != nil {
		return nil, err
	}
	for _, it := range auths {
		if !permission.Known(permission.Item(it), st.Custom) {
			return nil, errcode.New(errcode.InvalidArgument, "auths: unknown item %q", it)
		}
	}
	g, self := st.Group, st.Members[a.UserID]
	if g.Status != store.StatusDismissed {
		// In a dismissed group everyone holds nothing, which anyone may hear.
		if err := permission.RequireMember(a, g, self); err != nil {
			return nil, err
		}
	}
	if err := permission.MayInspect(a, g, self, st.Custom, userID); err != nil {
		return nil, err
	}
	// A channel the actor cannot see answers exactly as a missing one, so
	// neither its existence nor anyone's rights in it leak.
	if channelID != "" && (st.Channel == nil || !permission.VisibleTo(a, g, self, st.Channel)) {
		return nil, errcode.New(errcode.NotFound, "channel %s not found", channelID)
	}
	// The subject is judged on their own records; an app admin asking
	// about themselves holds everything, as in every other operation.
	subject := permission.Actor{UserID: userID, AppAdmin: a.AppAdmin && userID == a.UserID}
	out := &CheckResult{Auths: make(map[string]bool, len(auths))}
	items := make([]permission.Item, len(auths))
	for i, it := range auths {
		items[i] = permission.Item(it)
	}
	held := permission.HoldsEach(subject, g, st.Members[userID], st.Custom, st.Channel, st.Overrides[userID], items)
	for _, it := range auths {
		out.Auths[it] = held[permission.Item(it)]
	}
	return out, nil
}
