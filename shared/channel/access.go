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
	// ChannelID names the channel, or CategoryID the category, of the list.
	ChannelID  string   `json:"channelID,omitempty"`
	CategoryID string   `json:"categoryID,omitempty"`
	ViewMode   int      `json:"viewMode"`
	Kind       string   `json:"kind"`
	UserIDs    []string `json:"userIDs"`
	RoleIDs    []string `json:"roleIDs"`
	// Failed lists the IDs a change refused; only a change answers it.
	Failed []FailedID `json:"failed,omitempty"`
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
// or removes them; it needs manageBlackWhiteList in the channel. Only
// members and existing roles may be added; removal also takes an ID that is
// listed (a member who left, a role being cleaned up). Any other ID lands
// in Failed, as a kick's or an invitation's targets do, and when no named
// ID is acceptable the request fails with the first one's error. The list
// holds at most store.MaxAccessUsers users and store.MaxAccessRoles roles
// (LIMIT_EXCEEDED, nothing changed). A request that changes nothing (adding
// what is listed, removing what is not) commits nothing. The event names
// only the IDs that changed and is delivered to the members whose
// visibility of the channel changed; the holders of a role added or removed
// read it from the change log, as they do every role change.
func (s *Service) UpdateChannelAccessList(ctx context.Context, a permission.Actor, groupID, channelID string, in AccessListInput) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID), in.validate()); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*AccessList, error) {
		v, err := s.load(ctx, a, groupID, channelID)
		if err != nil {
			return nil, err
		}
		if err := v.need("UpdateChannelAccessList", permission.ManageBlackWhiteList); err != nil {
			return nil, err
		}
		if err := s.unsync(ctx, v); err != nil {
			return nil, err
		}
		ch, err := s.changeAccess(ctx, v, in)
		if err != nil || !ch.changes() {
			return ch.answer(), err
		}
		members, d, next, out := ch.members, ch.diff, *ch.after, ch.out
		payload := event.AccessListPayload{ChannelID: channelID, Op: in.Op, Kind: out.Kind, UserIDs: nonNil(d.users), RoleIDs: nonNil(d.roles)}
		changed := sightChanged(v.g, v.ch, &next, members, d.users)
		ev := event.New(event.ChannelAccessListUpdate, a.UserID, payload, changed...)
		ev.Visibility = visibility(event.Visibility{ChannelID: channelID, Users: changed, Roles: d.roles})
		err = s.commitSettings(ctx, v, &next, nil, ev, func() (*event.Event, error) {
			return s.st.UpdateChannelAccess(ctx, v.g, v.ch, in.Op == OpAdd, d.users, d.roles, ev)
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
}

// accessChange is what an access-list request makes of the view's list.
type accessChange struct {
	members map[string]*store.Member // the members named
	diff    accessDiff
	after   *store.Channel // the view's channel (or category) with the list changed
	out     *AccessList    // the answer
}

func (c *accessChange) changes() bool { return len(c.diff.users) > 0 || len(c.diff.roles) > 0 }

func (c *accessChange) answer() *AccessList {
	if c == nil {
		return nil
	}
	return c.out
}

// changeAccess sorts an access-list request on the view's list into
// changes and failures: when every ID named is refused it fails with the
// first one's error, and the list after it stays within the limits.
func (s *Service) changeAccess(ctx context.Context, v *view, in AccessListInput) (*accessChange, error) {
	members, err := s.st.GetMembers(ctx, v.g.GroupID, in.UserIDs)
	if err != nil {
		return nil, err
	}
	d := diffAccess(v.g, v.ch, members, in)
	if len(d.failed) == len(in.UserIDs)+len(in.RoleIDs) {
		// Every ID named was refused.
		return nil, d.firstErr
	}
	after, err := applyAccess(v.ch, in.Op, d)
	if err != nil {
		return nil, err
	}
	out := accessListOf(after)
	out.Failed = d.failed
	return &accessChange{members: members, diff: d, after: after, out: out}, nil
}

// applyAccess is ch with the change d applied to its list, within the
// limits.
func applyAccess(ch *store.Channel, op string, d accessDiff) (*store.Channel, error) {
	next := *ch
	if op != OpAdd {
		next.Users = without(ch.Users, d.users)
		next.Roles = without(ch.Roles, d.roles)
		return &next, nil
	}
	next.Users = union(ch.Users, d.users)
	next.Roles = union(ch.Roles, d.roles)
	if len(next.Users) > store.MaxAccessUsers {
		return nil, errcode.New(errcode.LimitExceeded, "the access list would hold %d users; the limit is %d", len(next.Users), store.MaxAccessUsers)
	}
	if len(next.Roles) > store.MaxAccessRoles {
		return nil, errcode.New(errcode.LimitExceeded, "the access list would hold %d roles; the limit is %d", len(next.Roles), store.MaxAccessRoles)
	}
	return &next, nil
}

// accessDiff is what an access-list request changes: the IDs whose
// presence in the list moves, and the IDs refused.
type accessDiff struct {
	users, roles []string
	failed       []FailedID
	firstErr     error
}

// diffAccess sorts the request's IDs into changes, no-ops and failures.
func diffAccess(g *store.Group, ch *store.Channel, members map[string]*store.Member, in AccessListInput) accessDiff {
	var d accessDiff
	add := in.Op == OpAdd
	fail := func(f FailedID, err error) {
		e := errcode.Of(err)
		f.Code, f.Message = e.Code, e.Message
		d.failed = append(d.failed, f)
		if d.firstErr == nil {
			d.firstErr = err
		}
	}
	for _, uid := range in.UserIDs {
		listed := slices.Contains(ch.Users, uid)
		switch {
		case members[uid] == nil && !(listed && !add):
			fail(FailedID{UserID: uid}, errcode.New(errcode.NotInGroup, "user %s is not a member of group %s", uid, g.GroupID))
		case listed != add:
			d.users = append(d.users, uid)
		}
	}
	for _, rid := range in.RoleIDs {
		listed := slices.Contains(ch.Roles, rid)
		switch {
		case g.Roles.Roles[rid] == nil && !(listed && !add):
			fail(FailedID{RoleID: rid}, errcode.New(errcode.NotFound, "role %s not found", rid))
		case listed != add:
			d.roles = append(d.roles, rid)
		}
	}
	return d
}

// sightChanged lists the members among users who see the channel after the
// change and did not before, or the reverse: only they are notified (an
// owner, an admin, or a member who sees it through a role sees no change).
func sightChanged(g *store.Group, before, after *store.Channel, members map[string]*store.Member, users []string) []string {
	var out []string
	for _, uid := range users {
		m := members[uid]
		if m == nil {
			continue
		}
		who := permission.Actor{UserID: uid}
		if permission.VisibleTo(who, g, m, before) != permission.VisibleTo(who, g, m, after) {
			out = append(out, uid)
		}
	}
	return out
}

// visibility is the audience of a list change's ChannelVisibilityChanged
// notification: the users whose sight changed and the members of the roles
// added or removed, a superset of those whose sight changed (an admin, or
// a member listed otherwise too, sees no change). A change naming
// @everyone may change every member's sight: none, the change log says it.
func visibility(v event.Visibility) *event.Visibility {
	if slices.Contains(v.Roles, store.EveryoneRoleID) || len(v.Users) == 0 && len(v.Roles) == 0 {
		return nil
	}
	return &v
}

// FailedID is an ID of an access-list request that was refused, with the
// reason, like the failed users of a kick or an invitation.
type FailedID struct {
	UserID  string       `json:"userID,omitempty"`
	RoleID  string       `json:"roleID,omitempty"`
	Code    errcode.Code `json:"code"`
	Message string       `json:"message,omitempty"`
}

// GetChannelAccessList answers the channel's access list to a member who
// sees the channel.
func (s *Service) GetChannelAccessList(ctx context.Context, a permission.Actor, groupID, channelID string) (*AccessList, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("channelID", channelID)); err != nil {
		return nil, err
	}
	v, err := s.see(ctx, a, groupID, channelID)
	if err != nil {
		return nil, err
	}
	// A synced channel's list is its category's (a copy, not committed).
	if err := s.unsync(ctx, v); err != nil {
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
