package group

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

// The paged check: the invariants of evaluate, on a group of any size, in
// bounded memory and bounded time per call. It reads the group's partition
// and then its events a page at a time; what a page needs of records on
// other pages it reads by key (a live ban's member record, a role holder's
// role-membership record, a role-membership record's member; a partition
// that fits on one page holds them all, and is checked from it), and all it
// carries from page to page is a checkRun: counts, the owners seen, each
// role's holders counted, and at most maxListed findings of each kind (the
// rest are counted, and reported as "and N more").
//
// A call reads pages until less than checkMargin is left before its
// deadline, then answers the report so far with a continuation, which the
// caller passes back to go on; the continuation holds the checkRun, bound
// to the group and with a checksum, so a token altered, cut or meant for
// another group is refused (a caller who forges a well-formed one can only
// hide findings from themselves: the route is for app admins).
//
// A concurrent change: every change of a group moves its version, a
// dismissed group's cleanup its memberCount, a deleted role's cleanup its
// role configuration's rev (see store.ReadGroupState). A check records them
// at its start, and each call compares them when it resumes and when the
// last page is read; if one moved, the check starts again from the first
// page, so a report is always that of one version of the group.

// checkPageItems is how many items one page reads: 1,000 member records are
// about 300 KB.
const checkPageItems = 1000

// checkMargin is the time left before a call's deadline at which it stops
// reading and answers a continuation.
const checkMargin = 5 * time.Second

// maxListed bounds the findings of one kind a check keeps.
const maxListed = 25

// maxContinuation bounds a continuation as sent: maxListed findings of
// each kind, base64-encoded, fit well within it.
const maxContinuation = 256 << 10

// checkPaging overrides the page size and the pages read per call (tests).
type checkPaging struct{ items, perCall int }

// listed is findings of one kind: the first maxListed, and how many more.
type listed struct {
	Items []string `json:"i,omitempty"`
	More  int      `json:"m,omitempty"`
}

func (l *listed) add(format string, args ...any) {
	if len(l.Items) < maxListed {
		l.Items = append(l.Items, fmt.Sprintf(format, args...))
	} else {
		l.More++
	}
}

func (l *listed) findings(inv int) []Finding {
	var out []Finding
	for _, m := range l.Items {
		out = append(out, Finding{inv, m})
	}
	if l.More > 0 {
		out = append(out, Finding{inv, fmt.Sprintf("and %d more like it", l.More)})
	}
	return out
}

// Phases of a check.
const (
	phaseGroup  = iota // the group's partition
	phaseEvents        // its retained events
	phaseDone
)

// checkRun is a paged check between two pages.
type checkRun struct {
	GroupID string `json:"g"`
	// The group as at the start; a change moves one of them.
	Version     int64 `json:"v"`
	MemberCount int64 `json:"mc"`
	Status      int   `json:"s"`
	RolesRev    int64 `json:"rr"`

	Phase int    `json:"p"`
	After string `json:"a,omitempty"` // the last sort key read in the phase

	Members      int64            `json:"nm"`
	Channels     int64            `json:"nc"`
	Pending      int              `json:"np"`
	Owners       int              `json:"no"`
	OwnerSeen    bool             `json:"os"` // whether the member ownerUserID names was read, with its roleLevel
	OwnerLevel   int              `json:"ol"`
	OtherOwners  listed           `json:"oo"`
	RoleHolders  map[string]int64 `json:"rh,omitempty"`
	Bans         listed           `json:"b"`
	Categories   listed           `json:"k"`
	Keys         listed           `json:"x"`
	Stale        listed           `json:"st"`
	Missing      [][2]string      `json:"mi,omitempty"` // (roleID, userID), the first maxListed in order
	MissingMore  int              `json:"mm,omitempty"`
	Unneeded     listed           `json:"u"`
	Orphans      listed           `json:"o"`
	Events       listed           `json:"e"`
	LastVersion  int64            `json:"lv"`
	LastOccurred int64            `json:"lo"`
	HasLast      bool             `json:"hl"`
}

func newCheckRun(h *store.CheckHead) *checkRun {
	g := h.Group
	return &checkRun{GroupID: g.GroupID, Version: g.Version, MemberCount: g.MemberCount, Status: g.Status, RolesRev: g.Roles.Rev,
		RoleHolders: map[string]int64{}}
}

func (r *checkRun) movedFrom(g *store.Group) bool {
	return r.Version != g.Version || r.MemberCount != g.MemberCount || r.Status != g.Status || r.RolesRev != g.Roles.Rev
}

func errBadContinuation() error {
	return errcode.New(errcode.InvalidArgument, "continuation is not valid for this group's check")
}

func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

func (r *checkRun) encode() string {
	b, _ := json.Marshal(r)
	return base64.RawURLEncoding.EncodeToString(b) + "." + checksum(b)
}

// decodeCheckRun decodes a continuation of groupID's check, refusing one
// over maxContinuation, with a wrong checksum, unknown fields, another
// group's or an impossible phase.
func decodeCheckRun(groupID, s string) (*checkRun, error) {
	body, sum, ok := strings.Cut(s, ".")
	if len(s) > maxContinuation || !ok {
		return nil, errBadContinuation()
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || checksum(b) != sum {
		return nil, errBadContinuation()
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	var r checkRun
	if err := dec.Decode(&r); err != nil || r.GroupID != groupID || r.Phase < phaseGroup || r.Phase >= phaseDone {
		return nil, errBadContinuation()
	}
	if r.RoleHolders == nil {
		r.RoleHolders = map[string]int64{}
	}
	return &r, nil
}

// checkPaged is Check without repair: from the start, or from where
// in.Continuation left off.
func (s *Service) checkPaged(ctx context.Context, groupID string, in CheckInput) (*CheckReport, error) {
	var run *checkRun
	if in.Continuation != "" {
		var err error
		if run, err = decodeCheckRun(groupID, in.Continuation); err != nil {
			return nil, err
		}
	}
	items, perCall := checkPageItems, 0
	if s.paging.items > 0 {
		items, perCall = s.paging.items, s.paging.perCall
	}
	return store.Retry(ctx, func() (*CheckReport, error) {
		head, err := s.st.ReadCheckHead(ctx, groupID)
		if err != nil {
			return nil, err
		}
		if run == nil || run.movedFrom(head.Group) {
			run = newCheckRun(head)
		}
		for pages := 0; run.Phase < phaseDone; pages++ {
			if pages > 0 && stopPaging(ctx, pages, perCall) {
				return &CheckReport{GroupID: groupID, Version: run.Version, Violations: []Finding{}, Continuation: run.encode()}, nil
			}
			if err := s.checkPage(ctx, run, head, items); err != nil {
				return nil, err
			}
		}
		end, err := s.st.ReadCheckHead(ctx, groupID)
		if err != nil {
			return nil, err
		}
		if run.movedFrom(end.Group) {
			run = nil
			return nil, fmt.Errorf("the group changed during its check: %w", store.ErrRetry)
		}
		return run.report(head, in, s.st.Now()), nil
	})
}

// stopPaging reports whether a call that read pages pages stops here.
func stopPaging(ctx context.Context, pages, perCall int) bool {
	if perCall > 0 && pages >= perCall {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < checkMargin
}

// checkPage reads the run's next page and adds it to the run.
func (s *Service) checkPage(ctx context.Context, run *checkRun, head *store.CheckHead, items int) error {
	now := s.st.Now()
	if run.Phase == phaseEvents {
		evs, next, err := s.st.ReadEventPage(ctx, run.GroupID, run.After, items)
		if err != nil {
			return err
		}
		run.takeEvents(evs, now)
		run.advance(next)
		return nil
	}
	first := run.After == ""
	page, next, err := s.st.ReadGroupPage(ctx, head.Group, run.After, items)
	if err != nil {
		return err
	}
	var look recordLookup = byKey{s.st, head.Group.GroupID}
	if first && next == "" {
		look = onPage(page)
	}
	if err := s.takeGroupPage(ctx, run, head, page, look, now); err != nil {
		return err
	}
	run.advance(next)
	return nil
}

func (r *checkRun) advance(next string) {
	r.After = next
	if next == "" {
		r.Phase++
	}
}

// takeGroupPage adds one page of the group's partition: the counts, the
// bans whose user has a member record (8), the channels' categories (7),
// the owners (1), the members' index keys (3) and roles (6).
func (s *Service) takeGroupPage(ctx context.Context, run *checkRun, head *store.CheckHead, page *store.GroupState, look recordLookup, now time.Time) error {
	g := head.Group
	dismissed := g.Status == store.StatusDismissed
	run.Members += int64(len(page.Members))
	run.Channels += page.Channels
	run.Pending += page.PendingApplications
	var live []string
	for _, b := range page.Bans {
		if b.Live(now.UnixMilli()) {
			live = append(live, b.UserID)
		}
	}
	if len(live) > 0 {
		ms, err := look.members(ctx, live)
		if err != nil {
			return err
		}
		for _, b := range page.Bans {
			if ms[b.UserID] != nil && b.Live(now.UnixMilli()) {
				run.Bans.add("user %s is banned (until %d, 0 = never) but has a member record", b.UserID, b.ExpireTime)
			}
		}
	}
	for _, m := range page.Members {
		if m.UserID == g.OwnerUserID {
			run.OwnerSeen, run.OwnerLevel = true, m.RoleLevel
		}
		if m.RoleLevel == store.RoleOwner {
			run.Owners++
			if m.UserID != g.OwnerUserID {
				run.OtherOwners.add("%s", m.UserID)
			}
		}
	}
	if dismissed {
		return nil
	}
	for _, cid := range slices.Sorted(maps.Keys(page.ChannelCategories)) {
		k := page.ChannelCategories[cid]
		if !head.Categories.Live(k) && !head.Categories.Tombstone(k) {
			run.Categories.add("channel %s names category %s, which does not exist", cid, k)
		}
	}
	for _, m := range page.Members {
		if !m.KeysOK() {
			run.Keys.add("member %s has index keys %s, want %s", m.UserID, keysString(m.Keys), keysString(m.WantKeys()))
		}
	}
	return takeRolePage(ctx, run, g, page, look)
}

// takeRolePage adds invariant 6 of one page: the members' roleIDs against
// the roles and their role-membership records, and the role-membership
// records against their roles and members.
func takeRolePage(ctx context.Context, run *checkRun, g *store.Group, page *store.GroupState, look recordLookup) error {
	roles := g.Roles
	live := func(id string) bool { r := roles.Roles[id]; return r != nil && r.Type == store.RoleTypeCustom }
	tomb := func(id string) bool { _, ok := roles.Deleted[id]; return ok }
	var held [][2]string
	for _, m := range page.Members {
		known := 0
		for _, id := range m.RoleIDs {
			if live(id) || tomb(id) {
				known++
			}
			if live(id) {
				run.RoleHolders[id]++
				held = append(held, [2]string{id, m.UserID})
			}
		}
		if known != len(m.RoleIDs) {
			run.Stale.add("member %s holds roles that do not exist: roleIDs %v", m.UserID, m.RoleIDs)
		}
	}
	if len(held) > 0 {
		exist, err := look.roleMemberships(ctx, held)
		if err != nil {
			return err
		}
		for _, p := range held {
			if !exist[p] {
				run.addMissing(p)
			}
		}
	}
	var holders []string
	for _, rm := range page.RoleMembers {
		if live(rm.RoleID) {
			holders = append(holders, rm.UserID)
		}
	}
	var ms map[string]*store.Member
	if len(holders) > 0 {
		// A member holding several roles has a record of each; a
		// BatchGetItem refuses a key twice.
		slices.Sort(holders)
		holders = slices.Compact(holders)
		var err error
		if ms, err = look.members(ctx, holders); err != nil {
			return err
		}
	}
	for _, rm := range page.RoleMembers {
		switch m := ms[rm.UserID]; {
		case tomb(rm.RoleID):
		case !live(rm.RoleID) || m == nil:
			run.Orphans.add("role-membership record %s/%s of a role or member that does not exist", rm.RoleID, rm.UserID)
		case !slices.Contains(m.RoleIDs, rm.RoleID):
			run.Unneeded.add("role-membership record %s/%s but the member does not hold the role", rm.RoleID, rm.UserID)
		}
	}
	return nil
}

// recordLookup answers the records a page's checks need that may be on
// other pages: member records by user ID, and whether role-membership
// records (roleID, userID) exist.
type recordLookup interface {
	members(ctx context.Context, userIDs []string) (map[string]*store.Member, error)
	roleMemberships(ctx context.Context, pairs [][2]string) (map[[2]string]bool, error)
}

// byKey reads them, strongly consistent, by key.
type byKey struct {
	st      *store.Store
	groupID string
}

func (b byKey) members(ctx context.Context, userIDs []string) (map[string]*store.Member, error) {
	return b.st.GetMembers(ctx, b.groupID, userIDs)
}

func (b byKey) roleMemberships(ctx context.Context, pairs [][2]string) (map[[2]string]bool, error) {
	return b.st.RoleMembershipsExist(ctx, b.groupID, pairs)
}

// onPageRecords are those of a page that holds the group's whole partition:
// every record a lookup can name is on it, read with the rest of the page,
// so a small group's check reads nothing by key.
type onPageRecords struct {
	ms    map[string]*store.Member
	roles map[[2]string]bool
}

func onPage(page *store.GroupState) onPageRecords {
	r := onPageRecords{ms: map[string]*store.Member{}, roles: map[[2]string]bool{}}
	for _, m := range page.Members {
		r.ms[m.UserID] = &m.Member
	}
	for _, rm := range page.RoleMembers {
		r.roles[[2]string{rm.RoleID, rm.UserID}] = true
	}
	return r
}

func (r onPageRecords) members(context.Context, []string) (map[string]*store.Member, error) {
	return r.ms, nil
}

func (r onPageRecords) roleMemberships(context.Context, [][2]string) (map[[2]string]bool, error) {
	return r.roles, nil
}

// addMissing keeps the first maxListed missing role-membership records in
// (roleID, userID) order, as evaluate lists them.
func (r *checkRun) addMissing(p [2]string) {
	i, _ := slices.BinarySearchFunc(r.Missing, p, comparePair)
	r.Missing = slices.Insert(r.Missing, i, p)
	if len(r.Missing) > maxListed {
		r.Missing = r.Missing[:maxListed]
		r.MissingMore++
	}
}

func comparePair(a, b [2]string) int {
	return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
}

// takeEvents adds a page of retained events (invariant 4).
func (r *checkRun) takeEvents(evs []store.EventVersion, now time.Time) {
	for _, ev := range evs {
		if ev.ExpiresAt != 0 && ev.ExpiresAt <= now.Unix() {
			continue // expired, awaiting TTL deletion
		}
		if kv := ev.KeyVersion(); kv != ev.Version {
			r.Events.add("event %s carries version %d", ev.SK, ev.Version)
		}
		if r.HasLast && ev.Version != r.LastVersion+1 {
			if ev.Version <= r.LastVersion {
				r.Events.add("event version %d repeats or goes back after %d", ev.Version, r.LastVersion)
			} else {
				r.Events.add("events jump from version %d to %d", r.LastVersion, ev.Version)
			}
		}
		r.HasLast, r.LastVersion, r.LastOccurred = true, ev.Version, ev.OccurredAt
	}
}

// report is the finished check's report, its findings in evaluate's order.
func (r *checkRun) report(h *store.CheckHead, in CheckInput, now time.Time) *CheckReport {
	g := h.Group
	dismissed := g.Status == store.StatusDismissed
	rep := &CheckReport{GroupID: g.GroupID, Version: g.Version, Violations: []Finding{}}
	add := func(inv int, format string, args ...any) {
		rep.Violations = append(rep.Violations, Finding{inv, fmt.Sprintf(format, args...)})
	}
	if g.MemberCount != r.Members {
		add(2, "memberCount is %d but there are %d member records", g.MemberCount, r.Members)
	}
	if !dismissed && g.ChannelCount != r.Channels {
		add(2, "channelCount is %d but there are %d channels", g.ChannelCount, r.Channels)
	}
	if !dismissed && g.PendingApplications != int64(r.Pending) {
		add(2, "pendingApplications is %d but there are %d pending applications", g.PendingApplications, r.Pending)
	}
	rep.Violations = append(rep.Violations, r.Bans.findings(8)...)
	if !dismissed {
		rep.Violations = append(rep.Violations, r.Categories.findings(7)...)
		switch {
		case g.OwnerUserID == "":
			add(1, "the group names no owner")
		case !r.OwnerSeen:
			add(1, "ownerUserID %s is not a member", g.OwnerUserID)
		case r.OwnerLevel != store.RoleOwner:
			add(1, "ownerUserID %s has roleLevel %d, not %d", g.OwnerUserID, r.OwnerLevel, store.RoleOwner)
		}
		if r.Owners == 0 {
			add(1, "no member has roleLevel %d", store.RoleOwner)
		}
		if others := r.OtherOwners; len(others.Items) > 0 {
			more := ""
			if others.More > 0 {
				more = fmt.Sprintf(" and %d more", others.More)
			}
			add(1, "members other than ownerUserID with roleLevel %d: %s%s", store.RoleOwner, strings.Join(others.Items, ", "), more)
		}
		rep.Violations = append(rep.Violations, r.Keys.findings(3)...)
		rep.Violations = append(rep.Violations, r.roleFindings(g.Roles)...)
	}
	rep.Violations = append(rep.Violations, r.Events.findings(4)...)
	if r.HasLast && r.LastVersion != g.Version {
		add(4, "the newest retained event has version %d but the group is at version %d", r.LastVersion, g.Version)
	}
	if dismissed && (r.Members > 0 || r.Pending > 0) {
		f := Finding{5, fmt.Sprintf("the group is dismissed but %d member and %d pending application records remain", r.Members, r.Pending)}
		rep.addCleanup(f, in.CleanupDue || !r.HasLast || r.LastVersion != g.Version || now.Sub(time.UnixMilli(r.LastOccurred)) > CleanupGrace)
	}
	return rep
}

// roleFindings are invariant 6's findings in roleFindings' order.
func (r *checkRun) roleFindings(roles *store.Roles) []Finding {
	var out []Finding
	for _, id := range slices.Sorted(maps.Keys(roles.Roles)) {
		if role := roles.Roles[id]; role.Type == store.RoleTypeCustom && role.MemberCount != r.RoleHolders[id] {
			out = append(out, Finding{6, fmt.Sprintf("role %s has memberCount %d but %d members hold it", id, role.MemberCount, r.RoleHolders[id])})
		}
	}
	out = append(out, r.Stale.findings(6)...)
	missing := listed{More: r.MissingMore}
	for _, p := range r.Missing {
		missing.Items = append(missing.Items, fmt.Sprintf("member %s holds role %s but has no role-membership record", p[1], p[0]))
	}
	out = append(out, missing.findings(6)...)
	out = append(out, r.Unneeded.findings(6)...)
	return append(out, r.Orphans.findings(6)...)
}
