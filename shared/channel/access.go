package channel

import (
	"context"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Access list operations and kinds.
const (
	OpAdd    = "add"
	OpRemove = "remove"

	KindBlacklist = "blacklist"
	KindWhitelist = "whitelist"
)

// AccessListInput is the body of POST …/channels/{channelID}/access.
type AccessListInput struct {
	Op      string   `json:"op"`
	UserIDs []string `json:"userIDs"`
	RoleIDs []string `json:"roleIDs"`
}

// AccessList is a channel's access list: the blacklist of a public channel
// or the whitelist of a private one.
type AccessList struct {
	ChannelID string   `json:"channelID"`
	ViewMode  int      `json:"viewMode"`
	Kind      string   `json:"kind"`
	UserIDs   []string `json:"userIDs"`
	RoleIDs   []string `json:"roleIDs"`
}

func accessListOf(ch *store.Channel) *AccessList {
	kind := KindBlacklist
	if ch.ViewMode == store.ChannelPrivate {
		kind = KindWhitelist
	}
	users, roles := slices.Clone(ch.Users), slices.Clone(ch.Roles)
	if users == nil {
		users = []string{}
	}
	if roles == nil {
		roles = []string{}
	}
	slices.Sort(users)
	slices.Sort(roles)
	return &AccessList{ChannelID: ch.ChannelID, ViewMode: ch.ViewMode, Kind: kind, UserIDs: users, RoleIDs: roles}
}

func (in AccessListInput) validate() error {
	if in.Op != OpAdd && in.Op != OpRemove {
		return errcode.New(errcode.InvalidArgument, "op must be add or remove")
	}
	if len(in.UserIDs) == 0 && len(in.RoleIDs) == 0 {
		return errcode.New(errcode.InvalidArgument, "userIDs and roleIDs must not both be empty")
	}
	return validate.First(validate.IDs("userIDs", in.UserIDs, false), validate.IDs("roleIDs", in.RoleIDs, false))
}

// UpdateChannelAccessList adds users and roles to the channel's access list
// or removes them; it needs manageBlackWhiteList in the channel. Added
// roles must exist; the list holds at most store.MaxAccessUsers users and
// store.MaxAccessRoles roles (LIMIT_EXCEEDED, nothing changed). Removing
// an ID that is not listed is not an error. Users need not be members, so
// a user can be blocked before they join.
func (s *Service) UpdateChannelAccessList(ctx context.Context, a permission.Actor, groupID, channelID string, in AccessListInput) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), in.validate()); err != nil {
		return nil, err
	}
	var out *AccessList
	err := store.Retry(ctx, func() error {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return err
		}
		if err := v.need("UpdateChannelAccessList", permission.ManageBlackWhiteList); err != nil {
			return err
		}
		next := *v.ch
		if in.Op == OpAdd {
			for _, rid := range in.RoleIDs {
				if v.g.Roles.Roles[rid] == nil {
					return errcode.New(errcode.NotFound, "role %s not found", rid)
				}
			}
			next.Users = union(v.ch.Users, in.UserIDs)
			next.Roles = union(v.ch.Roles, in.RoleIDs)
			if len(next.Users) > store.MaxAccessUsers {
				return errcode.New(errcode.LimitExceeded, "the access list would hold %d users; the limit is %d", len(next.Users), store.MaxAccessUsers)
			}
			if len(next.Roles) > store.MaxAccessRoles {
				return errcode.New(errcode.LimitExceeded, "the access list would hold %d roles; the limit is %d", len(next.Roles), store.MaxAccessRoles)
			}
		} else {
			next.Users = without(v.ch.Users, in.UserIDs)
			next.Roles = without(v.ch.Roles, in.RoleIDs)
		}
		payload := map[string]any{"channelID": channelID, "op": in.Op, "userIDs": nonNil(in.UserIDs), "roleIDs": nonNil(in.RoleIDs)}
		if _, err := s.st.UpdateChannelAccess(ctx, v.g, v.ch, in.Op == OpAdd, in.UserIDs, in.RoleIDs, event.New(event.ChannelAccessListUpdate, a.UserID, payload, in.UserIDs...)); err != nil {
			return err
		}
		out = accessListOf(&next)
		return nil
	})
	return out, err
}

// GetChannelAccessList answers the channel's access list to a member who
// sees the channel.
func (s *Service) GetChannelAccessList(ctx context.Context, a permission.Actor, groupID, channelID string) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return nil, err
	}
	v, err := s.load(ctx, a, groupID, channelID)
	if err != nil {
		return nil, err
	}
	return accessListOf(v.ch), nil
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func without(a, b []string) []string {
	return slices.DeleteFunc(slices.Clone(a), func(x string) bool { return slices.Contains(b, x) })
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
