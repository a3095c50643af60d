package permission

import (
	"slices"
	"sort"
	"strconv"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

// Role rules (see the package doc). They decide through Effective (what an
// actor holds) and OutranksRole (rank), never by comparing levels themselves.

// Items lists every item of the app: the built-in ones, then the custom
// keys in numeric order.
func Items(custom *model.CustomAuths) []Item {
	out := slices.Clone(BuiltIn)
	if custom == nil {
		return out
	}
	keys := make([]int, 0, len(custom.Items))
	for k := range custom.Items {
		if n, err := strconv.Atoi(k); err == nil {
			keys = append(keys, n)
		}
	}
	sort.Ints(keys)
	for _, k := range keys {
		out = append(out, Item(strconv.Itoa(k)))
	}
	return out
}

// IsOwnerOrAppAdmin reports whether the actor is the group's owner or an app admin.
func IsOwnerOrAppAdmin(a Actor, self *model.Member) bool {
	return a.AppAdmin || (self != nil && self.RoleLevel == model.RoleOwner)
}

// ParseRoleAuths checks the auths of a server role request: item ->
// "allow" | "deny" | "inherit", where items are built-in ones or existing
// custom keys.
func ParseRoleAuths(in map[string]string, custom *model.CustomAuths) error {
	for _, k := range keysInOrder(in) {
		if !Known(Item(k), custom) {
			return errcode.New(errcode.InvalidArgument, "auths: %q is not a permission item", k)
		}
		if v := in[k]; v != model.AuthAllow && v != model.AuthDeny && v != InheritValue {
			return errcode.New(errcode.InvalidArgument, "auths: %s must be allow, deny or inherit", k)
		}
	}
	return nil
}

// CanManageRoles is the entry rule of every role change: a member (or app
// admin) of a live group who holds manageRole.
func CanManageRoles(a Actor, g *model.Group, self *model.Member) error {
	if g.Status == model.StatusDismissed {
		return errcode.New(errcode.GroupDismissed, "group %s is dismissed", g.GroupID)
	}
	if self == nil && !a.AppAdmin {
		return errcode.New(errcode.NotInGroup, "you are not a member of group %s", g.GroupID)
	}
	if !Holds(a, g, self, ManageRole) {
		return errcode.New(errcode.NoPermission, "managing roles needs the manageRole permission")
	}
	return nil
}

// CanEditRole is the rule of UpdateRole, DeleteRole and role membership on
// role: the actor must outrank it; @everyone, which no custom rank
// outranks, is the owner's alone.
func CanEditRole(a Actor, g *model.Group, self *model.Member, role *model.Role) error {
	if role.Type == model.RoleTypeEveryone {
		if !IsOwnerOrAppAdmin(a, self) {
			return errcode.New(errcode.NoPermission, "only the owner may change @everyone")
		}
		return nil
	}
	if !OutranksRole(a, g, self, role) {
		return errcode.New(errcode.NoPermission, "you must outrank role %s", role.RoleID)
	}
	return nil
}

// CanEditChannelRole is the rule of editing or removing a channel's role
// of parent: the same as editing parent itself (CanEditRole), so
// @everyone's channel role is the owner's (or an app admin's) alone.
func CanEditChannelRole(a Actor, g *model.Group, self *model.Member, parent *model.Role) error {
	if parent.Type == model.RoleTypeEveryone && !IsOwnerOrAppAdmin(a, self) {
		return errcode.New(errcode.NoPermission, "only the owner edits @everyone's channel role")
	}
	return CanEditRole(a, g, self, parent)
}

// CanGrantRole is the rule of adding anyone, the actor included, to a role:
// CanEditRole, and the actor holds every item the role allows: at server
// level, and in each channel where the role has a channel role (channels,
// with the actor's override there), every item that channel role allows.
// Giving a role hands out its items, so this is the held-items rule applied
// to membership: nobody gets, through a role, an item its granter lacks (a
// member would otherwise join a lower role that allows more than they hold,
// in the server or in one channel).
func CanGrantRole(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, role *model.Role, channels []model.ChannelGrant) error {
	if err := CanEditRole(a, g, self, role); err != nil {
		return err
	}
	for _, k := range keysInOrder(role.Auths) {
		if role.Auths[k] == model.AuthAllow && !holdsSetting(a, g, self, custom, nil, nil, Item(k)) {
			return errcode.New(errcode.NoPermission, "role %s allows %s, which you do not hold", role.RoleID, k)
		}
	}
	for _, c := range channels {
		cr := c.Channel.RoleAuths[role.RoleID]
		if cr == nil {
			continue
		}
		for _, k := range keysInOrder(cr.Auths) {
			if cr.Auths[k] == model.AuthAllow && !holdsSetting(a, g, self, custom, c.Channel, c.Override, Item(k)) {
				return errcode.New(errcode.NoPermission, "role %s allows %s in channel %s, which you do not hold there", role.RoleID, k, c.Channel.ChannelID)
			}
		}
	}
	return nil
}

// HoldsEverything reports whether the actor holds every item in every
// channel (app admins, the owner and admins: Effective), so that no channel
// needs reading to decide CanGrantRole.
func HoldsEverything(a Actor, self *model.Member) bool {
	return a.AppAdmin || (self != nil && self.RoleLevel >= model.RoleAdmin)
}

// DefaultAuths are the auths of a role created without any: allow every
// item the actor holds (custom items included), inherit the rest.
func DefaultAuths(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths) map[string]string {
	out := map[string]string{}
	for _, it := range Items(custom) {
		if holdsSetting(a, g, self, custom, nil, nil, it) {
			out[string(it)] = model.AuthAllow
		}
	}
	return out
}

// CheckItemsHeld is the held-items rule: every item whose setting the
// request changes (to allow, deny or inherit) must be held by the actor.
// changes map items to "allow", "deny" or "inherit"; old is the role's
// current auths (nil for a new role).
func CheckItemsHeld(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, old, changes map[string]string) error {
	for _, k := range keysInOrder(changes) {
		v := changes[k]
		if v == InheritValue {
			v = ""
		}
		if old[k] == v {
			continue
		}
		if !holdsSetting(a, g, self, custom, nil, nil, Item(k)) {
			return errcode.New(errcode.NoPermission, "you may not set %s: you do not hold it", k)
		}
	}
	return nil
}

// CheckSelfLockout is the self-lockout guard: a member below the admins who
// holds an item now may not take it from themselves by changing roles, for
// instance by denying it on all of their roles at once. next is the
// configuration the change would commit. Owner, admins and app admins hold
// every item regardless, so the guard does not concern them.
func CheckSelfLockout(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, next *model.Roles) error {
	if HoldsEverything(a, self) || self == nil {
		return nil
	}
	after := *g
	after.Roles = next
	for _, it := range Items(custom) {
		if holdsSetting(a, g, self, custom, nil, nil, it) && !holdsSetting(a, &after, self, custom, nil, nil, it) {
			return errcode.New(errcode.NoPermission, "the change would take %s from you; you may not lock yourself out", it)
		}
	}
	return nil
}

// MaxPriority bounds custom role priorities (1 … MaxPriority): far more than
// any group's roles need, and small enough that "one below the lowest role"
// never overflows.
const MaxPriority = 1_000_000

// CheckPriorityRange refuses a custom role priority outside 1 … MaxPriority.
func CheckPriorityRange(field string, priority int) error {
	if priority < 1 || priority > MaxPriority {
		return errcode.New(errcode.InvalidArgument, "%s must be from 1 to %d", field, MaxPriority)
	}
	return nil
}

// CheckRolePriority is the priority rule of CreateRole and UpdateRole: a
// custom role's priority is within 1 … MaxPriority, ranks strictly below
// the actor (OutranksRole on the role as it would be) and is not used by
// another custom role (roleID: the role being changed, "" on create).
func CheckRolePriority(a Actor, g *model.Group, self *model.Member, roleID string, priority int) error {
	if err := CheckPriorityRange("priority", priority); err != nil {
		return err
	}
	if !OutranksRole(a, g, self, &model.Role{RoleID: roleID, Type: model.RoleTypeCustom, Priority: priority}) {
		return errcode.New(errcode.NoPermission, "priority %d is not below your highest role", priority)
	}
	for id, r := range g.Roles.Roles {
		if id != roleID && r.Type == model.RoleTypeCustom && r.Priority == priority {
			return errcode.New(errcode.InvalidArgument, "priority %d is already used by role %s", priority, id)
		}
	}
	return nil
}

// NextPriority is the priority of a role created without one: one below
// the lowest existing role. When the lowest role already has MaxPriority,
// the client must choose a free priority.
func NextPriority(roles *model.Roles) (int, error) {
	p := 0
	for _, r := range roles.Roles {
		if r.Type == model.RoleTypeCustom {
			p = max(p, r.Priority)
		}
	}
	if p >= MaxPriority {
		return 0, errcode.New(errcode.InvalidArgument, "the lowest role has priority %d, the largest allowed; give the new role a priority", MaxPriority)
	}
	return p + 1, nil
}

// CheckPriorities is the rule of UpdateRolePriorities: every named role is
// a custom role the actor outranks; the new values are distinct (from each
// other and from the roles not named) and stay within [min, max] of the
// named roles' old values, so nobody moves a role above their own rank.
func CheckPriorities(a Actor, g *model.Group, self *model.Member, priorities map[string]int) error {
	if len(priorities) == 0 {
		return errcode.New(errcode.InvalidArgument, "priorities must not be empty")
	}
	oldMin, oldMax := int(^uint(0)>>1), 0
	for _, id := range keysInOrder(priorities) {
		r := g.Roles.Roles[id]
		if r == nil {
			return errcode.New(errcode.NotFound, "role %s not found", id)
		}
		if r.Type == model.RoleTypeEveryone {
			return errcode.New(errcode.NoPermission, "@everyone's priority never changes")
		}
		if !OutranksRole(a, g, self, r) {
			return errcode.New(errcode.NoPermission, "you must outrank role %s", id)
		}
		oldMin, oldMax = min(oldMin, r.Priority), max(oldMax, r.Priority)
	}
	for _, id := range keysInOrder(priorities) {
		if err := CheckPriorityRange("priority of role "+id, priorities[id]); err != nil {
			return err
		}
	}
	used := map[int]string{}
	for id, r := range g.Roles.Roles {
		if _, named := priorities[id]; !named && r.Type == model.RoleTypeCustom {
			used[r.Priority] = id
		}
	}
	for _, id := range keysInOrder(priorities) {
		p := priorities[id]
		if p < oldMin || p > oldMax {
			return errcode.New(errcode.InvalidArgument, "priority %d of role %s is outside [%d, %d], the range of the roles named", p, id, oldMin, oldMax)
		}
		if other, dup := used[p]; dup {
			return errcode.New(errcode.InvalidArgument, "priority %d is given to both %s and %s", p, other, id)
		}
		used[p] = id
	}
	return nil
}

// CheckEveryoneFields refuses a change of @everyone's name, icon, ext or
// priority, which never change; a value equal to the current one is no
// change.
func CheckEveryoneFields(role *model.Role, name, icon, ext *string, priority *int) error {
	if role.Type != model.RoleTypeEveryone {
		return nil
	}
	if (name != nil && *name != role.Name) || (icon != nil && *icon != role.Icon) ||
		(ext != nil && *ext != role.Ext) || (priority != nil && *priority != role.Priority) {
		return errcode.New(errcode.NoPermission, "@everyone's name, icon, ext and priority never change")
	}
	return nil
}

func keysInOrder[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// holdsSetting is what the item rules of role and channel settings count as
// held: the item as roles grant it, mutes aside. A mute stops a member
// sending, not managing the settings they hold.
func holdsSetting(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, ch *model.Channel, ov *model.MemberOverride, it Item) bool {
	if g.Status == model.StatusMuted {
		unmuted := *g
		unmuted.Status = model.StatusOK
		g = &unmuted
	}
	if self != nil && self.MuteEndTime != 0 {
		unmuted := *self
		unmuted.MuteEndTime = 0
		self = &unmuted
	}
	return HoldsIn(a, g, self, custom, ch, ov, it)
}
