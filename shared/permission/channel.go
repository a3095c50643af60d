package permission

import (
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/model"
)

// ChannelItems are the built-in items a channel role or a member override
// may set; custom items may be set in a channel too.
var ChannelItems = []Item{SendMsg, RecallMsg, DeleteMsg, RemindOther, RemindEveryone, ManageChannel, ManageRole, ManageBlackWhiteList}

// HoldsIn reports whether the actor holds it in channel ch (nil: at server
// level), where ov is the actor's own override in ch: app admins hold every
// item; members hold what Effective says, so the owner and
// admins hold everything and nobody holds anything in a channel they cannot
// see.
func HoldsIn(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, ch *model.Channel, ov *model.MemberOverride, it Item) bool {
	return HoldsEach(a, g, self, custom, ch, ov, []Item{it})[it]
}

// HoldsEach is HoldsIn for several items, deciding each on facts built
// once: CheckPermissions asks it on every message.
func HoldsEach(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, ch *model.Channel, ov *model.MemberOverride, items []Item) map[Item]bool {
	out := make(map[Item]bool, len(items))
	if g.Status == model.StatusDismissed {
		for _, it := range items {
			out[it] = false
		}
		return out
	}
	var f Facts
	if !a.AppAdmin {
		f = FactsOf(g, self, custom, ch, ov, nowMillis())
	}
	for _, it := range items {
		out[it] = a.AppAdmin || Effective(f, it)
	}
	return out
}

// VisibleTo reports whether the actor sees channel ch: app admins see every
// channel, members what Visible says.
func VisibleTo(a Actor, g *model.Group, self *model.Member, ch *model.Channel) bool {
	if a.AppAdmin {
		return true
	}
	return Visible(FactsOf(g, self, nil, ch, nil, nowMillis()))
}

// Known reports whether it is an item: a built-in one, or a custom key that
// exists.
func Known(it Item, custom *model.CustomAuths) bool {
	if slices.Contains(BuiltIn, it) {
		return true
	}
	return IsCustom(it) && custom != nil && custom.Items[string(it)] != nil
}

// InheritValue is the request value that removes an item's setting.
const InheritValue = "inherit"

// ParseChannelAuths checks the auths of a channel role or member override
// request: item -> "allow" | "deny" | "inherit", where only channel-capable
// built-in items and existing custom items may be named.
func ParseChannelAuths(in map[string]string, custom *model.CustomAuths) error {
	if len(in) == 0 {
		return errcode.New(errcode.InvalidArgument, "auths must name at least one item")
	}
	for k, v := range in {
		it := Item(k)
		switch {
		case IsCustom(it):
			if !Known(it, custom) {
				return errcode.New(errcode.InvalidArgument, "auths: custom item %q does not exist", k)
			}
		case !slices.Contains(ChannelItems, it):
			return errcode.New(errcode.InvalidArgument, "auths: %q is not an item that can be set in a channel", k)
		}
		if v != model.AuthAllow && v != model.AuthDeny && v != InheritValue {
			return errcode.New(errcode.InvalidArgument, "auths: %s must be allow, deny or inherit", k)
		}
	}
	return nil
}

// ApplyAuths returns current with the changes applied ("inherit" removes
// the setting).
func ApplyAuths(current, changes map[string]string) map[string]string {
	out := make(map[string]string, len(current)+len(changes))
	for k, v := range current {
		out[k] = v
	}
	for k, v := range changes {
		if v == InheritValue {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// CheckSettableIn refuses a change of channel settings that touches an item
// the actor does not hold in the channel: nobody grants, denies or resets
// an item they do not hold themselves. Items named with their current
// value are no change and pass.
func CheckSettableIn(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, ch *model.Channel, ov *model.MemberOverride, current, changes map[string]string) error {
	for k, v := range changes {
		was, set := current[k]
		if (v == InheritValue && !set) || (set && v == was) {
			continue
		}
		if !holdsSetting(a, g, self, custom, ch, ov, Item(k)) {
			return errcode.New(errcode.NoPermission, "you may not set %s: you do not hold it in channel %s", k, ch.ChannelID)
		}
	}
	return nil
}

// CheckSelfLockoutIn is UpdateRole's self-lockout guard for a channel: a
// member below the admins who holds an item in the channel now may not take
// it from themselves by changing the channel's roles. next is the channel
// as the change would leave it.
func CheckSelfLockoutIn(a Actor, g *model.Group, self *model.Member, custom *model.CustomAuths, ch, next *model.Channel, ov *model.MemberOverride) error {
	if HoldsEverything(a, self) || self == nil {
		return nil
	}
	items := append(slices.Clone(ChannelItems), customItems(custom)...)
	for _, it := range items {
		if holdsSetting(a, g, self, custom, ch, ov, it) && !holdsSetting(a, g, self, custom, next, ov, it) {
			return errcode.New(errcode.NoPermission, "the change would take %s from you in channel %s; you may not lock yourself out", it, ch.ChannelID)
		}
	}
	return nil
}

func customItems(custom *model.CustomAuths) []Item {
	var out []Item
	if custom != nil {
		for _, k := range keysInOrder(custom.Items) {
			out = append(out, Item(k))
		}
	}
	return out
}
