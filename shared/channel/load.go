package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// view is one snapshot of a group as seen by the actor of an operation,
// with the channel it acts on (if any).
type view struct {
	a    permission.Actor
	st   *store.ChannelState
	g    *store.Group
	self *store.Member // the actor's member record; nil for an app admin who is not a member
	ch   *store.Channel
}

// load reads the group, the actor (and the other users) and, when
// channelID is given, the channel and their overrides in it, in one round
// trip, and refuses what nobody may do on that state: a dismissed group, a
// non-member actor, a missing channel or one the actor cannot see (the
// same NOT_FOUND for both).
func (s *Service) load(ctx context.Context, a permission.Actor, groupID, channelID string, others ...string) (*view, error) {
	st, err := s.st.LoadChannelState(ctx, groupID, channelID, append([]string{a.UserID}, others...)...)
	if err != nil {
		return nil, err
	}
	v := &view{a: a, st: st, g: st.Group, self: st.Members[a.UserID], ch: st.Channel}
	if v.g.Status == store.StatusDismissed {
		return nil, errcode.New(errcode.GroupDismissed, "group %s is dismissed", groupID)
	}
	if err := permission.RequireMember(a, v.g, v.self); err != nil {
		return nil, err
	}
	if channelID != "" {
		// A channel the actor cannot see answers exactly as a missing one,
		// or the answer would tell a private channel's existence.
		if v.ch == nil || !permission.VisibleTo(a, v.g, v.self, v.ch) {
			return nil, errcode.New(errcode.NotFound, "channel %s not found", channelID)
		}
	}
	return v, nil
}

// need refuses unless the actor holds every item, in the view's channel
// if it has one, at server level otherwise.
func (v *view) need(op string, items ...permission.Item) error {
	for _, it := range items {
		if !permission.HoldsIn(v.a, v.g, v.self, v.st.Custom, v.ch, v.st.Overrides[v.a.UserID], it) {
			return errcode.New(errcode.NoPermission, "%s needs the %s permission", op, it)
		}
	}
	return nil
}

// checkSettable applies the item rules of UpdateRole to a change of
// channel settings from current.
func (v *view) checkSettable(current, changes map[string]string) error {
	if err := permission.ParseChannelAuths(changes, v.st.Custom); err != nil {
		return err
	}
	return permission.CheckSettableIn(v.a, v.g, v.self, v.st.Custom, v.ch, v.st.Overrides[v.a.UserID], current, changes)
}

func (s *Service) now() int64 { return s.st.Now().UnixMilli() }
