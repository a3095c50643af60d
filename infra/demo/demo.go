// Package demo loads the fixtures that the sample events in events/ name
// (users, groups, roles, channels, a pending application, …), through the
// HTTP API as any client would, so that every sample succeeds on a fresh
// stack, locally (`make seed` after `make run`) or on a deployment.
//
// The rules it keeps:
//   - Real operations only: every fixture is made by the API operation a
//     user would call, so it carries its events, versions and counts.
//   - Idempotent: each step first reads whether its fixture is there and
//     writes only when it is not, so a second run sends no write at all
//     and leaves the table exactly as it was.
//   - Deterministic: fixtures have the IDs the samples use (client-chosen
//     groupID, roleID and channelID), so the samples can name them.
//   - Every write carries an Idempotency-Key unique to the run and the
//     step, so a write resent after a lost answer applies once (and a later
//     run, which re-reads first, never replays an earlier run's answer).
//   - The destructive samples (dismiss, delete, quit, kick, transfer) act on
//     fixtures of their own, so running every sample once leaves the others
//     working: see Fixtures.
package demo

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Group is a group fixture.
type Group struct {
	ID, Name, Owner  string
	Admins, Members  []string
	NeedVerification int
	// Dismissed groups are created and then dismissed, so the
	// cleanup-dismissed-group sample has a real dismissal to clean up.
	Dismissed bool
}

// Role is a custom role fixture of DemoGroup, held by Holders.
type Role struct {
	ID, Name string
	Priority int
	Auths    map[string]string
	Holders  []string
}

// Channel is a channel fixture of DemoGroup, with channel roles for the
// given parent roles.
type Channel struct {
	ID, Name, Topic string
	ChannelRoles    []string
	// Category, when set, is the category the channel follows (syncMode 1).
	Category string
}

// Category is a category fixture of DemoGroup, with category roles for the
// given parent roles.
type Category struct {
	ID, Name      string
	CategoryRoles []string
}

// Categories of DemoGroup. Lounge's category roles are those that
// update-category-role and remove-category-role change; add-category-role
// adds Helpers'; OverrideUser has settings in Lounge, which
// delete-category-member-auths removes and set-category-member-auths sets.
var Categories = []Category{
	{ID: Lounge, Name: "Lounge", CategoryRoles: []string{Moderators, "everyone"}},
	{ID: Archive, Name: "Archive"},
}

// The fixtures. What each sample in events/ acts on is noted beside it.
const (
	DemoGroup  = "g-demo"
	AppAdmin   = "admin"                      // app admin: import-user, custom auths, check-group
	Moderators = "01JH5Q2R8M3N4P5Q6R7S8T9V0W" // update-role, add/remove-role-members, channel roles
	Helpers    = "01JH5Q3A1B2C3D4E5F6G7H8J9K" // add-channel-role, update-role-priorities, access list
	Archivists = "01JH5Q5D7E8F9G0H1J2K3M4N5P" // delete-role
	General    = "01JH5Q4C0D1E2F3G4H5J6K7M8N" // every channel sample but delete-channel
	OldNews    = "01JH5Q6D0E1F2G3H4J5K6M7N8P" // delete-channel
	Lounge     = "01JH5Q7K0E1F2G3H4J5K6M7N8Q" // every category sample but delete-category
	Archive    = "01JH5Q8A0E1F2G3H4J5K6M7N8R" // delete-category
	LoungeChat = "01JH5Q9C0E1F2G3H4J5K6M7N8S" // a channel that follows Lounge (syncMode 1)
	// CustomItem is the app's custom permission item that check-permissions
	// asks about, by its key: the first item created gets 10000.
	CustomItem    = "pinMessage"
	CustomItemKey = "10000"
	// Applicant has a pending application to DemoGroup, which
	// group-application-response accepts.
	Applicant = "dave"
	// JoinCode is DemoGroup's invite code that join-by-invite-code uses, and
	// RevokeCode the one revoke-invite-code revokes (by its ID, the code's
	// SHA-256). Codes are drawn at random unless an app admin chooses one,
	// as the seed does so that the samples can name them.
	JoinCode   = "CirclesDemoJoinCode000"
	RevokeCode = "CirclesDemoRevokeCode0"
	// OverrideUser has member settings in General, which
	// delete-channel-member-auths removes and set-channel-member-auths sets.
	OverrideUser = "carol"
)

// Users are the users with a profile: alice owns every group, bob is an
// admin of DemoGroup, carol a member holding Moderators, erin is there to be
// kicked, grace to quit; frank applies (join-group), heidi is invited, ivan
// joins with JoinCode (join-by-invite-code).
var Users = []string{"alice", "bob", "carol", Applicant, "erin", "frank", "grace", "heidi", "ivan"}

// Groups: DemoGroup for everything but the samples that end a group or its
// ownership, which have their own.
var Groups = []Group{
	{ID: DemoGroup, Name: "Demo group", Owner: "alice", Admins: []string{"bob"}, Members: []string{"carol", "erin", "grace"}},
	{ID: "g-transfer", Name: "Transfer demo", Owner: "alice", Members: []string{"bob"}},                    // transfer-group-owner
	{ID: "g-dismiss", Name: "Dismiss demo", Owner: "alice", Members: []string{"bob"}},                      // dismiss-group
	{ID: "g-dismissed", Name: "Dismissed demo", Owner: "alice", Members: []string{"bob"}, Dismissed: true}, // cleanup-dismissed-group
}

// Roles of DemoGroup.
var Roles = []Role{
	{ID: Moderators, Name: "Moderators", Priority: 1, Auths: map[string]string{"kickMember": "allow", "muteMember": "allow", "manageChannel": "deny"}, Holders: []string{"carol"}},
	{ID: Helpers, Name: "Helpers", Priority: 2, Auths: map[string]string{"remindEveryone": "allow"}},
	{ID: Archivists, Name: "Archivists", Priority: 3, Auths: map[string]string{}, Holders: []string{"carol"}},
}

// Channels of DemoGroup. General's channel roles are those that
// update-channel-role and remove-channel-role change; add-channel-role adds
// Helpers'.
var Channels = []Channel{
	{ID: General, Name: "general", Topic: "Everyday chat", ChannelRoles: []string{Moderators, "everyone"}},
	{ID: OldNews, Name: "old-news", Topic: "Archived announcements"},
	{ID: LoungeChat, Name: "lounge-chat", Topic: "Follows the Lounge", Category: Lounge},
}

// Seed loads the fixtures through c, skipping those already there.
func Seed(ctx context.Context, c *Client) error {
	s := &seeder{c: c, run: runID()}
	for _, step := range []func(context.Context) error{
		s.profiles, s.customItem, s.groups, s.roles, s.categories, s.channels, s.override, s.categoryOverride, s.application, s.inviteCodes,
	} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

type seeder struct {
	c       *Client
	run     string
	itemKey string // CustomItem's key
}

func runID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *seeder) key(step string) string { return "seed-" + s.run + "-" + step }

func (s *seeder) write(ctx context.Context, user, method, path string, body any, step string) error {
	return s.c.call(ctx, user, method, path, body, s.key(step), nil)
}

// ids lists the values of one field of every item of a list operation.
func (s *seeder) ids(ctx context.Context, user, path, field string) (map[string]bool, error) {
	items, err := list[map[string]any](ctx, s.c, user, path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, it := range items {
		if id, ok := it[field].(string); ok {
			out[id] = true
		}
	}
	return out, nil
}

// ensure makes the fixture what with write unless it exists.
func (s *seeder) ensure(exists bool, what string, write func() error) error {
	if exists {
		s.c.logf("exists  %s", what)
		return nil
	}
	if err := write(); err != nil {
		return err
	}
	s.c.logf("created %s", what)
	return nil
}

func (s *seeder) profiles(ctx context.Context) error {
	have, err := s.ids(ctx, Users[0], "/users?userIDs="+strings.Join(Users, ","), "userID")
	if err != nil {
		return err
	}
	for _, u := range Users {
		body := map[string]any{"nickname": strings.ToUpper(u[:1]) + u[1:], "faceURL": "https://example.com/" + u + ".png"}
		if err := s.ensure(have[u], "profile "+u, func() error {
			return s.write(ctx, u, http.MethodPut, "/users/me", body, "profile-"+u)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) customItem(ctx context.Context) error {
	type item struct{ Key, Name string }
	items, err := list[item](ctx, s.c, AppAdmin, "/custom-auths")
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(items, func(it item) bool { return it.Name == CustomItem }); i >= 0 {
		s.itemKey = items[i].Key
		s.c.logf("exists  custom permission item %s (key %s)", CustomItem, s.itemKey)
	} else {
		var created item
		body := map[string]any{"name": CustomItem, "defaultRight": "deny"}
		if err := s.c.call(ctx, AppAdmin, http.MethodPost, "/custom-auths", body, s.key("custom-auth"), &created); err != nil {
			return err
		}
		s.itemKey = created.Key
		s.c.logf("created custom permission item %s (key %s)", CustomItem, s.itemKey)
	}
	if s.itemKey != CustomItemKey {
		// Another item was created first; check-permissions names 10000.
		s.c.logf("warning: events/check-permissions.json asks about item %s, which is not %s here", CustomItemKey, CustomItem)
	}
	return nil
}

// statusDismissed is a dismissed group's status.
const statusDismissed = 2

func (s *seeder) groups(ctx context.Context) error {
	type group struct {
		GroupID string `json:"groupID"`
		Status  int    `json:"status"`
	}
	for _, g := range Groups {
		found, err := list[group](ctx, s.c, g.Owner, "/groups?groupIDs="+g.ID)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			body := map[string]any{
				"groupID": g.ID, "groupName": g.Name, "notification": "Welcome to " + g.Name + "!",
				"introduction": "A group to try Circles", "faceURL": "https://example.com/" + g.ID + ".png",
				"groupType": 2, "needVerification": g.NeedVerification,
				"memberUserIDs": g.Members, "adminUserIDs": g.Admins,
			}
			if g.Admins == nil {
				delete(body, "adminUserIDs")
			}
			if err := s.write(ctx, g.Owner, http.MethodPost, "/groups", body, "group-"+g.ID); err != nil {
				return err
			}
			s.c.logf("created group %s", g.ID)
			found = []group{{GroupID: g.ID}}
		} else {
			s.c.logf("exists  group %s", g.ID)
		}
		if g.Dismissed && found[0].Status != statusDismissed {
			if err := s.write(ctx, g.Owner, http.MethodDelete, "/groups/"+g.ID, nil, "dismiss-"+g.ID); err != nil {
				return err
			}
			s.c.logf("dismissed group %s", g.ID)
		}
	}
	return nil
}

func (s *seeder) owner() string { return Groups[0].Owner }

func (s *seeder) roles(ctx context.Context) error {
	have, err := s.ids(ctx, s.owner(), "/groups/"+DemoGroup+"/roles", "roleID")
	if err != nil {
		return err
	}
	for _, r := range Roles {
		body := map[string]any{"roleID": r.ID, "name": r.Name, "priority": r.Priority, "auths": r.Auths}
		if err := s.ensure(have[r.ID], "role "+r.Name+" ("+r.ID+")", func() error {
			return s.write(ctx, s.owner(), http.MethodPost, "/groups/"+DemoGroup+"/roles", body, "role-"+r.ID)
		}); err != nil {
			return err
		}
		if err := s.holders(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// member is a member record as GetGroupMembersInfo answers it.
type member struct {
	UserID  string   `json:"userID"`
	RoleIDs []string `json:"roleIDs"`
}

func (s *seeder) members(ctx context.Context, userIDs ...string) ([]member, error) {
	return list[member](ctx, s.c, s.owner(), "/groups/"+DemoGroup+"/member-info?userIDs="+strings.Join(userIDs, ","))
}

func (s *seeder) holders(ctx context.Context, r Role) error {
	if len(r.Holders) == 0 {
		return nil
	}
	ms, err := s.members(ctx, r.Holders...)
	if err != nil {
		return err
	}
	var give []string
	for _, m := range ms {
		if !slices.Contains(m.RoleIDs, r.ID) {
			give = append(give, m.UserID)
		}
	}
	if len(give) == 0 {
		s.c.logf("exists  holders of %s: %s", r.Name, strings.Join(r.Holders, ", "))
		return nil
	}
	path := "/groups/" + DemoGroup + "/roles/" + r.ID + "/members"
	if err := s.write(ctx, s.owner(), http.MethodPost, path, map[string]any{"userIDs": give}, "holders-"+r.ID); err != nil {
		return err
	}
	s.c.logf("created holders of %s: %s", r.Name, strings.Join(give, ", "))
	return nil
}

func (s *seeder) channels(ctx context.Context) error {
	have, err := s.ids(ctx, s.owner(), "/groups/"+DemoGroup+"/channels?limit=100", "channelID")
	if err != nil {
		return err
	}
	for _, ch := range Channels {
		body := map[string]any{"channelID": ch.ID, "name": ch.Name, "topic": ch.Topic, "viewMode": 0}
		if err := s.ensure(have[ch.ID], "channel "+ch.Name+" ("+ch.ID+")", func() error {
			return s.write(ctx, s.owner(), http.MethodPost, "/groups/"+DemoGroup+"/channels", body, "channel-"+ch.ID)
		}); err != nil {
			return err
		}
		if ch.Category != "" {
			synced, err := s.ids(ctx, s.owner(), "/groups/"+DemoGroup+"/channels?limit=100", "categoryID")
			if err != nil {
				return err
			}
			if err := s.ensure(synced[ch.Category], "channel "+ch.Name+" in its category", func() error {
				body := map[string]any{"categoryID": ch.Category, "syncMode": 1}
				return s.write(ctx, s.owner(), http.MethodPatch, "/groups/"+DemoGroup+"/channels/"+ch.ID, body, "channel-place-"+ch.ID)
			}); err != nil {
				return err
			}
		}
		if err := s.layerRoles(ctx, "/groups/"+DemoGroup+"/channels/"+ch.ID+"/roles", ch.ChannelRoles); err != nil {
			return err
		}
	}
	return nil
}

// layerRoles gives a channel or a category (its roles at path) a role for
// each parent missing one.
func (s *seeder) layerRoles(ctx context.Context, path string, parents []string) error {
	if len(parents) == 0 {
		return nil
	}
	roles, err := s.ids(ctx, s.owner(), path, "parentRoleID")
	if err != nil {
		return err
	}
	for _, parent := range parents {
		if err := s.ensure(roles[parent], "role "+parent+" at "+path, func() error {
			return s.write(ctx, s.owner(), http.MethodPost, path, map[string]any{"parentRoleID": parent}, "layer-role-"+path+"-"+parent)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) categories(ctx context.Context) error {
	have, err := s.ids(ctx, s.owner(), "/groups/"+DemoGroup+"/categories", "categoryID")
	if err != nil {
		return err
	}
	for _, c := range Categories {
		body := map[string]any{"categoryID": c.ID, "name": c.Name}
		if err := s.ensure(have[c.ID], "category "+c.Name+" ("+c.ID+")", func() error {
			return s.write(ctx, s.owner(), http.MethodPost, "/groups/"+DemoGroup+"/categories", body, "category-"+c.ID)
		}); err != nil {
			return err
		}
		if err := s.layerRoles(ctx, "/groups/"+DemoGroup+"/categories/"+c.ID+"/roles", c.CategoryRoles); err != nil {
			return err
		}
	}
	return nil
}

// categoryOverride gives OverrideUser member settings in Lounge: CustomItem
// allowed, asked of CheckPermissions in LoungeChat, which follows Lounge.
func (s *seeder) categoryOverride(ctx context.Context) error {
	var got struct {
		Auths map[string]bool `json:"auths"`
	}
	q := url.Values{"auths": {s.itemKey}, "channelID": {LoungeChat}, "userID": {OverrideUser}}
	if err := s.c.call(ctx, s.owner(), http.MethodGet, "/groups/"+DemoGroup+"/permissions?"+q.Encode(), nil, "", &got); err != nil {
		return err
	}
	if got.Auths[s.itemKey] {
		s.c.logf("exists  settings of %s in Lounge", OverrideUser)
		return nil
	}
	path := "/groups/" + DemoGroup + "/categories/" + Lounge + "/members/" + OverrideUser + "/auths"
	if err := s.write(ctx, s.owner(), http.MethodPut, path, map[string]any{"auths": map[string]string{s.itemKey: "allow"}}, "category-override"); err != nil {
		return err
	}
	s.c.logf("created settings of %s in Lounge", OverrideUser)
	return nil
}

// override gives OverrideUser member settings in General: CustomItem
// allowed, which nothing else gives them. No operation reads settings
// back, so whether they are there is asked of CheckPermissions.
func (s *seeder) override(ctx context.Context) error {
	var got struct {
		Auths map[string]bool `json:"auths"`
	}
	q := url.Values{"auths": {s.itemKey}, "channelID": {General}, "userID": {OverrideUser}}
	if err := s.c.call(ctx, s.owner(), http.MethodGet, "/groups/"+DemoGroup+"/permissions?"+q.Encode(), nil, "", &got); err != nil {
		return err
	}
	if got.Auths[s.itemKey] {
		s.c.logf("exists  settings of %s in general", OverrideUser)
		return nil
	}
	path := "/groups/" + DemoGroup + "/channels/" + General + "/members/" + OverrideUser + "/auths"
	if err := s.write(ctx, s.owner(), http.MethodPut, path, map[string]any{"auths": map[string]string{s.itemKey: "allow"}}, "override"); err != nil {
		return err
	}
	s.c.logf("created settings of %s in general", OverrideUser)
	return nil
}

// inviteCodes creates JoinCode and RevokeCode in DemoGroup (10 uses each,
// no expiry) unless the group has or had them.
func (s *seeder) inviteCodes(ctx context.Context) error {
	have, err := s.ids(ctx, s.owner(), "/groups/"+DemoGroup+"/invite-codes", "codeID")
	if err != nil {
		return err
	}
	for _, code := range []string{JoinCode, RevokeCode} {
		body := map[string]any{"code": code, "maxUses": 10}
		if err := s.ensure(have[InviteCodeID(code)], "invite code "+code, func() error {
			return s.write(ctx, AppAdmin, http.MethodPost, "/groups/"+DemoGroup+"/invite-codes", body, "invite-code-"+code)
		}); err != nil {
			return err
		}
	}
	return nil
}

// InviteCodeID is the ID of an invite code: its SHA-256, in hex.
func InviteCodeID(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// application leaves Applicant's application to DemoGroup pending, unless
// it already is, or was accepted (the applicant is a member).
func (s *seeder) application(ctx context.Context) error {
	type application struct {
		GroupID      string `json:"groupID"`
		HandleResult int    `json:"handleResult"`
	}
	sent, err := list[application](ctx, s.c, Applicant, "/applications/sent")
	if err != nil {
		return err
	}
	if slices.ContainsFunc(sent, func(a application) bool { return a.GroupID == DemoGroup && a.HandleResult == 0 }) {
		s.c.logf("exists  pending application of %s to %s", Applicant, DemoGroup)
		return nil
	}
	if ms, err := s.members(ctx, Applicant); err != nil || len(ms) > 0 {
		s.c.logf("skipped application of %s: already a member of %s", Applicant, DemoGroup)
		return err
	}
	body := map[string]any{"reqMsg": "Hi, I would like to join", "joinSource": 3}
	if err := s.write(ctx, Applicant, http.MethodPost, "/groups/"+DemoGroup+"/applications", body, "application"); err != nil {
		return err
	}
	s.c.logf("created pending application of %s to %s", Applicant, DemoGroup)
	return nil
}
