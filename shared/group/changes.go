package group

import (
	"context"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Changes is the answer of GetGroupChanges. Full means the client's version
// is not covered by the retained log and it must reload the group; Items is
// then empty.
type Changes struct {
	Version int64         `json:"version"`
	Full    bool          `json:"full"`
	Items   []event.Event `json:"items"`
}

// memberEventKeys lists, for each event type whose payload describes one
// member (its "userID"), the payload keys anyone allowed to read the
// members may see: the fields of store.Member.PublicView and what the event is. The
// rest (ex, mute times, joinSource, inviter, handling messages) follows
// lookMemberInfo as GetGroupMembersInfo does.
var memberEventKeys = func() map[event.Type][]string {
	info := []string{"userID", "nickname", "faceURL", "roleLevel"}
	handled := []string{"userID", "handleResult", "entered"}
	return map[event.Type][]string{
		event.GroupMemberInfoSet:           info,
		event.GroupMemberSetToAdmin:        info,
		event.GroupMemberSetToOrdinaryUser: info,
		event.GroupMemberMuted:             {"userID"},
		event.GroupMemberCancelMuted:       {"userID"},
		event.MemberEnter:                  {"userID"},
		event.MemberJoinedByInviteCode:     {"userID"},
		event.GroupApplicationAccepted:     handled,
		event.GroupApplicationRejected:     handled,
		event.MemberInvited:                handled,
	}
}()

// applicationEvents are the events about join requests. Only the holders
// of handleApplication may list applications, so only they read these
// events in full; to anyone else the log shows that a request was made
// (an empty payload) or handled (who, the result, whether they entered),
// never its messages, source or inviter.
var applicationEvents = map[event.Type]bool{
	event.JoinGroupApplication:     true,
	event.GroupApplicationAccepted: true,
	event.GroupApplicationRejected: true,
	event.MemberInvited:            true,
}

// managerEvents are events whose details are for the holders of an item:
// bans (reason, expiry) for banMember, invite codes (hint, limits, roles)
// for inviteMember. Anyone else reads only the keys listed.
var managerEvents = map[event.Type]struct {
	item permission.Item
	keep []string
}{
	event.BanMembers:        {permission.BanMember, []string{"userIDs", "removed"}},
	event.UnbanMembers:      {permission.BanMember, []string{"userIDs"}},
	event.InviteCodeCreated: {permission.InviteMember, []string{"codeID"}},
	event.InviteCodeRevoked: {permission.InviteMember, []string{"codeID"}},
}

// readerCopy is ev as the actor may read it: an application event's
// details are absent for readers who do not handle applications, and the
// member fields they may not see (permission.SeesFullMemberInfo, under the
// group's current settings) are absent from their copy of the payload.
func readerCopy(a permission.Actor, g *store.Group, self *store.Member, ev event.Event) event.Event {
	if m, managed := managerEvents[ev.Type]; managed && !permission.Holds(a, g, self, m.item) {
		return keepOnly(ev, m.keep)
	}
	if ev.Type == event.GroupMembersInfoSet {
		return membersInfoCopy(a, g, self, ev)
	}
	keep, ok := memberEventKeys[ev.Type]
	if applicationEvents[ev.Type] && !permission.Holds(a, g, self, permission.HandleApplication) {
		return keepOnly(ev, keep)
	}
	subject, isMember := ev.Payload["userID"].(string)
	if !ok || !isMember || permission.SeesFullMemberInfo(a, g, self, subject) {
		return ev
	}
	return keepOnly(ev, keep)
}

// membersInfoCopy is readerCopy of a GroupMembersInfoSet: each member's
// entry as the GroupMemberInfoSet of that member alone would read.
func membersInfoCopy(a permission.Actor, g *store.Group, self *store.Member, ev event.Event) event.Event {
	entries, _ := ev.Payload["members"].([]any)
	out := make([]any, len(entries))
	for i, e := range entries {
		out[i] = e
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		one := readerCopy(a, g, self, event.Event{Type: event.GroupMemberInfoSet, Payload: m})
		out[i] = one.Payload
	}
	ev.Payload = map[string]any{"members": out}
	return ev
}

// keepOnly is ev with a new payload of only the keys keep lists.
func keepOnly(ev event.Event, keep []string) event.Event {
	payload := make(map[string]any, len(keep))
	for _, k := range keep {
		if v, present := ev.Payload[k]; present {
			payload[k] = v
		}
	}
	ev.Payload = payload
	return ev
}

// Changes returns the group's events after sinceVersion, in version order,
// with the group's current version: OpenIM's incremental sync, read with one
// Query of the event partition. Events expire (TTL), so when the log no
// longer starts right after sinceVersion, or has a gap, or sinceVersion is
// ahead of the group, the answer is full=true and the client reloads.
// Each event is the reader's copy (readerCopy): the change log shows no
// member field that GetGroupMembersInfo would hide from them.
func (s *Service) Changes(ctx context.Context, a permission.Actor, groupID string, sinceVersion int64, limit int) (*Changes, error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if sinceVersion < 0 {
		return nil, errcode.New(errcode.InvalidArgument, "sinceVersion must not be negative")
	}
	limit, err := store.NormalizeLimit(limit)
	if err != nil {
		return nil, err
	}
	// Strongly consistent: an eventually consistent group record could be
	// behind the version the client just got from a write, and answer it
	// full=true for nothing.
	g, ms, err := s.viewAllowed(store.WithConsistentReads(ctx), a, groupID, permission.OpReadMembers)
	if err != nil {
		return nil, err
	}
	return s.changesAfter(ctx, a, g, ms[a.UserID], sinceVersion, limit)
}

// changesAfter is Changes on g and the actor's record self as read, after
// the read check: at most one Query of the event partition, none when
// sinceVersion is the group's version or ahead of it.
func (s *Service) changesAfter(ctx context.Context, a permission.Actor, g *store.Group, self *store.Member, sinceVersion int64, limit int) (*Changes, error) {
	groupID := g.GroupID
	out := &Changes{Version: g.Version, Items: []event.Event{}}
	if sinceVersion == g.Version {
		return out, nil
	}
	if sinceVersion > g.Version {
		out.Full = true
		return out, nil
	}
	evs, err := s.st.ListEvents(ctx, groupID, sinceVersion, limit)
	if err != nil {
		return nil, err
	}
	for i, ev := range evs {
		// Changes committed after the snapshot wait for the next call, so
		// items never run ahead of the version answered.
		if ev.Version > g.Version {
			break
		}
		if ev.Version != sinceVersion+1+int64(i) {
			return &Changes{Version: g.Version, Full: true, Items: []event.Event{}}, nil
		}
		out.Items = append(out.Items, readerCopy(a, g, self, ev))
	}
	if len(out.Items) == 0 {
		// The group is ahead of sinceVersion but its next event is gone.
		out.Full = true
	}
	return out, nil
}
