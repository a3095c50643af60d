package channel

import (
	"context"
	"maps"
	"sort"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// ChannelRoleInput is the body of POST …/channels/{channelID}/roles.
type ChannelRoleInput struct {
	ParentRoleID string `json:"parentRoleID"`
}

// AuthsInput is the body that sets channel role or member override items:
// item -> "allow" | "deny" | "inherit" ("inherit" removes the setting);
// items not named keep their setting.
type AuthsInput struct {
	Auths map[string]string `json:"auths"`
}

// Channel role and override operations in events.
const (
	opAddRole    = "add"
	opUpdateRole = "update"
	opRemoveRole = "remove"
)

// needChannelRoleRights is what every channel role and override change
// needs: manageRole and manageChannel in the (visible) channel.
func (v *view) needChannelRoleRights(op string) error {
	return v.need(op, permission.ManageRole, permission.ManageChannel)
}

// mayEditRole refuses edits of a channel role whose parent the actor does
// not outrank (permission.CanEditChannelRole).
func (v *view) mayEditRole(parent *store.Role) error {
	return permission.CanEditChannelRole(v.a, v.g, v.self, parent)
}

// channelRole finds the channel's role for parentRoleID, whose server role
// must still exist.
func (v *view) channelRole(parentRoleID string) (*store.Role, *store.ChannelRole, error) {
	parent := v.g.Roles.Roles[parentRoleID]
	cr := v.ch.RoleAuths[parentRoleID]
	if parent == nil || cr == nil {
		return nil, nil, errcode.New(errcode.NotFound, "channel %s has no channel role for %s", v.ch.ChannelID, parentRoleID)
	}
	return parent, cr, nil
}

func roleEvent(a permission.Actor, channelID, parentRoleID, op string, auths map[string]string) event.Event {
	return event.New(event.ChannelRoleAuthUpdate, a.UserID, event.ChannelRolePayload{ChannelID: channelID, ParentRoleID: parentRoleID, Auths: auths, Op: op})
}

// AddChannelRole creates the channel's override of a server role
// (@everyone included), with every item inherited. It needs manageRole and
// manageChannel in the channel, which the actor must see. A role that
// already has one answers CONFLICT.
func (s *Service) AddChannelRole(ctx context.Context, a permission.Actor, groupID, channelID string, in ChannelRoleInput) (*store.ChannelRole, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), validate.ID("parentRoleID", in.ParentRoleID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.ChannelRole, error) {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("AddChannelRole"); err != nil {
			return nil, err
		}
		if err := s.unsync(ctx, v); err != nil {
			return nil, err
		}
		if v.g.Roles.Roles[in.ParentRoleID] == nil {
			return nil, errcode.New(errcode.NotFound, "role %s not found", in.ParentRoleID)
		}
		if v.ch.RoleAuths[in.ParentRoleID] != nil {
			return nil, errcode.New(errcode.InvalidArgument, "channel %s already has a channel role for %s; change it with PATCH", channelID, in.ParentRoleID)
		}
		now := s.now()
		cr := &store.ChannelRole{GroupID: groupID, ChannelID: channelID, ParentRoleID: in.ParentRoleID, Auths: map[string]string{}, CreateTime: now, UpdateTime: now}
		ev := roleEvent(a, channelID, in.ParentRoleID, opAddRole, cr.Auths)
		err = s.commitSettings(ctx, v, withRole(v.ch, in.ParentRoleID, cr), nil, ev, func() (*event.Event, error) {
			return s.st.PutChannelRole(ctx, v.g, v.ch, cr, true, ev)
		})
		if err != nil {
			return nil, err
		}
		return cr, nil
	})
}

// UpdateChannelRole changes items of a channel role, keyed by its parent
// roleID. Besides AddChannelRole's rights, the actor must outrank the
// parent role (only the owner edits @everyone's), and follows UpdateRole's
// item rules: only channel-capable and existing custom items, and nobody
// changes an item they do not hold in the channel.
func (s *Service) UpdateChannelRole(ctx context.Context, a permission.Actor, groupID, channelID, roleID string, in AuthsInput) (*store.ChannelRole, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), validate.ID("roleID", roleID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.ChannelRole, error) {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("UpdateChannelRole"); err != nil {
			return nil, err
		}
		if err := s.unsync(ctx, v); err != nil {
			return nil, err
		}
		next, after, err := v.updatedRole(roleID, in, s.now())
		if err != nil {
			return nil, err
		}
		ev := roleEvent(a, channelID, roleID, opUpdateRole, next.Auths)
		err = s.commitSettings(ctx, v, after, nil, ev, func() (*event.Event, error) {
			return s.st.PutChannelRole(ctx, v.g, v.ch, next, false, ev)
		})
		if err != nil {
			return nil, err
		}
		return next, nil
	})
}

// updatedRole is the view's channel (or category) role of roleID with in
// applied, and the layer after the change, under UpdateRole's rules: the
// actor outranks the parent role, holds every item changed, and does not
// lock themselves out.
func (v *view) updatedRole(roleID string, in AuthsInput, now int64) (*store.ChannelRole, *store.Channel, error) {
	parent, cr, err := v.channelRole(roleID)
	if err != nil {
		return nil, nil, err
	}
	if err := v.mayEditRole(parent); err != nil {
		return nil, nil, err
	}
	if err := v.checkSettable(cr.Auths, in.Auths); err != nil {
		return nil, nil, err
	}
	next := *cr
	next.Auths = permission.ApplyAuths(cr.Auths, in.Auths)
	next.UpdateTime = now
	after := withRole(v.ch, roleID, &next)
	if err := permission.CheckSelfLockoutIn(v.a, v.g, v.self, v.st.Custom, v.ch, after, v.st.Overrides[v.a.UserID]); err != nil {
		return nil, nil, err
	}
	return &next, after, nil
}

// RemoveChannelRole removes a channel role; the same rights as
// UpdateChannelRole apply.
func (s *Service) RemoveChannelRole(ctx context.Context, a permission.Actor, groupID, channelID, roleID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), validate.ID("roleID", roleID)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return err
		}
		if err := v.needChannelRoleRights("RemoveChannelRole"); err != nil {
			return err
		}
		if err := s.unsync(ctx, v); err != nil {
			return err
		}
		parent, _, err := v.channelRole(roleID)
		if err != nil {
			return err
		}
		if err := v.mayEditRole(parent); err != nil {
			return err
		}
		ev := roleEvent(a, channelID, roleID, opRemoveRole, map[string]string{})
		return s.commitSettings(ctx, v, withRole(v.ch, roleID, nil), nil, ev, func() (*event.Event, error) {
			return s.st.RemoveChannelRole(ctx, v.g, v.ch, roleID, ev)
		})
	})
}

// ListChannelRoles lists a channel's roles, @everyone's first, then by
// their parent's priority, to a member who sees the channel.
func (s *Service) ListChannelRoles(ctx context.Context, a permission.Actor, groupID, channelID string) (*store.Page[*store.ChannelRole], error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, channelID)
	if err != nil {
		return nil, err
	}
	// A synced channel's roles are its category's (a copy, not committed).
	if err := s.unsync(ctx, v); err != nil {
		return nil, err
	}
	return rolesInOrder(v), nil
}

// rolesInOrder are the view's channel's (or category's) roles, @everyone's
// first, then by their parent's priority.
func rolesInOrder(v *view) *store.Page[*store.ChannelRole] {
	out := &store.Page[*store.ChannelRole]{Items: []*store.ChannelRole{}}
	for parent, cr := range v.ch.RoleAuths {
		// A deleted role's channel role is on its way out.
		if v.g.Roles.Roles[parent] != nil {
			out.Items = append(out.Items, cr)
		}
	}
	prio := func(cr *store.ChannelRole) int { return v.g.Roles.Roles[cr.ParentRoleID].Priority }
	sort.Slice(out.Items, func(i, j int) bool {
		pi, pj := prio(out.Items[i]), prio(out.Items[j])
		if pi != pj {
			return pi < pj
		}
		return out.Items[i].ParentRoleID < out.Items[j].ParentRoleID
	})
	return out
}

// target is the member an override is about.
func (v *view) target(userID string) (*store.Member, error) {
	m := v.st.Members[userID]
	if m == nil {
		return nil, errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", userID, v.g.GroupID)
	}
	if !permission.Outranks(v.a, v.g, v.self, m) {
		return nil, errcode.New(errcode.NoPermission, "you must outrank user %s", userID)
	}
	return m, nil
}

// SetChannelMemberAuths changes items of a member's own settings in a
// channel, which decide over every role. The rights of
// UpdateChannelRole apply, and the actor must outrank the member. Items
// not named keep their setting; an override left by an earlier membership
// of the same user is replaced.
func (s *Service) SetChannelMemberAuths(ctx context.Context, a permission.Actor, groupID, channelID, userID string, in AuthsInput) (*store.MemberOverride, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), validate.ID("userID", userID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.MemberOverride, error) {
		v, err := s.load(ctx, a, groupID, channelID, userID)
		if err != nil {
			return nil, err
		}
		if err := v.needChannelRoleRights("SetChannelMemberAuths"); err != nil {
			return nil, err
		}
		if err := s.unsync(ctx, v); err != nil {
			return nil, err
		}
		m, err := v.target(userID)
		if err != nil {
			return nil, err
		}
		current := map[string]string{}
		if ov := v.st.Overrides[userID]; ov != nil && ov.JoinTime == m.JoinTime && ov.CategoryID == "" && ov.Gen == v.ch.Gen {
			current = ov.Auths
		}
		if err := v.checkSettable(current, in.Auths); err != nil {
			return nil, err
		}
		ov := &store.MemberOverride{Auths: permission.ApplyAuths(current, in.Auths), UpdateTime: s.now()}
		ev := event.New(event.MemberRoleAuthUpdate, a.UserID, event.MemberOverridePayload{ChannelID: channelID, UserID: userID, Auths: ov.Auths}, userID)
		set := func(ovs []*store.MemberOverride) []*store.MemberOverride {
			put := *ov
			put.UserID, put.JoinTime = userID, m.JoinTime
			return append(withoutOverride(ovs, userID), &put)
		}
		err = s.commitSettings(ctx, v, v.ch, set, ev, func() (*event.Event, error) {
			return s.st.PutMemberOverride(ctx, v.g, v.ch, m, ov, ev)
		})
		if err != nil {
			return nil, err
		}
		ov.GroupID, ov.ChannelID, ov.UserID, ov.JoinTime = groupID, channelID, userID, m.JoinTime
		return ov, nil
	})
}

// DeleteChannelMemberAuths removes a member's settings in a channel
// (NOT_FOUND if there are none); the rights of SetChannelMemberAuths apply.
func (s *Service) DeleteChannelMemberAuths(ctx context.Context, a permission.Actor, groupID, channelID, userID string) error {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), validate.ID("userID", userID)); err != nil {
		return err
	}
	return store.RetryErr(ctx, func() error {
		v, err := s.load(ctx, a, groupID, channelID, userID)
		if err != nil {
			return err
		}
		if err := v.needChannelRoleRights("DeleteChannelMemberAuths"); err != nil {
			return err
		}
		if err := s.unsync(ctx, v); err != nil {
			return err
		}
		if _, err := v.target(userID); err != nil {
			return err
		}
		if v.st.Overrides[userID] == nil {
			return errcode.New(errcode.NotFound, "user %s has no settings in channel %s", userID, channelID)
		}
		ev := event.New(event.MemberRoleAuthUpdate, a.UserID, event.MemberOverridePayload{ChannelID: channelID, UserID: userID, Auths: map[string]string{}}, userID)
		drop := func(ovs []*store.MemberOverride) []*store.MemberOverride { return withoutOverride(ovs, userID) }
		return s.commitSettings(ctx, v, v.ch, drop, ev, func() (*event.Event, error) {
			return s.st.DeleteMemberOverride(ctx, v.g, v.ch, userID, ev)
		})
	})
}

// withRole is ch with its role of parent set to cr (nil: removed).
func withRole(ch *store.Channel, parent string, cr *store.ChannelRole) *store.Channel {
	out := *ch
	out.RoleAuths = maps.Clone(ch.RoleAuths)
	if out.RoleAuths == nil {
		out.RoleAuths = map[string]*store.ChannelRole{}
	}
	if cr == nil {
		delete(out.RoleAuths, parent)
	} else {
		out.RoleAuths[parent] = cr
	}
	return &out
}

func withoutOverride(ovs []*store.MemberOverride, userID string) []*store.MemberOverride {
	out := make([]*store.MemberOverride, 0, len(ovs))
	for _, ov := range ovs {
		if ov.UserID != userID {
			out = append(out, ov)
		}
	}
	return out
}
