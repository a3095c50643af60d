package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/model"
)

// Channel categories. CheckPermissions must stay one round trip for a
// channel in a category, so every key it reads derives from (group,
// channel, users), never from the channel's categoryID:
//
//	categories  G#<gid>  CATS          every category's layer but its user list: viewMode, roles,
//	                                   category roles, list generation, tombstone; ≤ MaxCategories
//	category    G#<gid>  K#<catID>     name, ext, position, times and the user list (≤ MaxAccessUsers)
//	user facts  G#<gid>  KU#<uid>      the user's entries on category lists ("<catID>:<gen>" in a
//	                                   string set) and category member overrides (attribute O#<catID>)
//
// A user is on a category's list when KU#<uid> holds "<catID>:<gen>" with
// the layer's current list generation: emptying a list (a viewMode change)
// moves the generation and writes no user's item. A category change is a
// group change, so it serializes with every other on the group's version;
// CATS is also conditioned on its own rev, which the tombstone cleanup moves
// without a group change.

// MaxCategories bounds a group's categories, tombstones of deleted ones not
// yet cleaned up included: it keeps CATS, which every check in a channel
// reads, a few tens of KB (50 layers of at most MaxAccessRoles roles each).
const MaxCategories = 50

// MaxCategoryListChange bounds the users one access-list request of a
// category adds or removes: each is one more item (their KU#) in the
// change's transaction. The list itself holds up to MaxAccessUsers.
const MaxCategoryListChange = 80

// MaxCategoryOverrides bounds the member overrides of one category, so
// that a channel leaving it (unsynced by an edit, moved out) copies them
// into its own overrides in the same transaction as the change.
const MaxCategoryOverrides = 60

const (
	skCategories     = "CATS"
	prefixCategory   = "K#"
	prefixUserCats   = "KU#"
	attrListEntries  = "lists"
	prefixOverrideAt = "O#"
	kindCategory     = "category"
	kindCategories   = "categories"
	kindUserCats     = "userCategories"
)

func categorySK(id string) string  { return prefixCategory + id }
func userCatsSK(uid string) string { return prefixUserCats + uid }

// categoryLayer is one category's entry in CATS.
type categoryLayer struct {
	ViewMode  int                     `dynamodbav:"viewMode"`
	Roles     []string                `dynamodbav:"roles,stringset,omitempty"`
	RoleAuths map[string]*ChannelRole `dynamodbav:"roleAuths"`
	// ListGen is the generation of the user list; entries of another
	// generation in KU# items are dead.
	ListGen int64 `dynamodbav:"listGen"`
	// Deleted is when the category was deleted (0: live). Channels that
	// followed it keep following its tombstone until the cleanup has
	// copied the layer into them.
	Deleted int64 `dynamodbav:"deleted,omitempty"`
}

type categoriesItem struct {
	Layers map[string]*categoryLayer `dynamodbav:"layers"`
	Rev    int64                     `dynamodbav:"rev"`
}

// Categories is the CATS item as read.
type Categories struct{ item categoriesItem }

// Count is the number of categories, tombstones included (MaxCategories).
func (c *Categories) Count() int { return len(c.item.Layers) }

// Live reports whether id names a live category.
func (c *Categories) Live(id string) bool {
	l := c.item.Layers[id]
	return l != nil && l.Deleted == 0
}

// Deleted lists the tombstones, in ID order.
func (c *Categories) Deleted() []string {
	var out []string
	for id, l := range c.item.Layers {
		if l.Deleted != 0 {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func unmarshalCategories(item map[string]types.AttributeValue) (*Categories, error) {
	c := &Categories{}
	if item != nil {
		if err := attributevalue.UnmarshalMap(item, &c.item); err != nil {
			return nil, fmt.Errorf("store: unmarshal categories: %w", err)
		}
	}
	if c.item.Layers == nil {
		c.item.Layers = map[string]*categoryLayer{}
	}
	for _, l := range c.item.Layers {
		if l.RoleAuths == nil {
			l.RoleAuths = map[string]*ChannelRole{}
		}
	}
	return c, nil
}

// layer is the model layer of category id for a decision about users
// (their entries read from their KU# items); nil if CATS has no such
// category.
func (c *Categories) layer(id string, users map[string]*userCats) *model.Layer {
	l := c.item.Layers[id]
	if l == nil {
		return nil
	}
	out := &model.Layer{ViewMode: l.ViewMode, Roles: l.Roles, RoleAuths: l.RoleAuths}
	for uid, u := range users {
		if u.listed(id, l.ListGen) {
			out.Users = append(out.Users, uid)
		}
	}
	sort.Strings(out.Users)
	return out
}

// userCats is a KU# item: one user's category facts in a group.
type userCats struct {
	entries   map[string]bool
	overrides map[string]*MemberOverride
}

func listEntry(catID string, gen int64) string { return catID + ":" + strconv.FormatInt(gen, 10) }

func (u *userCats) listed(catID string, gen int64) bool {
	return u != nil && u.entries[listEntry(catID, gen)]
}

func unmarshalUserCats(groupID, userID string, item map[string]types.AttributeValue) (*userCats, error) {
	u := &userCats{entries: map[string]bool{}, overrides: map[string]*MemberOverride{}}
	for name, v := range item {
		switch {
		case name == attrListEntries:
			var ss []string
			if err := attributevalue.Unmarshal(v, &ss); err != nil {
				return nil, fmt.Errorf("store: unmarshal category lists of %s: %w", userID, err)
			}
			for _, e := range ss {
				u.entries[e] = true
			}
		case strings.HasPrefix(name, prefixOverrideAt):
			ov := &MemberOverride{}
			if err := attributevalue.Unmarshal(v, ov); err != nil {
				return nil, fmt.Errorf("store: unmarshal category override of %s: %w", userID, err)
			}
			ov.GroupID, ov.UserID, ov.CategoryID, ov.ChannelID = groupID, userID, strings.TrimPrefix(name, prefixOverrideAt), ""
			if ov.Auths == nil {
				ov.Auths = map[string]string{}
			}
			u.overrides[ov.CategoryID] = ov
		}
	}
	return u, nil
}

// categoryRecord is what K#<catID> stores: the category without its layer
// but with its user list. The layer lives in CATS alone, so the two never
// disagree.
func categoryRecord(c *Category) map[string]types.AttributeValue {
	item := marshalItem(c, map[string]string{"PK": groupPK(c.GroupID), "SK": categorySK(c.CategoryID), "kind": kindCategory})
	delete(item, "viewMode")
	delete(item, "roles")
	delete(item, "roleAuths")
	return item
}

// Category is the entity.
type Category = model.Category

func unmarshalCategory(item map[string]types.AttributeValue, cats *Categories) (*Category, error) {
	c, err := unmarshal[Category](item)
	if err != nil {
		return nil, err
	}
	c.RoleAuths = map[string]*ChannelRole{}
	if l := cats.item.Layers[c.CategoryID]; l != nil {
		c.ViewMode, c.Roles = l.ViewMode, l.Roles
		for parent, cr := range l.RoleAuths {
			cp := *cr
			cp.GroupID, cp.CategoryID, cp.ChannelID, cp.ParentRoleID = c.GroupID, c.CategoryID, "", parent
			if cp.Auths == nil {
				cp.Auths = map[string]string{}
			}
			c.RoleAuths[parent] = &cp
		}
	}
	return c, nil
}

func categoryNotFound(id string) error {
	return errcode.New(errcode.NotFound, "category %s not found", id)
}

// CategoryState is what a category operation decides on, read as one
// snapshot.
type CategoryState struct {
	Group   *Group
	Members map[string]*Member
	Custom  *CustomAuths
	Cats    *Categories
	// Category is nil when it does not exist or is deleted.
	Category *Category
	// Overrides are the asked users' overrides in Category, by userID.
	Overrides map[string]*MemberOverride
}

// LoadCategoryState reads, in one TransactGetItems, the group, its roles,
// the custom items, CATS, the category (if categoryID is given), the
// member records of userIDs (at most 90) and the KU# items of the first two
// (the actor and the member an override is about).
func (s *Store) LoadCategoryState(ctx context.Context, groupID, categoryID string, userIDs ...string) (*CategoryState, error) {
	return s.loadCategoryState(ctx, readTx, groupID, categoryID, userIDs...)
}

// ViewCategoryState is LoadCategoryState for a read nothing is written
// from (GetCategoryAccessList, ListCategoryRoles): the same items in one
// BatchGetItem, eventually consistent unless the context asks otherwise
// (view.go).
func (s *Store) ViewCategoryState(ctx context.Context, groupID, categoryID string, userIDs ...string) (*CategoryState, error) {
	return s.loadCategoryState(ctx, readView, groupID, categoryID, userIDs...)
}

func (s *Store) loadCategoryState(ctx context.Context, how reader, groupID, categoryID string, userIDs ...string) (*CategoryState, error) {
	users := distinct(userIDs)
	extra := []map[string]types.AttributeValue{key(pkApp, skCustom), key(groupPK(groupID), skCategories), key(groupPK(groupID), categorySK(categoryID))}
	for _, id := range users[:min(2, len(users))] {
		extra = append(extra, key(groupPK(groupID), userCatsSK(id)))
	}
	if categoryID == "" {
		extra[2] = key(groupPK(groupID), categorySK("-"))
	}
	g, ms, items, err := s.readSnapshot(ctx, how, groupID, users, extra)
	if err != nil {
		return nil, err
	}
	st := &CategoryState{Group: g, Members: ms, Overrides: map[string]*MemberOverride{}}
	if st.Custom, err = unmarshalCustomAuths(items[0]); err != nil {
		return nil, err
	}
	if st.Cats, err = unmarshalCategories(items[1]); err != nil {
		return nil, err
	}
	if categoryID == "" || items[2] == nil || !st.Cats.Live(categoryID) {
		return st, nil
	}
	if st.Category, err = unmarshalCategory(items[2], st.Cats); err != nil {
		return nil, err
	}
	for i, id := range users[:min(2, len(users))] {
		u, err := unmarshalUserCats(groupID, id, items[3+i])
		if err != nil {
			return nil, err
		}
		if ov := u.overrides[categoryID]; ov != nil {
			st.Overrides[id] = ov
		}
	}
	return st, nil
}

func distinct(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// putCategories adds the write of CATS as cats with layers changed by
// edit, conditioned on the rev read.
func (s *Store) putCategories(t *tx, groupID string, cats *Categories) {
	next := cats.item
	rev := next.Rev
	next.Rev = rev + 1
	put := s.putItem(marshalItem(next, map[string]string{"PK": groupPK(groupID), "SK": skCategories, "kind": kindCategories}))
	if rev == 0 {
		put.If(ifAbsent)
	} else {
		put.If("$ = ?", "rev", rev)
	}
	addTo(t, put, func(Item) error { return errVersionMoved })
}

func layerOf(c *Category, gen int64) *categoryLayer {
	l := &categoryLayer{ViewMode: c.ViewMode, Roles: c.Roles, RoleAuths: map[string]*ChannelRole{}, ListGen: gen}
	for parent, cr := range c.RoleAuths {
		// A layer's role is keyed by its parent in the map; only its auths
		// and times are stored.
		l.RoleAuths[parent] = &ChannelRole{Auths: cr.Auths, CreateTime: cr.CreateTime, UpdateTime: cr.UpdateTime}
	}
	return l
}

// CreateCategory writes a new category as one change of the group read in
// st: its record, which must not exist, and its layer in CATS, whose rev
// condition makes the MaxCategories check on the state read hold at the
// write.
func (s *Store) CreateCategory(ctx context.Context, st *CategoryState, c *Category, ev event.Event) (*event.Event, error) {
	if st.Cats.Count() >= MaxCategories {
		return nil, errcode.New(errcode.LimitExceeded, "group %s has %d categories (deleted ones still being cleaned up included); the limit is %d", st.Group.GroupID, st.Cats.Count(), MaxCategories)
	}
	if st.Cats.item.Layers[c.CategoryID] != nil {
		return nil, errcode.New(errcode.InvalidArgument, "category %s exists in group %s, or was deleted and is still being cleaned up", c.CategoryID, st.Group.GroupID)
	}
	c.GroupID, c.Rev = st.Group.GroupID, 1
	cats := st.Cats.clone()
	// The list generation starts at the creation time, so that entries
	// left in KU# items by an earlier category of the same ID never match.
	cats.item.Layers[c.CategoryID] = layerOf(c, c.CreateTime)
	id := c.CategoryID
	return s.commitChange(ctx, s.newChange(st.Group, ev), func(t *tx) {
		s.putCategories(t, st.Group.GroupID, cats)
		addTo(t, s.putItem(categoryRecord(c)).If(ifAbsent), func(Item) error {
			return errcode.New(errcode.InvalidArgument, "category %s already exists", id)
		})
	})
}

func (c *Categories) clone() *Categories {
	out := &Categories{item: categoriesItem{Rev: c.item.Rev, Layers: make(map[string]*categoryLayer, len(c.item.Layers))}}
	for id, l := range c.item.Layers {
		cp := *l
		out.item.Layers[id] = &cp
	}
	return out
}

// CategoryListChange names the users a category change adds to its list
// and removes from it (at most MaxCategoryListChange in all).
type CategoryListChange struct {
	Add, Remove []string
}

// UpdateCategory writes next, the category built from st.Category (whose
// Rev it carries), as one change of the group: its record and its layer,
// and the KU# entries of the users list names. A changed viewMode empties
// the user list by moving its generation, writing no user's item.
func (s *Store) UpdateCategory(ctx context.Context, st *CategoryState, next *Category, list CategoryListChange, ev event.Event) (*event.Event, error) {
	if n := len(list.Add) + len(list.Remove); n > MaxCategoryListChange {
		return nil, errcode.New(errcode.InvalidArgument, "a category's list changes by at most %d users per request, not %d", MaxCategoryListChange, n)
	}
	old := st.Cats.item.Layers[next.CategoryID]
	if old == nil || old.Deleted != 0 {
		return nil, categoryNotFound(next.CategoryID)
	}
	gen := old.ListGen
	if next.ViewMode != old.ViewMode {
		gen++
		next.Users = nil
	}
	cats := st.Cats.clone()
	cats.item.Layers[next.CategoryID] = layerOf(next, gen)
	read := next.Rev
	next.Rev = read + 1
	gid, id := st.Group.GroupID, next.CategoryID
	out, err := s.commitChange(ctx, s.newChange(st.Group, ev), func(t *tx) {
		s.putCategories(t, gid, cats)
		addTo(t, s.putItem(categoryRecord(next)).If(categoryAtRev, "rev", read), categoryMoved(id))
		entry := listEntry(id, gen)
		for _, uid := range list.Add {
			addTo(t, s.updateUserCats(gid, uid).AddStringsToSet(attrListEntries, entry), nil)
		}
		for _, uid := range list.Remove {
			addTo(t, s.updateUserCats(gid, uid).DeleteStringsFromSet(attrListEntries, entry), nil)
		}
	})
	if err != nil {
		next.Rev = read
	}
	return out, err
}

// DeleteCategory deletes the category as one change of the group: its
// layer in CATS becomes a tombstone and its record stays, with its list
// and override holders, until CleanupDeletedCategory is done. Its channels
// keep their categoryID, which reads as none (ShowCategory); those that
// were synced keep following the tombstone's layer until the cleanup has
// copied it into each, so nobody's access changes by the deletion.
func (s *Store) DeleteCategory(ctx context.Context, st *CategoryState, ev event.Event) (*event.Event, error) {
	c := st.Category
	cats := st.Cats.clone()
	now := s.nowMillis()
	cats.item.Layers[c.CategoryID].Deleted = now
	gid := st.Group.GroupID
	up := s.updateCategory(c).Set("deleted", now)
	return s.commitChange(ctx, s.newChange(st.Group, ev), func(t *tx) {
		s.putCategories(t, gid, cats)
		addTo(t, up, categoryMoved(c.CategoryID))
	})
}

// PutCategoryOverride writes m's override in the category of st, as one
// change of the group, on condition that m is still a member with the
// joinTime read and the category is still at the rev read; the category
// lists m among its override holders, at most MaxCategoryOverrides.
func (s *Store) PutCategoryOverride(ctx context.Context, st *CategoryState, m *Member, ov *MemberOverride, ev event.Event) (*event.Event, error) {
	c := st.Category
	if !slices.Contains(c.OverrideUsers, m.UserID) && len(c.OverrideUsers) >= MaxCategoryOverrides {
		return nil, errcode.New(errcode.LimitExceeded, "category %s has %d member overrides; the limit is %d", c.CategoryID, len(c.OverrideUsers), MaxCategoryOverrides)
	}
	ov.GroupID, ov.CategoryID, ov.ChannelID, ov.UserID, ov.JoinTime = c.GroupID, c.CategoryID, "", m.UserID, m.JoinTime
	if ov.Auths == nil {
		ov.Auths = map[string]string{}
	}
	uid := m.UserID
	put := s.updateUserCats(c.GroupID, uid).SetExpr("$ = ?", prefixOverrideAt+c.CategoryID, attr(map[string]any{"auths": ov.Auths, "joinTime": ov.JoinTime, "updateTime": ov.UpdateTime}))
	return s.commitChange(ctx, s.newChange(st.Group, ev), func(t *tx) {
		s.updateCategoryHolders(t, c, "ADD", uid)
		addTo(t, s.checkItem(groupPK(c.GroupID), memberSK(uid)).If(ifExists).If("$ = ?", "joinTime", m.JoinTime),
			func(old Item) error {
				if old == nil {
					return errcode.New(errcode.NotInGroup, "user %s is not a member", uid)
				}
				return errVersionMoved
			})
		addTo(t, put, nil)
	})
}

// DeleteCategoryOverride removes userID's override in the category of st,
// as one change of the group; NOT_FOUND when there is none.
func (s *Store) DeleteCategoryOverride(ctx context.Context, st *CategoryState, userID string, ev event.Event) (*event.Event, error) {
	c := st.Category
	at := prefixOverrideAt + c.CategoryID
	del := s.updateItem(groupPK(c.GroupID), userCatsSK(userID)).RemoveExpr("$", at).If("attribute_exists($)", at)
	return s.commitChange(ctx, s.newChange(st.Group, ev), func(t *tx) {
		s.updateCategoryHolders(t, c, "DELETE", userID)
		addTo(t, del, func(Item) error {
			return errcode.New(errcode.NotFound, "user %s has no settings in category %s", userID, c.CategoryID)
		})
	})
}

// updateCategoryHolders adds (verb ADD) or removes (DELETE) uid among c's
// override holders, conditioned on the rev read, which it moves.
func (s *Store) updateCategoryHolders(t *tx, c *Category, verb, uid string) {
	up := s.updateCategory(c)
	if verb == "ADD" {
		up.AddStringsToSet("overrideUsers", uid)
	} else {
		up.DeleteStringsFromSet("overrideUsers", uid)
	}
	addTo(t, up, categoryMoved(c.CategoryID))
	c.Rev++
}

// categoryAtRev is the condition of a write of a category as read, with
// its arguments (categoryAtRev, "rev", c.Rev): it still exists at the rev
// read.
const categoryAtRev = "attribute_exists(PK) AND $ = ?"

// categoryMoved explains a failed categoryAtRev.
func categoryMoved(id string) func(Item) error {
	return func(old Item) error {
		if old == nil {
			return categoryNotFound(id)
		}
		return errVersionMoved
	}
}

// updateCategory is the update of c's record as read, conditioned on its
// rev and moving it to the next.
func (s *Store) updateCategory(c *Category) *dynamo.Update {
	return s.updateItem(groupPK(c.GroupID), categorySK(c.CategoryID)).
		SetExpr("$ = $ + ?", "rev", "rev", 1).
		If(categoryAtRev, "rev", c.Rev)
}

// updateUserCats is an update of a user's category facts (KU#), created
// when absent.
func (s *Store) updateUserCats(groupID, uid string) *dynamo.Update {
	return s.updateItem(groupPK(groupID), userCatsSK(uid)).Set("kind", kindUserCats)
}

// ListCategories reads every live category of a group (at most
// MaxCategories: one Query and CATS), in position order, ties in creation
// order (IDs are ULIDs).
func (s *Store) ListCategories(ctx context.Context, groupID string) ([]*Category, error) {
	cats, err := s.GetCategories(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return s.categoriesOf(ctx, groupID, cats, true)
}

// ViewCategories is ListCategories for a read nothing is written from
// (the category list): CATS and the Query eventually consistent unless the
// context asks otherwise (view.go).
func (s *Store) ViewCategories(ctx context.Context, groupID string) ([]*Category, error) {
	it, err := s.viewOne(ctx, key(groupPK(groupID), skCategories))
	if err != nil {
		return nil, err
	}
	cats, err := unmarshalCategories(it)
	if err != nil {
		return nil, err
	}
	return s.categoriesOf(ctx, groupID, cats, ConsistentReads(ctx))
}

// categoriesOf queries the live categories of cats, in position order.
func (s *Store) categoriesOf(ctx context.Context, groupID string, cats *Categories, consistent bool) ([]*Category, error) {
	var out []*Category
	q := s.partition(baseTable, groupPK(groupID)).Range("SK", dynamo.BeginsWith, prefixCategory).Consistent(consistent)
	err := each(ctx, q, func(it Item) error {
		c, err := unmarshalCategory(it, cats)
		if err == nil && cats.Live(c.CategoryID) {
			out = append(out, c)
		}
		return err
	})
	SortByPosition(out, func(c *Category) (int64, string) { return c.Position, c.CategoryID })
	return out, err
}

// SortByPosition orders items by position, ties by ID (creation order:
// IDs are ULIDs).
func SortByPosition[T any](items []T, pos func(T) (int64, string)) {
	sort.SliceStable(items, func(i, j int) bool {
		pi, ii := pos(items[i])
		pj, ij := pos(items[j])
		if pi != pj {
			return pi < pj
		}
		return ii < ij
	})
}

// GetCategories reads CATS with a strongly consistent read.
func (s *Store) GetCategories(ctx context.Context, groupID string) (*Categories, error) {
	item, err := s.get(ctx, groupPK(groupID), skCategories)
	if err != nil {
		return nil, err
	}
	return unmarshalCategories(item)
}

// attachCategory gives a channel loaded for a decision the facts of its
// category: the layer of a synced channel (its users among those asked, by
// their KU# items), and for each user their override in that category in
// place of the channel's own, which does not apply while synced. A synced
// channel of a deleted category keeps following the tombstone's layer
// until the cleanup has copied it into the channel (ShownCategory).
func attachCategory(ch *Channel, cats *Categories, users map[string]*userCats, overrides map[string]*MemberOverride) {
	if ch == nil || !ch.IsSynced() {
		return
	}
	ch.Category = cats.layer(ch.CategoryID, users)
	for uid, u := range users {
		delete(overrides, uid)
		if ov := u.overrides[ch.CategoryID]; ov != nil {
			overrides[uid] = ov
		}
	}
}

// ShowCategory sets what a client is told of a channel's category: a
// deleted one reads as none, and the channel as unsynced, since it keeps
// (a copy of) the settings it followed.
func ShowCategory(ch *Channel, cats *Categories) {
	if ch.CategoryID != "" && !cats.Live(ch.CategoryID) {
		ch.CategoryID, ch.SyncMode = "", model.Unsynced
	}
}

// CategoryCopy is what a channel leaving a category's layer keeps: the
// category with its full user list, and its member overrides.
type CategoryCopy struct {
	Category  *Category
	Overrides []*MemberOverride
}

// LoadCategoryCopy reads the category (live or a tombstone's layer) a
// synced channel follows, with its user list and its member overrides:
// CATS, the record and one BatchGetItem of at most MaxCategoryOverrides
// KU# items. A change committing a copy is a group change, so the group's
// version condition makes this read current at the write.
func (s *Store) LoadCategoryCopy(ctx context.Context, groupID, categoryID string) (*CategoryCopy, error) {
	c, err := s.LoadCategoryLayer(ctx, groupID, categoryID)
	if err != nil {
		return nil, err
	}
	cp := &CategoryCopy{Category: c}
	keys := make([]map[string]types.AttributeValue, 0, len(c.OverrideUsers))
	for _, uid := range c.OverrideUsers {
		keys = append(keys, key(groupPK(groupID), userCatsSK(uid)))
	}
	if len(keys) == 0 {
		return cp, nil
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		uid := strings.TrimPrefix(strAttr(it, "SK"), prefixUserCats)
		u, err := unmarshalUserCats(groupID, uid, it)
		if err != nil {
			return nil, err
		}
		if ov := u.overrides[categoryID]; ov != nil {
			cp.Overrides = append(cp.Overrides, ov)
		}
	}
	sort.Slice(cp.Overrides, func(i, j int) bool { return cp.Overrides[i].UserID < cp.Overrides[j].UserID })
	return cp, nil
}

// RewriteChannel writes next, the channel built from the one read (whose
// Rev it carries), whole, with the member overrides given (each put as a
// channel override of next's generation) and deleteOverrides removed, as
// one change of the group: a channel leaving its category's layer (an
// edit of a synced channel, a move) and one dropping its own (a move into
// a category, synced) each commit in one transaction with their one event.
// When next joins a category, the category must be live.
func (s *Store) RewriteChannel(ctx context.Context, g *Group, next *Channel, joins string, overrides []*MemberOverride, deleteOverrides []string, ev event.Event) (*event.Event, error) {
	if len(overrides)+len(deleteOverrides) > MaxCategoryOverrides+1 {
		return nil, fmt.Errorf("store: rewrite of channel %s with %d overrides", next.ChannelID, len(overrides)+len(deleteOverrides))
	}
	read := next.Rev
	onFail := channelMoved(next)
	next.Rev = read + 1
	gid, cid := g.GroupID, next.ChannelID
	put := s.putItem(channelItem(next)).If(channelAtRev, "rev", read)
	out, err := s.commitChange(ctx, s.newChange(g, ev), func(t *tx) {
		addTo(t, put, onFail)
		if joins != "" {
			addTo(t, s.checkItem(groupPK(gid), categorySK(joins)).If(ifExists).If("attribute_not_exists($)", "deleted"), func(Item) error {
				return categoryNotFound(joins)
			})
		}
		for _, ov := range overrides {
			cp := *ov
			cp.GroupID, cp.ChannelID, cp.CategoryID, cp.Gen = gid, cid, "", next.Gen
			addTo(t, s.putItem(overrideItem(&cp)), nil)
		}
		for _, uid := range deleteOverrides {
			addTo(t, s.deleteItem(groupPK(gid), overrideSK(cid, uid)), nil)
		}
	})
	if err != nil {
		next.Rev = read
	}
	return out, err
}

// LoadCategoryLayer reads the category (live or a tombstone's layer) a
// synced channel follows, with its full user list: CATS and its record.
func (s *Store) LoadCategoryLayer(ctx context.Context, groupID, categoryID string) (*Category, error) {
	cats, err := s.GetCategories(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if cats.item.Layers[categoryID] == nil {
		return nil, categoryNotFound(categoryID)
	}
	rec, err := s.get(ctx, groupPK(groupID), categorySK(categoryID))
	if err != nil {
		return nil, err
	}
	return categoryOfLayer(cats, categoryID, rec)
}

// ViewCategoryLayer is LoadCategoryLayer for a read nothing is written
// from (ListChannelMembers of a synced channel), on the CATS its view read:
// the record alone, eventually consistent unless the context asks
// otherwise (view.go).
func (s *Store) ViewCategoryLayer(ctx context.Context, cats *Categories, groupID, categoryID string) (*Category, error) {
	if cats.item.Layers[categoryID] == nil {
		return nil, categoryNotFound(categoryID)
	}
	rec, err := s.viewOne(ctx, key(groupPK(groupID), categorySK(categoryID)))
	if err != nil {
		return nil, err
	}
	return categoryOfLayer(cats, categoryID, rec)
}

// categoryOfLayer is the category of record rec with its layer in cats.
func categoryOfLayer(cats *Categories, categoryID string, rec Item) (*Category, error) {
	if rec == nil {
		return nil, categoryNotFound(categoryID)
	}
	// The record of a deleted category stays until its cleanup is done,
	// so a tombstone's layer has its list too.
	return unmarshalCategory(rec, cats)
}

// CategoryFacts are CATS and some users' KU# items: what deciding on
// channels already read needs of their categories.
type CategoryFacts struct {
	Cats  *Categories
	users map[string]*userCats
}

// LoadCategoryFacts reads CATS and the KU# items of userIDs in one
// BatchGetItem, a view (view.go): eventually consistent unless the context
// asks otherwise.
func (s *Store) LoadCategoryFacts(ctx context.Context, groupID string, userIDs ...string) (*CategoryFacts, error) {
	users := distinct(userIDs)
	keys := []map[string]types.AttributeValue{key(groupPK(groupID), skCategories)}
	for _, id := range users {
		keys = append(keys, key(groupPK(groupID), userCatsSK(id)))
	}
	items, err := s.viewGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	f := &CategoryFacts{users: map[string]*userCats{}}
	var catsItem map[string]types.AttributeValue
	byUser := map[string]map[string]types.AttributeValue{}
	for _, it := range items {
		if sk := strAttr(it, "SK"); sk == skCategories {
			catsItem = it
		} else {
			byUser[strings.TrimPrefix(sk, prefixUserCats)] = it
		}
	}
	if f.Cats, err = unmarshalCategories(catsItem); err != nil {
		return nil, err
	}
	for _, id := range users {
		if f.users[id], err = unmarshalUserCats(groupID, id, byUser[id]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// CategoryOverride is userID's override in the category, as a channel
// override of the category seen as a channel (what the rules of a category
// operation decide on); nil if none or userID was not read.
func (f *CategoryFacts) CategoryOverride(categoryID, userID string) *MemberOverride {
	u := f.users[userID]
	if u == nil || u.overrides[categoryID] == nil {
		return nil
	}
	c := *u.overrides[categoryID]
	c.CategoryID, c.ChannelID = "", categoryID
	return &c
}

// Attach gives ch the facts of its category (attachCategory) for the users
// read.
func (f *CategoryFacts) Attach(ch *Channel, overrides map[string]*MemberOverride) {
	attachCategory(ch, f.Cats, f.users, overrides)
}

// CleanupDeletedCategory finishes the deletion of a category, at most
// maxItems channels per call: each channel still naming it leaves it in
// its own transaction, conditioned on the channel's rev (a synced one
// keeps a copy of the tombstone's layer and member overrides, as
// RewriteChannel writes them, so nobody's access changes; an unsynced one
// only drops its categoryID). Once none is left, the category's member
// overrides (KU# attributes of its holders), its record and its tombstone
// go, in that order. It answers done then. Each step is safe to repeat.
func (s *Store) CleanupDeletedCategory(ctx context.Context, groupID, categoryID string, maxItems int) (done bool, err error) {
	if maxItems < 1 {
		return false, fmt.Errorf("cleanup of category %s: maxItems %d < 1", categoryID, maxItems)
	}
	cats, err := s.GetCategories(ctx, groupID)
	if err != nil {
		return false, err
	}
	l := cats.item.Layers[categoryID]
	if l == nil {
		return true, nil // done before
	}
	if l.Deleted == 0 {
		return false, errcode.New(errcode.InvalidArgument, "category %s is not deleted", categoryID)
	}
	var channels []*Channel
	q := s.partition(baseTable, groupPK(groupID)).
		Range("SK", dynamo.BeginsWith, prefixChannel).
		Filter("$ = ?", "categoryID", categoryID).
		Consistent(true)
	err = each(ctx, q, func(it Item) error {
		ch, err := unmarshalChannel(it)
		channels = append(channels, ch)
		return err
	})
	if err != nil {
		return false, err
	}
	var cp *CategoryCopy
	for i, ch := range channels {
		if i == maxItems {
			return false, nil
		}
		t := &tx{}
		next := *ch
		next.CategoryID, next.SyncMode, next.Rev = "", model.Unsynced, ch.Rev+1
		if ch.SyncMode == model.Synced {
			if cp == nil {
				if cp, err = s.LoadCategoryCopy(ctx, groupID, categoryID); err != nil {
					return false, err
				}
			}
			next.ViewMode, next.Users, next.Roles, next.Gen = cp.Category.ViewMode, cp.Category.Users, cp.Category.Roles, ch.Gen+1
			next.RoleAuths = map[string]*ChannelRole{}
			for p, cr := range cp.Category.RoleAuths {
				c := *cr
				c.ChannelID, c.CategoryID = ch.ChannelID, ""
				next.RoleAuths[p] = &c
			}
			for _, ov := range cp.Overrides {
				c := *ov
				c.ChannelID, c.CategoryID, c.Gen = ch.ChannelID, "", next.Gen
				addTo(t, s.putItem(overrideItem(&c)), nil)
			}
		}
		addTo(t, s.putItem(channelItem(&next)).If(channelAtRev, "rev", ch.Rev), channelMoved(ch))
		if err := s.commit(ctx, t); err != nil {
			return false, err
		}
	}
	rec, err := s.get(ctx, groupPK(groupID), categorySK(categoryID))
	if err != nil {
		return false, err
	}
	t := &tx{}
	if rec != nil {
		c, err := unmarshalCategory(rec, cats)
		if err != nil {
			return false, err
		}
		for _, uid := range c.OverrideUsers {
			addTo(t, s.updateItem(groupPK(groupID), userCatsSK(uid)).RemoveExpr("$", prefixOverrideAt+categoryID), nil)
		}
		addTo(t, s.deleteItem(groupPK(groupID), categorySK(categoryID)), nil)
	}
	next := cats.clone()
	delete(next.item.Layers, categoryID)
	s.putCategories(t, groupID, next)
	return true, s.commit(ctx, t)
}
