package group

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// The consistency checker. It reads a whole group (only it does), reports
// which invariants (package store's doc) do not hold, and on request repairs
// them as one change of the group with its own GroupRepaired event.
//
// What is checked:
//  1. a group that is not dismissed has exactly one owner: ownerUserID names a
//     member with roleLevel 100 and no other member has 100;
//  2. memberCount equals the member records (dismissed groups included: the
//     cleanup lowers memberCount with each member record it deletes), and
//     channelCount, which bounds a group's channels, equals the channel
//     records (a group stored before channelCount existed has none);
//  3. "my groups" is GSI2 over the member records themselves, so a user is
//     listed exactly for the groups they are a member of by construction.
//     What can still break it is a member record whose index keys do not
//     match its fields; so each record's GSI1 (rank) and GSI2 keys, and the
//     groupID/userID attributes those lists return, are compared with the
//     values derived from its key, roleLevel and joinTime (not dismissed
//     groups: ListJoinedGroups hides dismissed groups, and their records go);
//  4. the retained events have versions that go up by one with no gap or
//     repeat, each event's version matches its key, and the newest retained
//     event carries the group's version. Events expire by TTL, so only the
//     window not yet expired is checked; expiry never makes a gap, because
//     versions and expiry times grow together;
//  5. a dismissed group keeps no member or pending-application record once
//     its cleanup is due (CheckInput.CleanupDue, or CleanupGrace after the
//     dismissal). Before that the records are reported as Pending, which is
//     information, not a violation;
//  6. each live custom role's memberCount equals the members holding it, and
//     the members' roleIDs, the role-membership records and the roles agree
//     (readRoles). The members' roleIDs are the truth, since every permission
//     decision reads them; roles deleted but still being cleaned up are left
//     out;
//  7. every channel's categoryID names a live category or none (a deleted
//     category whose cleanup is moving its channels out counts as none);
//     reported, not repaired;
//  8. no member record exists for a user with a live ban (a ban removes the
//     member in its own transaction, and every way in is conditioned on
//     the ban); reported, not repaired: removing a member is a decision for
//     a person.
//
// With invariant 2, pendingApplications, which GetGroupApplicationUnhandledCount
// reads, must equal the pending application records of a group that is not
// dismissed; a repair recounts it.

// CleanupGrace is how long after a dismissal its records may remain before
// the checker calls them a violation of invariant 5.
const CleanupGrace = time.Hour

// CheckerActor is the identity of the scheduled checker: an app admin, as
// the checker's route needs.
var CheckerActor = permission.Actor{UserID: "system:checker", AppAdmin: true}

// CheckInput is the body of POST /admin/groups/{groupID}/check.
type CheckInput struct {
	Repair bool `json:"repair"`
	// CleanupDue tells the checker that the removal of a dismissed group's
	// records should be complete (for example after the cleanup consumer ran),
	// so records left are violations at once. Not part of the API body.
	CleanupDue bool `json:"-"`
	// Continuation goes on with the check a report left unfinished
	// (check_paged.go); not with Repair.
	Continuation string `json:"continuation,omitempty"`
}

// Finding is one problem found, with the number of the invariant it concerns.
type Finding struct {
	Invariant int    `json:"invariant"`
	Message   string `json:"message"`
}

// CheckReport is the checker's answer.
type CheckReport struct {
	GroupID    string    `json:"groupID"`
	Version    int64     `json:"version"`
	Violations []Finding `json:"violations"`
	// Pending lists records of a dismissed group whose cleanup is still
	// within its grace period: expected, not a violation.
	Pending  []Finding `json:"pending,omitempty"`
	Repaired bool      `json:"repaired"`
	// Continuation, when set, means the check is not finished: Violations
	// is empty until it is, and the next call passes this back.
	Continuation string `json:"continuation,omitempty"`
}

// maxRepairRounds bounds how many repair changes one Check commits; each
// rewrites at most store.MaxRepairMembers member records, and what is left
// is reported for another call.
const maxRepairRounds = 20

// Check checks a group's invariants and, with Repair, repairs them. App
// admins only.
func (s *Service) Check(ctx context.Context, a permission.Actor, groupID string, in CheckInput) (*CheckReport, error) {
	if err := permission.DecideApp(a, permission.OpCheckGroup); err != nil {
		return nil, err
	}
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if !in.Repair {
		return s.checkPaged(ctx, groupID, in)
	}
	if in.Continuation != "" {
		return nil, errcode.New(errcode.InvalidArgument, "continuation goes with a check, not a repair")
	}
	rep, err := s.checkOnce(ctx, groupID, in)
	if err != nil || len(rep.Violations) == 0 {
		return rep, err
	}
	repaired := false
	for range maxRepairRounds {
		did, err := s.repairOnce(ctx, a, groupID)
		if err != nil {
			return nil, err
		}
		if !did {
			break
		}
		repaired = true
	}
	if rep, err = s.checkOnce(ctx, groupID, in); err != nil {
		return nil, err
	}
	rep.Repaired = repaired
	return rep, nil
}

func (s *Service) checkOnce(ctx context.Context, groupID string, in CheckInput) (*CheckReport, error) {
	return store.Retry(ctx, func() (*CheckReport, error) {
		st, err := s.st.ReadGroupState(ctx, groupID)
		if err != nil {
			return nil, err
		}
		return evaluate(st, in, s.st.Now()), nil
	})
}

// repairOnce plans a repair on a fresh read and commits it; a lost race
// re-reads and plans again. It reports whether a repair was committed.
func (s *Service) repairOnce(ctx context.Context, a permission.Actor, groupID string) (bool, error) {
	return store.Retry(ctx, func() (bool, error) {
		st, err := s.st.ReadGroupState(ctx, groupID)
		if err != nil {
			return false, err
		}
		if st.Group.Status == store.StatusDismissed {
			return false, nil // accepts no change; its records go with the cleanup
		}
		r, payload := plan(st)
		if r.OwnerUserID == "" && r.MemberCount == nil && r.ChannelCount == nil && r.PendingApplications == nil && r.Items() == 0 {
			return false, nil
		}
		payload.Violations = messages(evaluate(st, CheckInput{}, s.st.Now()).Violations)
		if _, err := s.st.RepairGroup(ctx, st.Group, r, event.New(event.GroupRepaired, a.UserID, payload)); err != nil {
			return false, err
		}
		return true, nil
	})
}

// evaluate finds the violations in a state read by ReadGroupState.
func evaluate(st *store.GroupState, in CheckInput, now time.Time) *CheckReport {
	g := st.Group
	rep := &CheckReport{GroupID: g.GroupID, Version: g.Version, Violations: []Finding{}}
	add := func(inv int, format string, args ...any) {
		rep.Violations = append(rep.Violations, Finding{inv, fmt.Sprintf(format, args...)})
	}
	byID := make(map[string]*store.MemberRecord, len(st.Members))
	var owners []string
	for _, m := range st.Members {
		byID[m.UserID] = m
		if m.RoleLevel == store.RoleOwner {
			owners = append(owners, m.UserID)
		}
	}

	// Invariant 2 holds for dismissed groups too: the cleanup lowers
	// memberCount with each member record it deletes.
	if g.MemberCount != int64(len(st.Members)) {
		add(2, "memberCount is %d but there are %d member records", g.MemberCount, len(st.Members))
	}
	if g.Status != store.StatusDismissed && g.ChannelCount != st.Channels {
		add(2, "channelCount is %d but there are %d channels", g.ChannelCount, st.Channels)
	}
	if g.Status != store.StatusDismissed && g.PendingApplications != int64(st.PendingApplications) {
		add(2, "pendingApplications is %d but there are %d pending applications", g.PendingApplications, st.PendingApplications)
	}
	// Invariant 8: nobody with a live ban is a member.
	for _, b := range st.Bans {
		if byID[b.UserID] != nil && b.Live(now.UnixMilli()) {
			add(8, "user %s is banned (until %d, 0 = never) but has a member record", b.UserID, b.ExpireTime)
		}
	}
	if g.Status != store.StatusDismissed {
		// Invariant 7: a channel's categoryID names a live category or none.
		// One naming a deleted category whose cleanup is still moving its
		// channels out reads as uncategorised meanwhile, as a deleted role's
		// memberships are not violations while its cleanup runs.
		for _, cid := range slices.Sorted(maps.Keys(st.ChannelCategories)) {
			k := st.ChannelCategories[cid]
			if !st.Categories.Live(k) && !st.Categories.Tombstone(k) {
				add(7, "channel %s names category %s, which does not exist", cid, k)
			}
		}
	}
	if g.Status != store.StatusDismissed {
		// Invariant 1.
		switch named := byID[g.OwnerUserID]; {
		case g.OwnerUserID == "":
			add(1, "the group names no owner")
		case named == nil:
			add(1, "ownerUserID %s is not a member", g.OwnerUserID)
		case named.RoleLevel != store.RoleOwner:
			add(1, "ownerUserID %s has roleLevel %d, not %d", g.OwnerUserID, named.RoleLevel, store.RoleOwner)
		}
		if len(owners) == 0 {
			add(1, "no member has roleLevel %d", store.RoleOwner)
		}
		if extra := slices.DeleteFunc(slices.Clone(owners), func(id string) bool { return id == g.OwnerUserID }); len(extra) > 0 {
			add(1, "members other than ownerUserID with roleLevel %d: %s", store.RoleOwner, strings.Join(extra, ", "))
		}
		// Invariant 3.
		for _, m := range st.Members {
			if !m.KeysOK() {
				add(3, "member %s has index keys %s, want %s", m.UserID, keysString(m.Keys), keysString(m.WantKeys()))
			}
		}
	}

	if g.Status != store.StatusDismissed {
		for _, f := range roleFindings(st) {
			add(6, "%s", f)
		}
	}

	// Invariant 4, over the retained window.
	var last *store.EventVersion
	for i := range st.Events {
		ev := &st.Events[i]
		if ev.ExpiresAt != 0 && ev.ExpiresAt <= now.Unix() {
			continue // expired, awaiting TTL deletion
		}
		if kv := ev.KeyVersion(); kv != ev.Version {
			add(4, "event %s carries version %d", ev.SK, ev.Version)
		}
		if last != nil && ev.Version != last.Version+1 {
			if ev.Version <= last.Version {
				add(4, "event version %d repeats or goes back after %d", ev.Version, last.Version)
			} else {
				add(4, "events jump from version %d to %d", last.Version, ev.Version)
			}
		}
		last = ev
	}
	if last != nil && last.Version != g.Version {
		add(4, "the newest retained event has version %d but the group is at version %d", last.Version, g.Version)
	}

	// Invariant 5.
	if g.Status == store.StatusDismissed && (len(st.Members) > 0 || st.PendingApplications > 0) {
		f := Finding{5, fmt.Sprintf("the group is dismissed but %d member and %d pending application records remain", len(st.Members), st.PendingApplications)}
		// The dismissal is the group's last change; if its event has expired,
		// the dismissal is older than the event retention.
		due := in.CleanupDue || last == nil || last.Version != g.Version ||
			now.Sub(time.UnixMilli(last.OccurredAt)) > CleanupGrace
		rep.addCleanup(f, due)
	}
	return rep
}

// addCleanup adds invariant 5's finding: a violation once the cleanup is
// due, pending before.
func (rep *CheckReport) addCleanup(f Finding, due bool) {
	if due {
		rep.Violations = append(rep.Violations, f)
	} else {
		f.Message += " (cleanup pending)"
		rep.Pending = append(rep.Pending, f)
	}
}

func keysString(k store.IndexKeys) string {
	return fmt.Sprintf("{groupID:%q userID:%q GSI1:%q/%q GSI2:%q/%q}", k.GroupID, k.UserID, k.GSI1PK, k.GSI1SK, k.GSI2PK, k.GSI2SK)
}

// plan decides the repair of a group that is not dismissed, and the payload
// of its event:
//   - the owner is kept if ownerUserID names a member with 100; otherwise the
//     longest-serving member with 100, else the longest-serving admin, else
//     the longest-serving member (earliest joinTime) becomes owner;
//   - every other member with 100 becomes an admin (60);
//   - memberCount and channelCount are recounted;
//   - member records with wrong index keys are rewritten.
//
// An empty group cannot get an owner; that violation stays reported.
func plan(st *store.GroupState) (store.Repair, *event.GroupRepairedPayload) {
	g := st.Group
	var r store.Repair
	payload := &event.GroupRepairedPayload{}
	byID := map[string]*store.MemberRecord{}
	byLevel := map[int][]*store.MemberRecord{}
	for _, m := range st.Members {
		byID[m.UserID] = m
		byLevel[m.RoleLevel] = append(byLevel[m.RoleLevel], m)
	}
	longestServing := func(ms []*store.MemberRecord) *store.MemberRecord {
		if len(ms) == 0 {
			return nil
		}
		return slices.MinFunc(ms, func(a, b *store.MemberRecord) int {
			return cmp.Or(cmp.Compare(a.JoinTime, b.JoinTime), strings.Compare(a.UserID, b.UserID))
		})
	}
	owner := byID[g.OwnerUserID]
	if owner == nil || owner.RoleLevel != store.RoleOwner {
		owner = longestServing(byLevel[store.RoleOwner])
	}
	if owner == nil {
		owner = longestServing(byLevel[store.RoleAdmin])
	}
	if owner == nil {
		owner = longestServing(st.Members)
	}

	var fixes []store.MemberFix
	fixed := map[string]bool{}
	if owner != nil {
		if owner.RoleLevel != store.RoleOwner {
			fixes = append(fixes, store.MemberFix{Read: owner, RoleLevel: store.RoleOwner})
			fixed[owner.UserID] = true
			payload.Promoted = owner.UserID
		}
		if g.OwnerUserID != owner.UserID {
			r.OwnerUserID = owner.UserID
			previous := g.OwnerUserID
			payload.PreviousOwnerUserID = &previous
			payload.OwnerUserID = owner.UserID
		}
		var demoted []string
		for _, m := range byLevel[store.RoleOwner] {
			if m != owner {
				fixes = append(fixes, store.MemberFix{Read: m, RoleLevel: store.RoleAdmin})
				fixed[m.UserID] = true
				demoted = append(demoted, m.UserID)
			}
		}
		if len(demoted) > 0 {
			payload.Demoted = demoted
		}
	}
	if n := int64(len(st.Members)); g.MemberCount != n {
		r.MemberCount = &n
		previous := g.MemberCount
		payload.PreviousMemberCount, payload.MemberCount = &previous, &n
	}
	if n := int64(st.PendingApplications); g.PendingApplications != n {
		r.PendingApplications = &n
	}
	if n := st.Channels; g.ChannelCount != n {
		r.ChannelCount = &n
		previous := g.ChannelCount
		payload.PreviousChannelCount, payload.ChannelCount = &previous, &n
	}
	var reindexed []string
	for _, m := range st.Members {
		if !fixed[m.UserID] && !m.KeysOK() {
			fixes = append(fixes, store.MemberFix{Read: m, RoleLevel: m.RoleLevel})
			reindexed = append(reindexed, m.UserID)
		}
	}
	if len(reindexed) > 0 {
		payload.Reindexed = reindexed
	}
	// The ownership fixes come first, so they are never cut off; the rest is
	// left for the next round.
	if len(fixes) > store.MaxRepairMembers {
		fixes = fixes[:store.MaxRepairMembers]
	}
	r.Members = fixes
	planRoles(st, &r, payload)
	return r, payload
}

// roleState is invariant 6 as read: the roles that count (live custom
// roles), and which users each role's records and the members' roleIDs say
// hold it. Roles deleted but still being cleaned up (tombstones) are left
// out: their records are the cleanup's to remove.
type roleState struct {
	live     map[string]*store.Role
	records  map[string]map[string]bool // roleID -> userIDs with a record
	orphans  []*store.RoleMembership    // records of unknown roles or non-members
	want     map[string][]string        // userID -> roleIDs the member should carry
	stale    map[string]bool            // members whose roleIDs differ from want
	counts   map[string]int64           // roleID -> members holding it
	missing  []*store.RoleMembership    // records to add
	unneeded []*store.RoleMembership    // records of live roles the member does not carry
}

// readRoles compares the members' roleIDs, the role-membership records and
// the roles' memberCounts. The member record's roleIDs are the truth, since
// they are what every permission decision reads.
func readRoles(st *store.GroupState) *roleState {
	rs := &roleState{live: map[string]*store.Role{}, records: map[string]map[string]bool{}, want: map[string][]string{},
		stale: map[string]bool{}, counts: map[string]int64{}}
	for id, r := range st.Roles.Roles {
		if r.Type == store.RoleTypeCustom {
			rs.live[id] = r
			rs.records[id] = map[string]bool{}
		}
	}
	members := map[string]*store.MemberRecord{}
	for _, m := range st.Members {
		members[m.UserID] = m
	}
	for _, rm := range st.RoleMembers {
		_, tomb := st.Roles.Deleted[rm.RoleID]
		switch {
		case tomb:
		case rs.live[rm.RoleID] == nil || members[rm.UserID] == nil:
			rs.orphans = append(rs.orphans, rm)
		default:
			rs.records[rm.RoleID][rm.UserID] = true
		}
	}
	for _, m := range st.Members {
		var want []string
		for _, id := range m.RoleIDs {
			_, tomb := st.Roles.Deleted[id]
			if rs.live[id] != nil || tomb {
				want = append(want, id)
			}
			if rs.live[id] != nil {
				rs.counts[id]++
				if !rs.records[id][m.UserID] {
					rs.missing = append(rs.missing, &store.RoleMembership{GroupID: st.Group.GroupID, RoleID: id, UserID: m.UserID, AddTime: m.JoinTime})
				}
			}
		}
		if len(want) != len(m.RoleIDs) {
			rs.stale[m.UserID] = true
		}
		rs.want[m.UserID] = want
	}
	for id, users := range rs.records {
		for uid := range users {
			if !slices.Contains(members[uid].RoleIDs, id) {
				rs.unneeded = append(rs.unneeded, &store.RoleMembership{GroupID: st.Group.GroupID, RoleID: id, UserID: uid})
			}
		}
	}
	sortMemberships(rs.orphans)
	sortMemberships(rs.missing)
	sortMemberships(rs.unneeded)
	return rs
}

func sortMemberships(rms []*store.RoleMembership) {
	slices.SortFunc(rms, func(a, b *store.RoleMembership) int {
		return cmp.Or(strings.Compare(a.RoleID, b.RoleID), strings.Compare(a.UserID, b.UserID))
	})
}

// roleFindings are the violations of invariant 6.
func roleFindings(st *store.GroupState) []string {
	rs := readRoles(st)
	var out []string
	ids := slices.Sorted(maps.Keys(rs.live))
	for _, id := range ids {
		if r := rs.live[id]; r.MemberCount != rs.counts[id] {
			out = append(out, fmt.Sprintf("role %s has memberCount %d but %d members hold it", id, r.MemberCount, rs.counts[id]))
		}
	}
	for _, m := range st.Members {
		if rs.stale[m.UserID] {
			out = append(out, fmt.Sprintf("member %s holds roles that do not exist: roleIDs %v", m.UserID, m.RoleIDs))
		}
	}
	for _, rm := range rs.missing {
		out = append(out, fmt.Sprintf("member %s holds role %s but has no role-membership record", rm.UserID, rm.RoleID))
	}
	for _, rm := range rs.unneeded {
		out = append(out, fmt.Sprintf("role-membership record %s/%s but the member does not hold the role", rm.RoleID, rm.UserID))
	}
	for _, rm := range rs.orphans {
		out = append(out, fmt.Sprintf("role-membership record %s/%s of a role or member that does not exist", rm.RoleID, rm.UserID))
	}
	return out
}

// planRoles adds the repair of invariant 6, within what one transaction
// holds after the member fixes: members' roleIDs lose roles that do not
// exist, role-membership records follow the members' roleIDs, and each
// role's memberCount is recounted. What does not fit is left for the next
// round.
func planRoles(st *store.GroupState, r *store.Repair, payload *event.GroupRepairedPayload) {
	rs := readRoles(st)
	// One transaction item per record: a member already being fixed takes
	// its roleIDs fix in the same update (an item appears once in a
	// transaction); the role configuration needs one item of its own.
	budget := store.MaxRepairMembers - len(r.Members) - 1
	if budget < 0 {
		return // the member fixes fill this round; roles come next round
	}
	take := func(n int) int {
		n = min(n, budget)
		budget -= n
		return n
	}
	fixing := map[string]int{}
	for i, f := range r.Members {
		fixing[f.Read.UserID] = i
	}
	for _, m := range st.Members {
		if !rs.stale[m.UserID] {
			continue
		}
		if i, ok := fixing[m.UserID]; ok {
			r.Members[i].FixRoleIDs, r.Members[i].RoleIDs = true, rs.want[m.UserID]
		} else if take(1) == 1 {
			r.Members = append(r.Members, store.MemberFix{Read: m, RoleLevel: m.RoleLevel, FixRoleIDs: true, RoleIDs: rs.want[m.UserID]})
		}
	}
	r.PutRoleMembers = rs.missing[:take(len(rs.missing))]
	del := append(rs.unneeded, rs.orphans...)
	r.DeleteRoleMembers = del[:take(len(del))]
	var recounted []string
	next := st.Roles.Clone()
	for id, role := range next.Roles {
		if role.Type == store.RoleTypeCustom && role.MemberCount != rs.counts[id] {
			role.MemberCount = rs.counts[id]
			recounted = append(recounted, id)
		}
	}
	if len(recounted) > 0 {
		r.Roles = next
		slices.Sort(recounted)
		payload.RecountedRoles = recounted
	}
	fixed := len(r.PutRoleMembers) + len(r.DeleteRoleMembers)
	for _, f := range r.Members {
		if f.FixRoleIDs {
			fixed++
		}
	}
	if fixed > 0 {
		payload.RoleMembershipsFixed = fixed
	}
}

func messages(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fmt.Sprintf("invariant %d: %s", f.Invariant, f.Message)
	}
	return out
}

// CheckAllSummary is the outcome of one run of the scheduled checker.
type CheckAllSummary struct {
	Groups               int  `json:"groups"`
	GroupsWithViolations int  `json:"groupsWithViolations"`
	Violations           int  `json:"violations"`
	Errors               int  `json:"errors"`
	Truncated            bool `json:"truncated"`
}

// checkAllMargin is the time left before the deadline at which a run stops,
// so that it still logs its summary and metric.
const checkAllMargin = 30 * time.Second

// CheckAll runs the checker (report only) over every group, at most
// maxGroups (0: no bound) and stopping before ctx's deadline. It writes one
// JSON line per group with violations (or a failed check) to w, then the
// metrics in Embedded Metric Format.
func (s *Service) CheckAll(ctx context.Context, w io.Writer, maxGroups int) (*CheckAllSummary, error) {
	log := slog.New(slog.NewJSONHandler(w, nil))
	sum := &CheckAllSummary{}
	// The bound is on groups started; a started group's continuations stop
	// only for the deadline.
	late := func() bool {
		d, ok := ctx.Deadline()
		return ok && time.Until(d) < checkAllMargin
	}
	stop := func() bool { return maxGroups > 0 && sum.Groups >= maxGroups || late() }
	err := s.st.ScanGroups(ctx, 1000, func(ids []string) (bool, error) {
		for _, id := range ids {
			if stop() {
				sum.Truncated = true
				return false, nil
			}
			sum.Groups++
			rep, err := s.Check(ctx, CheckerActor, id, CheckInput{})
			for err == nil && rep.Continuation != "" && !late() {
				rep, err = s.Check(ctx, CheckerActor, id, CheckInput{Continuation: rep.Continuation})
			}
			if err == nil && rep.Continuation != "" {
				sum.Groups-- // a large group the run has no time left for
				sum.Truncated = true
				return false, nil
			}
			if errcode.CodeOf(err) == errcode.GroupNotFound {
				sum.Groups-- // deleted since the scan read it
				continue
			}
			if err != nil {
				sum.Errors++
				log.Error("group check failed", "groupID", id, "error", err.Error())
				continue
			}
			if len(rep.Violations) > 0 {
				sum.GroupsWithViolations++
				sum.Violations += len(rep.Violations)
				log.Warn("group invariant violations", "groupID", id, "version", rep.Version, "violations", rep.Violations)
			}
		}
		return true, nil
	})
	if err != nil {
		sum.Errors++
		log.Error("group scan failed", "error", err.Error())
	}
	log.Info("group check run", "summary", sum)
	EmitCheckMetrics(w, sum, s.st.Now())
	return sum, err
}

// EmitCheckMetrics writes the run's metrics as one CloudWatch Embedded
// Metric Format line (namespace Circles); Lambda's log pipeline turns it into
// metrics, with no SDK call and no extra permission.
func EmitCheckMetrics(w io.Writer, sum *CheckAllSummary, now time.Time) {
	doc := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  "Circles",
				"Dimensions": [][]string{{"Service"}},
				"Metrics": []any{
					map[string]string{"Name": "GroupInvariantViolations", "Unit": "Count"},
					map[string]string{"Name": "GroupsWithViolations", "Unit": "Count"},
					map[string]string{"Name": "GroupsChecked", "Unit": "Count"},
					map[string]string{"Name": "GroupCheckErrors", "Unit": "Count"},
				},
			}},
		},
		"Service":                  "GroupChecker",
		"GroupInvariantViolations": sum.Violations,
		"GroupsWithViolations":     sum.GroupsWithViolations,
		"GroupsChecked":            sum.Groups,
		"GroupCheckErrors":         sum.Errors,
	}
	b, _ := json.Marshal(doc)
	_, _ = w.Write(append(b, '\n'))
}
