package permission

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

var (
	roleIDs   = []string{"r1", "r2", "r3", "r4"}
	testItems = append(append([]Item{}, BuiltIn...), "10000", "10001")
	values    = []Value{Inherit, Allow, Deny}
)

func genAuths(t *rapid.T, label string) Auths {
	a := Auths{}
	for _, it := range testItems {
		if v := rapid.SampledFrom(values).Draw(t, label+"."+string(it)); v != Inherit {
			a[it] = v
		}
	}
	return a
}

func genFacts(t *rapid.T) Facts {
	f := Facts{
		GroupStatus:    rapid.SampledFrom([]int{0, 0, 3}).Draw(t, "status"),
		Roles:          map[string]Auths{EveryoneRoleID: genAuths(t, "everyone")},
		CustomDefaults: map[Item]Value{"10000": Allow, "10001": Deny},
		Now:            1_000_000,
	}
	for _, r := range roleIDs {
		f.Roles[r] = genAuths(t, r)
	}
	held := rapid.SliceOfDistinct(rapid.SampledFrom(roleIDs), func(s string) string { return s }).Draw(t, "held")
	f.Member = &Subject{
		UserID:      "u",
		RoleLevel:   rapid.SampledFrom([]int{20, 20, 20, 60, 100}).Draw(t, "level"),
		RoleIDs:     held,
		MuteEndTime: rapid.SampledFrom([]int64{0, 0, 2_000_000}).Draw(t, "mute"),
	}
	if rapid.Bool().Draw(t, "inChannel") {
		f.Channel = genLayer(t, "channel")
		if rapid.Bool().Draw(t, "hasOverride") {
			f.Override = genAuths(t, "override")
		}
		if rapid.Bool().Draw(t, "inCategory") {
			f.Category = genLayer(t, "category")
			f.Channel.Synced = rapid.Bool().Draw(t, "synced")
			if rapid.Bool().Draw(t, "hasCategoryOverride") {
				f.CategoryOverride = genAuths(t, "categoryOverride")
			}
		}
	}
	return f
}

// genLayer draws a channel's or a category's layer.
func genLayer(t *rapid.T, label string) *Channel {
	c := &Channel{
		Private:   rapid.Bool().Draw(t, label+".private"),
		Users:     map[string]bool{"u": rapid.Bool().Draw(t, label+".listedUser")},
		Roles:     map[string]bool{},
		RoleAuths: map[string]Auths{},
	}
	for _, r := range append([]string{EveryoneRoleID}, roleIDs...) {
		c.Roles[r] = rapid.Float64Range(0, 1).Draw(t, label+".listed."+r) < 0.15
		if rapid.Bool().Draw(t, label+".hasRole."+r) {
			c.RoleAuths[r] = genAuths(t, label+".role."+r)
		}
	}
	return c
}

func unmuted(f Facts) Facts {
	f.GroupStatus = 0
	m := *f.Member
	m.MuteEndTime = 0
	f.Member = &m
	return f
}

func TestOwnerAndAdminsHoldEveryItemInEveryChannel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := unmuted(genFacts(t))
		f.Member.RoleLevel = rapid.SampledFrom([]int{60, 100}).Draw(t, "privileged")
		for _, it := range testItems {
			if !Effective(f, it) {
				t.Fatalf("level %d lacks %s", f.Member.RoleLevel, it)
			}
		}
	})
}

func TestAddingAnAllowToAHeldRoleNeverRemovesAPermission(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		target := rapid.SampledFrom(append([]string{EveryoneRoleID}, f.Member.RoleIDs...)).Draw(t, "role")
		added := rapid.SampledFrom(testItems).Draw(t, "item")
		before := map[Item]bool{}
		for _, it := range testItems {
			before[it] = Effective(f, it)
		}
		more := Auths{}
		for k, v := range f.Roles[target] {
			more[k] = v
		}
		more[added] = Allow
		f.Roles[target] = more
		for _, it := range testItems {
			if before[it] && !Effective(f, it) {
				t.Fatalf("allowing %s on %s removed %s", added, target, it)
			}
		}
	})
}

func TestAHiddenChannelYieldsNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		if f.Channel == nil || f.Member.RoleLevel >= 60 || Visible(f) {
			t.Skip("channel visible")
		}
		for _, it := range testItems {
			if Effective(f, it) {
				t.Fatalf("hidden channel grants %s", it)
			}
		}
	})
}

func TestAMemberOverrideThatIsNotInheritDecides(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := unmuted(genFacts(t))
		if f.Channel == nil || f.Member.RoleLevel >= 60 || !Visible(f) {
			t.Skip("no visible channel for an ordinary member")
		}
		it := rapid.SampledFrom(testItems).Draw(t, "item")
		v := rapid.SampledFrom([]Value{Allow, Deny}).Draw(t, "value")
		if f.Channel.Synced {
			f.CategoryOverride = Auths{it: v}
		} else {
			f.Override = Auths{it: v}
		}
		if Effective(f, it) != (v == Allow) {
			t.Fatalf("override %d on %s did not decide", v, it)
		}
	})
}

func TestAnAllInheritChannelRoleChangesNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		if f.Channel == nil {
			t.Skip("no channel")
		}
		role := rapid.SampledFrom(append([]string{EveryoneRoleID}, roleIDs...)).Draw(t, "role")
		without := f
		withoutRoles := map[string]Auths{}
		for k, v := range f.Channel.RoleAuths {
			withoutRoles[k] = v
		}
		delete(withoutRoles, role)
		c1 := *f.Channel
		c1.RoleAuths = withoutRoles
		without.Channel = &c1

		with := f
		inherit := Auths{}
		for _, it := range testItems {
			inherit[it] = Inherit
		}
		withRoles := map[string]Auths{}
		for k, v := range withoutRoles {
			withRoles[k] = v
		}
		withRoles[role] = inherit
		c2 := *f.Channel
		c2.RoleAuths = withRoles
		with.Channel = &c2
		for _, it := range testItems {
			if Effective(with, it) != Effective(without, it) {
				t.Fatalf("an all-inherit channel role for %s changed %s", role, it)
			}
		}
	})
}

func TestASyncedChannelDecidesExactlyAsItsCategoryWould(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		if f.Category == nil {
			t.Skip("no category")
		}
		f.Channel.Synced = true
		// The category as an unsynced channel of its own, with the
		// member's category override as their override there.
		asCategory := f
		asCategory.Channel, asCategory.Override = f.Category, f.CategoryOverride
		asCategory.Category, asCategory.CategoryOverride = nil, nil
		if d := firstDifference(f, asCategory); d != "" {
			t.Fatalf("%s differs from the category's", d)
		}
	})
}

// firstDifference names the first decision (visibility, then each item)
// on which the facts disagree, or "".
func firstDifference(a, b Facts) string {
	if Visible(a) != Visible(b) {
		return "visibility"
	}
	for _, it := range testItems {
		if Effective(a, it) != Effective(b, it) {
			return string(it)
		}
	}
	return ""
}

func TestUnsyncedChannelsIgnoreTheirCategory(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		if f.Channel == nil {
			t.Skip("no channel")
		}
		f.Channel.Synced = false
		other := f
		other.Category = genLayer(t, "otherCategory")
		other.CategoryOverride = genAuths(t, "otherCategoryOverride")
		none := f
		none.Category, none.CategoryOverride = nil, nil
		for _, g := range []Facts{other, none} {
			if d := firstDifference(f, g); d != "" {
				t.Fatalf("the category changed %s", d)
			}
		}
	})
}

func TestADismissedGroupYieldsNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := genFacts(t)
		f.GroupStatus = 2
		for _, it := range testItems {
			if Effective(f, it) {
				t.Fatalf("dismissed group grants %s", it)
			}
		}
	})
}

func TestEffectiveRules(t *testing.T) {
	member := func(roles ...string) *Subject { return &Subject{UserID: "u", RoleLevel: 20, RoleIDs: roles} }
	base := func() Facts {
		return Facts{
			Member:         member("r1"),
			Roles:          map[string]Auths{EveryoneRoleID: {SendMsg: Allow}, "r1": {}, "r2": {KickMember: Allow}},
			CustomDefaults: map[Item]Value{"10000": Allow, "10001": Deny},
			Now:            10,
		}
	}
	cases := []struct {
		name string
		edit func(f *Facts)
		item Item
		want bool
	}{
		{"@everyone's grant reaches every member", func(f *Facts) {}, SendMsg, true},
		{"a built-in item nobody set is denied", func(f *Facts) {}, KickMember, false},
		{"a custom role's allow is held by its members", func(f *Facts) { f.Member = member("r2") }, KickMember, true},
		{"roles combine as a union: allow beats another role's deny", func(f *Facts) {
			f.Roles["r1"] = Auths{KickMember: Deny}
			f.Member = member("r1", "r2")
		}, KickMember, true},
		{"a custom role's deny beats @everyone's allow when no role allows", func(f *Facts) { f.Roles["r1"] = Auths{SendMsg: Deny} }, SendMsg, false},
		{"a custom item takes its defaultRight on @everyone", func(f *Facts) {}, "10000", true},
		{"a custom item with defaultRight deny", func(f *Facts) {}, "10001", false},
		{"@everyone setting a custom item overrides its default", func(f *Facts) { f.Roles[EveryoneRoleID]["10000"] = Deny }, "10000", false},
		{"a muted member cannot send", func(f *Facts) { f.Member.MuteEndTime = 11 }, SendMsg, false},
		{"an expired mute no longer applies", func(f *Facts) { f.Member.MuteEndTime = 10 }, SendMsg, true},
		{"a muted group silences members", func(f *Facts) { f.GroupStatus = 3 }, SendMsg, false},
		{"a muted group does not silence admins", func(f *Facts) { f.GroupStatus = 3; f.Member.RoleLevel = 60 }, SendMsg, true},
		{"a non-member holds nothing", func(f *Facts) { f.Member = nil }, SendMsg, false},
		{"channel @everyone follows server @everyone", func(f *Facts) { f.Channel = &Channel{} }, SendMsg, true},
		{"a channel role starts as inherit and follows its parent", func(f *Facts) {
			f.Member = member("r2")
			f.Channel = &Channel{RoleAuths: map[string]Auths{"r2": {}}}
		}, KickMember, true},
		{"a channel role's deny applies in its channel", func(f *Facts) {
			f.Channel = &Channel{RoleAuths: map[string]Auths{EveryoneRoleID: {SendMsg: Deny}}}
		}, SendMsg, false},
		{"a blacklisted user cannot see a public channel", func(f *Facts) { f.Channel = &Channel{Users: map[string]bool{"u": true}} }, SendMsg, false},
		{"a blacklisted role hides a public channel", func(f *Facts) { f.Channel = &Channel{Roles: map[string]bool{"r1": true}} }, SendMsg, false},
		{"a private channel is hidden unless whitelisted", func(f *Facts) { f.Channel = &Channel{Private: true} }, SendMsg, false},
		{"a whitelisted role sees a private channel", func(f *Facts) { f.Channel = &Channel{Private: true, Roles: map[string]bool{"r1": true}} }, SendMsg, true},
		{"admins see every channel", func(f *Facts) { f.Member.RoleLevel = 60; f.Channel = &Channel{Private: true} }, SendMsg, true},
		{"a member override decides", func(f *Facts) { f.Channel = &Channel{}; f.Override = Auths{SendMsg: Deny} }, SendMsg, false},
		{"a synced channel takes its category's role", func(f *Facts) {
			f.Channel = &Channel{Synced: true}
			f.Category = &Channel{RoleAuths: map[string]Auths{EveryoneRoleID: {SendMsg: Deny}}}
		}, SendMsg, false},
		{"a synced channel ignores its own override", func(f *Facts) {
			f.Channel, f.Category = &Channel{Synced: true}, &Channel{}
			f.Override = Auths{SendMsg: Deny}
		}, SendMsg, true},
		{"a synced channel applies the category override", func(f *Facts) {
			f.Channel, f.Category = &Channel{Synced: true}, &Channel{}
			f.CategoryOverride = Auths{KickMember: Allow}
		}, KickMember, true},
		{"a synced channel follows its category's whitelist", func(f *Facts) {
			f.Channel = &Channel{Synced: true}
			f.Category = &Channel{Private: true, Users: map[string]bool{"u": true}}
		}, SendMsg, true},
		{"a synced channel hides what its private category hides", func(f *Facts) {
			f.Channel, f.Category = &Channel{Synced: true}, &Channel{Private: true}
		}, SendMsg, false},
		{"a synced channel whose category is missing fails closed", func(f *Facts) { f.Channel = &Channel{Synced: true} }, SendMsg, false},
		{"an unsynced channel ignores its category's deny", func(f *Facts) {
			f.Channel = &Channel{}
			f.Category = &Channel{RoleAuths: map[string]Auths{EveryoneRoleID: {SendMsg: Deny}}}
		}, SendMsg, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := base()
			c.edit(&f)
			assert.Equal(t, c.want, Effective(f, c.item))
		})
	}
}
