package permission

import "strconv"

// Value is an item's setting on a role or override.
type Value int8

const (
	Inherit Value = 0
	Allow   Value = 1
	Deny    Value = -1
)

// Auths are the items a role, channel role or override sets; an item that
// is absent inherits.
type Auths map[Item]Value

// EveryoneRoleID is the roleID of @everyone.
const EveryoneRoleID = "everyone"

// Subject is the member whose permission is asked.
type Subject struct {
	UserID      string
	RoleLevel   int
	RoleIDs     []string // custom roles held; @everyone is implicit
	MuteEndTime int64
}

// Channel is what the decision needs to know about a channel.
type Channel struct {
	Private bool
	// Users and Roles are the channel's blacklist (public) or whitelist
	// (private).
	Users map[string]bool
	Roles map[string]bool
	// RoleAuths are the channel roles, keyed by their parent server roleID
	// (@everyone included).
	RoleAuths map[string]Auths
	// Synced is set on a channel that follows its category: its own layer
	// and overrides are then ignored, and Facts.Category and
	// Facts.CategoryOverride decide in their place.
	Synced bool
}

// Facts are the loaded records a decision is made on.
type Facts struct {
	GroupStatus int // 0 ok, 2 dismissed, 3 muted
	// Member is nil when the user is not a member.
	Member *Subject
	// Roles are the group's server roles' auths by roleID, @everyone included.
	Roles map[string]Auths
	// CustomDefaults are the defaultRight of custom items (key ≥ 10000),
	// which apply on @everyone where it has never set the item.
	CustomDefaults map[Item]Value
	// Channel is set when the question is about a channel.
	Channel *Channel
	// Override is the member's own override in Channel, if any.
	Override Auths
	// Category is the layer of Channel's category, and CategoryOverride the
	// member's override in that category; they apply only while
	// Channel.Synced. A synced channel whose category is missing is a
	// private channel nobody is listed on: it fails closed.
	Category         *Channel
	CategoryOverride Auths
	Now              int64 // milliseconds
}

// layer is the channel layer that decides, with the member's override in
// it: the category's while the channel is synced, else the channel's own.
func (f Facts) layer() (*Channel, Auths) {
	if f.Channel == nil || !f.Channel.Synced {
		return f.Channel, f.Override
	}
	if f.Category == nil {
		return &Channel{Private: true}, nil
	}
	return f.Category, f.CategoryOverride
}

// IsCustom reports whether the item is a custom item key (≥ 10000).
func IsCustom(it Item) bool {
	n, err := strconv.Atoi(string(it))
	return err == nil && n >= 10000
}

// Visible reports whether the member can see the channel (see the package
// doc).
func Visible(f Facts) bool {
	m := f.Member
	if m == nil {
		return false
	}
	c, _ := f.layer()
	if m.RoleLevel >= 60 || c == nil {
		return true
	}
	listed := c.Users[m.UserID] || c.Roles[EveryoneRoleID]
	for _, r := range m.RoleIDs {
		listed = listed || c.Roles[r]
	}
	if c.Private {
		return listed
	}
	return !listed
}

// Effective is the effective permission of the package doc: whether the
// member holds the item, in the channel if one is given. It is pure: the
// caller loads the facts.
//
// A custom role's deny beats @everyone's allow: QChat ranks custom roles
// above @everyone, so @everyone is not one more role in the union.
func Effective(f Facts, it Item) bool {
	m := f.Member
	if m == nil || f.GroupStatus == 2 {
		return false
	}
	privileged := m.RoleLevel >= 60 // owner or admin
	if it == SendMsg && m.MuteEndTime > f.Now {
		return false
	}
	if it == SendMsg && f.GroupStatus == 3 && !privileged {
		return false
	}
	if privileged {
		return true
	}
	c, override := f.layer()
	if c != nil && !Visible(f) {
		return false
	}
	if v := override[it]; c != nil && v != Inherit {
		return v == Allow
	}
	// Custom roles rank above @everyone (QChat): any custom role's allow
	// wins, else any custom role's deny, else @everyone decides. A custom
	// role that inherits says nothing of its own.
	denied := false
	for _, r := range m.RoleIDs {
		switch f.value(c, r, it) {
		case Allow:
			return true
		case Deny:
			denied = true
		}
	}
	if denied {
		return false
	}
	return f.value(c, EveryoneRoleID, it) == Allow
}

// value is a role's own setting of the item: its role in layer c (a
// channel's or a category's), else its server role's.
func (f Facts) value(c *Channel, roleID string, it Item) Value {
	if c != nil {
		if v := c.RoleAuths[roleID][it]; v != Inherit {
			return v
		}
	}
	if roleID == EveryoneRoleID {
		return f.everyoneServer(it)
	}
	return f.Roles[roleID][it]
}

// everyoneServer is @everyone's server value; custom items it never set take
// their defaultRight, built-in items it never set are denied.
func (f Facts) everyoneServer(it Item) Value {
	if v := f.Roles[EveryoneRoleID][it]; v != Inherit {
		return v
	}
	if IsCustom(it) {
		if v := f.CustomDefaults[it]; v != Inherit {
			return v
		}
	}
	return Deny
}
