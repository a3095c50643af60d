package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/event"
)

// Raw reads and the repair transaction of the consistency checker.
// Operations never read a whole group; only the checker does.

// IndexKeys are the attributes of a member record that place it in the
// indexes: its rank in the member list (GSI1) and its entry in the user's
// "my groups" (GSI2), plus the groupID/userID attributes those lists return.
type IndexKeys struct {
	GroupID, UserID string
	GSI1PK, GSI1SK  string
	GSI2PK, GSI2SK  string
}

// wantKeys are the index keys a member record must carry.
func wantKeys(m *Member) IndexKeys {
	return IndexKeys{
		GroupID: m.GroupID, UserID: m.UserID,
		GSI1PK: membersByRankPK(m.GroupID), GSI1SK: memberRankSK(m.RoleLevel, m.JoinTime, m.UserID),
		GSI2PK: groupsOfUserPK(m.UserID), GSI2SK: userGroupSK(m.JoinTime, m.GroupID),
	}
}

// MemberRecord is a member record as stored. Member's GroupID and UserID
// come from the item's key, which is the truth; Keys holds what the item
// carries.
type MemberRecord struct {
	Member
	Keys IndexKeys
}

// WantKeys are the index keys the record must carry for its key, roleLevel
// and joinTime.
func (r *MemberRecord) WantKeys() IndexKeys { return wantKeys(&r.Member) }

// KeysOK reports whether the record's index keys match its fields.
func (r *MemberRecord) KeysOK() bool { return r.Keys == r.WantKeys() }

// EventVersion is one retained outbox event of a group, as far as the
// checker needs it.
type EventVersion struct {
	SK         string // the event's sort key, V#<version>
	Version    int64  // the event's version attribute
	OccurredAt int64  // milliseconds
	ExpiresAt  int64  // Unix seconds; 0 if absent
}

// KeyVersion is the version the event's sort key names (-1 if unreadable).
func (e EventVersion) KeyVersion() int64 {
	if !strings.HasPrefix(e.SK, prefixVersion) {
		return -1
	}
	v, err := strconv.ParseInt(strings.TrimPrefix(e.SK, prefixVersion), 10, 64)
	if err != nil {
		return -1
	}
	return v
}

// GroupState is everything the checker reads about one group.
type GroupState struct {
	Group   *Group
	Members []*MemberRecord // ordered by userID (the sort key)
	// Applications counts application records; PendingApplications those
	// with handleResult 0.
	Applications        int
	PendingApplications int
	// Events are the retained events in version order (by sort key).
	Events []EventVersion
	// Roles is the role configuration (the default one if the group has
	// none stored); RoleMembers are the role-membership records.
	Roles       *Roles
	RoleMembers []*RoleMembership
	// Channels counts the channel records.
	Channels int64
	// ChannelCategories are the channels that name a category, with it, and
	// Categories the group's categories (CATS).
	ChannelCategories map[string]string
	Categories        *Categories
	// Bans are the group's ban records, expired ones included.
	Bans []*Ban
}

// ReadGroupState reads a group, all its member and application records and
// its retained event versions, with strongly consistent reads. Every change
// of a group bumps its version, so the reads are bracketed by two reads of
// the group record: if the version moved in between, the state mixes two
// versions and the read answers a retryable error (wrap it in Retry).
// The removal of a dismissed group's records does not bump the version but
// lowers memberCount with each deleted member, so the count is compared too.
func (s *Store) ReadGroupState(ctx context.Context, groupID string) (*GroupState, error) {
	g, err := s.GetGroup(ctx, groupID)
	if err != nil {
		return nil, err
	}
	st := &GroupState{Group: g, ChannelCategories: map[string]string{}}
	err = each(ctx, s.partition(baseTable, groupPK(groupID)).Consistent(true), st.take)
	if err != nil {
		return nil, err
	}
	events := s.partition(baseTable, eventPK(groupID)).Project("SK", "version", "occurredAt", "expiresAt").Consistent(true)
	err = each(ctx, events, func(it Item) error {
		st.Events = append(st.Events, eventVersion(it))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if st.Roles == nil {
		st.Roles = DefaultRoles(groupID, g.CreateTime)
	}
	if st.Categories == nil {
		st.Categories, _ = unmarshalCategories(nil)
	}
	again, _, err := s.Snapshot(ctx, groupID)
	if err != nil {
		return nil, err
	}
	// The cleanup of a dismissed group lowers memberCount without a new
	// version, and the end of a deleted role's cleanup moves only the role
	// configuration's rev; either means the same as a moved version.
	if again.Version != g.Version || again.MemberCount != g.MemberCount || again.Status != g.Status || again.Roles.Rev != st.Roles.Rev {
		return nil, errVersionMoved
	}
	return st, nil
}

// eventVersion decodes an event item projected on SK, version, occurredAt
// and expiresAt.
func eventVersion(it Item) EventVersion {
	v, _ := intAttr(it, "version")
	at, _ := intAttr(it, "occurredAt")
	exp, _ := intAttr(it, "expiresAt")
	return EventVersion{SK: strAttr(it, "SK"), Version: v, OccurredAt: at, ExpiresAt: exp}
}

// take adds one item of the group's partition to st.
func (st *GroupState) take(it Item) error {
	var err error
	sk := strAttr(it, "SK")
	switch {
	case strings.HasPrefix(sk, prefixMember):
		m, err := unmarshal[Member](it)
		if err != nil {
			return err
		}
		r := &MemberRecord{Member: *m, Keys: IndexKeys{
			GroupID: m.GroupID, UserID: m.UserID,
			GSI1PK: strAttr(it, "GSI1PK"), GSI1SK: strAttr(it, "GSI1SK"),
			GSI2PK: strAttr(it, "GSI2PK"), GSI2SK: strAttr(it, "GSI2SK"),
		}}
		r.GroupID, r.UserID = st.Group.GroupID, strings.TrimPrefix(sk, prefixMember)
		st.Members = append(st.Members, r)
	case strings.HasPrefix(sk, prefixRoleMember):
		rm, err := unmarshal[RoleMembership](it)
		if err != nil {
			return err
		}
		st.RoleMembers = append(st.RoleMembers, rm)
	case sk == skRoles:
		if st.Roles, err = unmarshalRoles(it, st.Group); err != nil {
			return err
		}
	case strings.HasPrefix(sk, prefixChannel):
		st.Channels++
		if k := strAttr(it, "categoryID"); k != "" {
			st.ChannelCategories[strings.TrimPrefix(sk, prefixChannel)] = k
		}
	case sk == skCategories:
		if st.Categories, err = unmarshalCategories(it); err != nil {
			return err
		}
	case strings.HasPrefix(sk, prefixBan):
		b, err := unmarshal[Ban](it)
		if err != nil {
			return err
		}
		st.Bans = append(st.Bans, b)
	case strings.HasPrefix(sk, prefixApplication):
		st.Applications++
		if res, _ := intAttr(it, "handleResult"); res == 0 {
			st.PendingApplications++
		}
	}
	return nil
}

// MemberFix rewrites one member record: its roleLevel (the same as read for
// a pure re-index) and every index key derived from it.
type MemberFix struct {
	Read      *MemberRecord // as read by ReadGroupState
	RoleLevel int
	// FixRoleIDs also sets the member's roleIDs to RoleIDs, conditioned on
	// them being as read (a deleted role's cleanup may be removing one).
	FixRoleIDs bool
	RoleIDs    []string
}

// Repair is what the checker changes on a group.
type Repair struct {
	// OwnerUserID, when not empty, becomes the group's ownerUserID.
	OwnerUserID string
	// MemberCount, when not nil, becomes the group's memberCount.
	MemberCount *int64
	// ChannelCount, when not nil, becomes the group's channelCount.
	ChannelCount *int64
	// PendingApplications, when not nil, becomes the group's
	// pendingApplications.
	PendingApplications *int64
	Members             []MemberFix
	// Roles, when not nil, is the role configuration to write (as read,
	// with recounted memberCounts); it is conditioned on the rev read.
	Roles *Roles
	// PutRoleMembers and DeleteRoleMembers add and remove role-membership
	// records.
	PutRoleMembers    []*RoleMembership
	DeleteRoleMembers []*RoleMembership
}

// Items is how many transaction items the repair writes besides the group
// record and the event.
func (r Repair) Items() int {
	n := len(r.Members) + len(r.PutRoleMembers) + len(r.DeleteRoleMembers)
	if r.Roles != nil {
		n++
	}
	return n
}

// MaxRepairMembers is how many member records one repair rewrites: with the
// group record and the event, a transaction holds at most 100 items.
const MaxRepairMembers = maxTxItems - 2

// RepairGroup commits a repair of g as one change: version+1 conditioned on
// the version read (every legitimate member change bumps the version, so a
// recount made on that version is exact), the GroupRepaired event, and each
// rewritten member record conditioned on still existing with the roleLevel
// and joinTime read. A lost race is retryable. A dismissed group cannot be
// repaired (the change conditions refuse it).
func (s *Store) RepairGroup(ctx context.Context, g *Group, r Repair, ev event.Event) (*event.Event, error) {
	if r.Items() > MaxRepairMembers {
		return nil, fmt.Errorf("repair of %d items exceeds %d", r.Items(), MaxRepairMembers)
	}
	c := s.newChange(g, ev)
	if r.OwnerUserID != "" {
		c.meta.Set("ownerUserID", r.OwnerUserID)
	}
	if r.MemberCount != nil {
		c.meta.Set("memberCount", *r.MemberCount)
	}
	if r.ChannelCount != nil {
		c.meta.Set("channelCount", *r.ChannelCount)
	}
	if r.PendingApplications != nil {
		c.meta.Set("pendingApplications", *r.PendingApplications)
	}
	out, err := s.commitChange(ctx, c, func(t *tx) {
		for _, f := range r.Members {
			m := f.Read.Member
			m.RoleLevel = f.RoleLevel
			k := wantKeys(&m)
			up := s.updateItem(groupPK(g.GroupID), memberSK(k.UserID)).
				Set("roleLevel", f.RoleLevel).
				Set("groupID", k.GroupID).Set("userID", k.UserID).
				Set("GSI1PK", k.GSI1PK).Set("GSI1SK", k.GSI1SK).
				Set("GSI2PK", k.GSI2PK).Set("GSI2SK", k.GSI2SK).
				If(ifExists).
				If("$ = ?", "roleLevel", f.Read.RoleLevel).
				If("$ = ?", "joinTime", f.Read.JoinTime)
			if f.RoleLevel == RoleOwner {
				up.Set("muteEndTime", 0) // the owner cannot be muted
			}
			if f.FixRoleIDs {
				if len(f.RoleIDs) == 0 {
					up.Remove("roleIDs")
				} else {
					up.Set("roleIDs", &types.AttributeValueMemberSS{Value: f.RoleIDs})
				}
				if len(f.Read.RoleIDs) == 0 {
					up.If("attribute_not_exists($)", "roleIDs")
				} else {
					up.If("size($) = ?", "roleIDs", len(f.Read.RoleIDs))
					for _, id := range f.Read.RoleIDs {
						up.If("contains($, ?)", "roleIDs", id)
					}
				}
			}
			addTo(t, up, func(map[string]types.AttributeValue) error {
				return errVersionMoved
			})
		}
		moved := func(Item) error { return errVersionMoved }
		for _, rm := range r.PutRoleMembers {
			addTo(t, s.putItem(roleMembershipItem(rm)).If(ifAbsent), moved)
		}
		for _, rm := range r.DeleteRoleMembers {
			addTo(t, s.deleteItem(groupPK(g.GroupID), roleMemberSK(rm.RoleID, rm.UserID)).If(ifExists), moved)
		}
		if r.Roles != nil {
			s.putRoles(t, r.Roles)
		}
	})
	if err != nil {
		return nil, err
	}
	if r.OwnerUserID != "" {
		g.OwnerUserID = r.OwnerUserID
	}
	if r.MemberCount != nil {
		g.MemberCount = *r.MemberCount
	}
	if r.ChannelCount != nil {
		g.ChannelCount = *r.ChannelCount
	}
	if r.PendingApplications != nil {
		g.PendingApplications = *r.PendingApplications
	}
	return out, nil
}

// ScanGroups reads the IDs of every group in the table (a Scan: no index
// lists all groups), for the scheduled checker. It reads pages of at most
// pageItems items before filtering and calls fn with each page's group IDs
// (possibly none); fn answers whether to go on, so the caller bounds the run.
func (s *Store) ScanGroups(ctx context.Context, pageItems int32, fn func(groupIDs []string) (bool, error)) error {
	var from Item
	for {
		scan := s.tbl.Scan().
			Filter("$ = ? AND SK = ?", "kind", kindGroup, skMeta).
			Project("groupID").
			SearchLimit(int(pageItems)).RequestLimit(1)
		if from != nil {
			scan.StartFrom(dynamo.PagingKey(from))
		}
		items, lek, err := call(ctx, scan)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(items))
		for _, it := range items {
			ids = append(ids, strAttr(it, "groupID"))
		}
		more, err := fn(ids)
		if err != nil || !more || lek == nil {
			return err
		}
		from = lek
	}
}

// Tombstone reports whether id names a deleted category whose cleanup is
// not finished.
func (c *Categories) Tombstone(id string) bool {
	l := c.item.Layers[id]
	return l != nil && l.Deleted != 0
}
