package channel

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
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
	// unsynced is set when ch followed its category and an edit of its
	// settings is leaving that: ch is then the copy of the category's
	// settings the edit applies to, and copied the category's member
	// overrides it keeps (unsync).
	unsynced bool
	copied   []*store.MemberOverride
}

// load reads the group, the actor (and the other users) and, when
// channelID is given, the channel and their overrides in it, in one round
// trip, and refuses what nobody may do on that state: a dismissed group, a
// non-member actor, a missing channel or one the actor cannot see (the
// same NOT_FOUND for both).
func (s *Service) load(ctx context.Context, a permission.Actor, groupID, channelID string, others ...string) (*view, error) {
	st, err := s.st.LoadChannelState(ctx, groupID, channelID, append([]string{a.UserID}, others...)...)
	return admitted(a, channelID, st, err)
}

// see is load for a read nothing is written from: the same items in one
// BatchGetItem (store.ViewChannelState), eventually consistent unless the
// context asks otherwise.
func (s *Service) see(ctx context.Context, a permission.Actor, groupID, channelID string) (*view, error) {
	st, err := s.st.ViewChannelState(ctx, groupID, channelID, a.UserID)
	return admitted(a, channelID, st, err)
}

// admitted is the view of st, refused as admit says.
func admitted(a permission.Actor, channelID string, st *store.ChannelState, err error) (*view, error) {
	if err != nil {
		return nil, err
	}
	v := &view{a: a, st: st, g: st.Group, self: st.Members[a.UserID], ch: st.Channel}
	if err := v.admit("channel", channelID); err != nil {
		return nil, err
	}
	return v, nil
}

// admit refuses what nobody may do on the view: a dismissed group, a
// non-member actor, a missing channel (or category: what) or one the actor
// cannot see (the same NOT_FOUND for both).
func (v *view) admit(what, id string) error {
	if v.g.Status == store.StatusDismissed {
		return errcode.New(errcode.GroupDismissed, "group %s is dismissed", v.g.GroupID)
	}
	if err := permission.RequireMember(v.a, v.g, v.self); err != nil {
		return err
	}
	// A channel the actor cannot see answers exactly as a missing one, or
	// the answer would tell a private channel's existence.
	if id != "" && (v.ch == nil || !permission.VisibleTo(v.a, v.g, v.self, v.ch)) {
		return errcode.New(errcode.NotFound, "%s %s not found", what, id)
	}
	return nil
}

// unsync prepares an edit of the channel's permission settings: a channel
// that follows its category becomes, in the view, the copy of the
// category's settings (viewMode, full list, roles, member overrides) with
// syncMode 0 and a new generation, as Discord does, so the edit applies to
// that copy and commits with it in one transaction (commitSettings).
// Decisions are unchanged: a synced channel decides exactly as its
// category would.
func (s *Service) unsync(ctx context.Context, v *view) error {
	if v.ch == nil || !v.ch.IsSynced() {
		return nil
	}
	cp, err := s.st.LoadCategoryCopy(ctx, v.g.GroupID, v.ch.CategoryID)
	if err != nil {
		return err
	}
	next := *v.ch
	next.ViewMode, next.Users, next.Roles = cp.Category.ViewMode, cp.Category.Users, cp.Category.Roles
	next.RoleAuths = map[string]*store.ChannelRole{}
	for p, cr := range cp.Category.RoleAuths {
		c := *cr
		c.GroupID, c.ChannelID, c.CategoryID, c.ParentRoleID = next.GroupID, next.ChannelID, "", p
		next.RoleAuths[p] = &c
	}
	next.SyncMode, next.Gen, next.Category = model.Unsynced, v.ch.Gen+1, nil
	if !v.st.Cats.Live(next.CategoryID) {
		next.CategoryID = ""
	}
	v.ch, v.unsynced, v.copied = &next, true, nil
	v.st.Overrides = map[string]*store.MemberOverride{}
	for _, ov := range cp.Overrides {
		c := *ov
		c.ChannelID, c.CategoryID, c.Gen = next.ChannelID, "", next.Gen
		v.copied = append(v.copied, &c)
		v.st.Overrides[c.UserID] = &c
	}
	return nil
}

// commitSettings commits next, the channel after an edit of its
// permission settings: by delta when the channel keeps its own settings,
// or, when the edit unsynced it, whole with the copied overrides (edited
// by overrides, if given) in one transaction with the edit's event.
func (s *Service) commitSettings(ctx context.Context, v *view, next *store.Channel, overrides func([]*store.MemberOverride) []*store.MemberOverride, ev event.Event, delta func() (*event.Event, error)) error {
	if !v.unsynced {
		_, err := delta()
		return err
	}
	ovs := v.copied
	if overrides != nil {
		ovs = overrides(ovs)
	}
	next.UpdateTime = s.now()
	_, err := s.st.RewriteChannel(ctx, v.g, next, "", ovs, nil, ev)
	return err
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
