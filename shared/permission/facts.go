package permission

import (
	"math"
	"slices"
	"time"

	"github.com/circles-im/circles/shared/model"
)

// FactsOf builds the facts of a decision about member m (nil: not a member)
// from the records read: the group with its role configuration, and
// optionally the custom items, a channel (with its category's layer
// attached when it is synced) and m's override that applies in it: in the
// channel, or in its category when synced. Roles that
// are deleted but not yet cleaned up grant nothing and list nobody.
func FactsOf(g *model.Group, m *model.Member, custom *model.CustomAuths, ch *model.Channel, ov *model.MemberOverride, now int64) Facts {
	roles := rolesOf(g)
	f := Facts{GroupStatus: g.Status, Roles: make(map[string]Auths, len(roles.Roles)), Now: now}
	for id, r := range roles.Roles {
		f.Roles[id] = AuthsOf(r.Auths)
	}
	if m != nil {
		f.Member = &Subject{UserID: m.UserID, RoleLevel: m.RoleLevel, RoleIDs: liveRoles(roles, m), MuteEndTime: m.MuteEndTime}
	}
	if custom != nil {
		f.CustomDefaults = make(map[Item]Value, len(custom.Items))
		for k, c := range custom.Items {
			f.CustomDefaults[Item(k)] = valueOf(c.DefaultRight)
		}
	}
	if ch != nil {
		f.Channel = layerFacts(ch.OwnLayer(), roles, m)
		f.Channel.Synced = ch.IsSynced()
		if ch.Category != nil {
			f.Category = layerFacts(ch.Category, roles, m)
		}
		// An override left by an earlier membership of the same user does
		// not apply, nor a channel override from before the channel dropped
		// its own settings. The one override given is routed to what it is
		// for.
		if ov != nil && m != nil && ov.JoinTime == m.JoinTime {
			switch {
			case ov.CategoryID != "" && ov.CategoryID == ch.CategoryID:
				f.CategoryOverride = AuthsOf(ov.Auths)
			case ov.CategoryID == "" && ov.Gen == ch.Gen:
				f.Override = AuthsOf(ov.Auths)
			}
		}
	}
	return f
}

// layerFacts is what a decision about m needs of a channel's or a
// category's layer.
func layerFacts(l *model.Layer, roles *model.Roles, m *model.Member) *Channel {
	c := &Channel{Private: l.ViewMode == model.ChannelPrivate, Users: map[string]bool{}, Roles: map[string]bool{}, RoleAuths: map[string]Auths{}}
	// The facts are about m alone, so only m's own entry of a list of up
	// to 1000 users matters: no map of the whole list is built.
	if m != nil && slices.Contains(l.Users, m.UserID) {
		c.Users[m.UserID] = true
	}
	for _, r := range l.Roles {
		if roles.Roles[r] != nil {
			c.Roles[r] = true
		}
	}
	for parent, cr := range l.RoleAuths {
		if roles.Roles[parent] != nil {
			c.RoleAuths[parent] = AuthsOf(cr.Auths)
		}
	}
	return c
}

// AuthsOf converts stored auths ("allow" / "deny" by item) to Auths.
func AuthsOf(stored map[string]string) Auths {
	a := make(Auths, len(stored))
	for k, v := range stored {
		if val := valueOf(v); val != Inherit {
			a[Item(k)] = val
		}
	}
	return a
}

func valueOf(s string) Value {
	switch s {
	case model.AuthAllow:
		return Allow
	case model.AuthDeny:
		return Deny
	}
	return Inherit
}

// rolesOf is the group's role configuration; a group read without it (a
// plain GetGroup) has only @everyone's defaults.
func rolesOf(g *model.Group) *model.Roles {
	if g.Roles != nil {
		return g.Roles
	}
	return model.DefaultRoles(g.GroupID, g.CreateTime)
}

// liveRoles are the custom roles m holds that still exist.
func liveRoles(roles *model.Roles, m *model.Member) []string {
	out := make([]string, 0, len(m.RoleIDs))
	for _, id := range m.RoleIDs {
		if r := roles.Roles[id]; r != nil && r.Type == model.RoleTypeCustom {
			out = append(out, id)
		}
	}
	return out
}

// bestPriority is the priority of m's highest custom role (1 is highest),
// or MaxInt without one.
func bestPriority(g *model.Group, m *model.Member) int {
	roles := rolesOf(g)
	best := math.MaxInt
	for _, id := range liveRoles(roles, m) {
		best = min(best, roles.Roles[id].Priority)
	}
	return best
}

func nowMillis() int64 { return time.Now().UnixMilli() }
