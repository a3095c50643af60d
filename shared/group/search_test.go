package group_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/store"
)

// searchGroup is a group "s1" owned by alice whose members are found by
// these names: profile nicknames, one group nickname over a profile one,
// and non-ASCII names.
func searchGroup(t *testing.T) (*group.Service, *store.Store) {
	t.Helper()
	ctx := context.Background()
	svc, st := newService(t)
	for uid, nick := range map[string]string{
		"alice": "Alice", "alina": "alINA", "bob": "Bob", "zoe": "Zoë", "sven": "ŞVEN", "greta": "Grete",
		"carol": "Carol", "outsider": "Alfred",
	} {
		_, err := svc.PutMyProfile(ctx, admins.Actor(uid), group.ProfileInput{Nickname: nick})
		require.NoError(t, err)
	}
	_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "s1", GroupName: "search",
		AdminUserIDs: []string{"bob"}, MemberUserIDs: []string{"alina", "zoe", "sven", "greta", "carol"}})
	require.NoError(t, err)
	// bob's group nickname replaces his profile name in this group.
	_, err = svc.SetMemberInfo(ctx, admins.Actor("bob"), "s1", "bob", group.SetMemberInfoInput{Nickname: ptr("ALbert")})
	require.NoError(t, err)
	return svc, st
}

// search answers the userIDs of every page of a keyword search, following
// the cursor.
func search(t *testing.T, svc *group.Service, actor, gid, keyword string, limit int) []string {
	t.Helper()
	var out []string
	cursor := ""
	for {
		page, err := svc.SearchMembers(context.Background(), admins.Actor(actor), gid, keyword, 0, limit, cursor)
		require.NoError(t, err)
		for _, m := range page.Items {
			out = append(out, m.UserID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return out
		}
	}
}

func TestMemberSearchMatchesANamePrefixCaseInsensitively(t *testing.T) {
	t.Parallel()
	svc, _ := searchGroup(t)
	cases := []struct {
		keyword string
		want    []string
	}{
		{"al", []string{"bob", "alice", "alina"}}, // ordered by the name: "albert" < "alice" < "alina"
		{"AL", []string{"bob", "alice", "alina"}},
		{"  ali ", []string{"alice", "alina"}},
		{"albert", []string{"bob"}},
		{"bob", nil}, // bob's group nickname hides his profile name
		{"zoë", []string{"zoe"}},
		{"ZOË", []string{"zoe"}},
		{"zoe", nil}, // no normalisation or accent folding
		{"şv", []string{"sven"}},
		{"gret", []string{"greta"}},
		{"lic", nil}, // a prefix, not a substring
		{"alf", nil}, // the outsider is no member
	}
	for _, c := range cases {
		t.Run(c.keyword, func(t *testing.T) {
			assert.Equal(t, c.want, search(t, svc, "carol", "s1", c.keyword, 0))
		})
	}
}

func TestMemberSearchPagesAcrossPagesWithExactResults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "owner")
	_, err := svc.Create(ctx, admins.Actor("owner"), group.CreateInput{GroupID: "p1", GroupName: "paged"})
	require.NoError(t, err)
	var ms []*store.Member
	var want []string
	for i := range 25 {
		uid := fmt.Sprintf("m%02d", i)
		ms = append(ms, &store.Member{UserID: uid, Nickname: fmt.Sprintf("Member %02d", i), RoleLevel: store.RoleMember, JoinTime: int64(i + 1)})
		want = append(want, uid)
	}
	ms = append(ms, &store.Member{UserID: "x", Nickname: "Memo", RoleLevel: store.RoleMember, JoinTime: 100})
	require.NoError(t, st.BulkLoadMembers(ctx, "p1", ms))

	for _, limit := range []int{1, 7, 25, 100} {
		assert.Equal(t, want, search(t, svc, "owner", "p1", "member ", limit), "limit %d", limit)
	}
	page, err := svc.SearchMembers(ctx, admins.Actor("owner"), "p1", "member", 0, 25, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 25)
	assert.Empty(t, page.NextCursor, "a page that ends the range says so")
}

// The longest names (255 characters of 2 bytes) make the longest keys;
// a page that ends on one still gives a cursor the next page accepts.
func TestMemberSearchPagesPastTheLongestNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "owner")
	_, err := svc.Create(ctx, admins.Actor("owner"), group.CreateInput{GroupID: "l1", GroupName: "long"})
	require.NoError(t, err)
	var ms []*store.Member
	var want []string
	for i := range 3 {
		uid := fmt.Sprintf("%s%d", strings.Repeat("u", 63), i) // 64 bytes, the longest userID
		name := fmt.Sprintf("É%d", i) + strings.Repeat("é", 253)
		ms = append(ms, &store.Member{UserID: uid, Nickname: name, RoleLevel: store.RoleMember, JoinTime: int64(i + 1)})
		want = append(want, uid)
	}
	require.NoError(t, st.BulkLoadMembers(ctx, "l1", ms))
	assert.Equal(t, want, search(t, svc, "owner", "l1", "é", 1))
	assert.Equal(t, want[1:2], search(t, svc, "owner", "l1", "é1éé", 1))
}

func TestANicknameChangeMovesTheMemberInTheSearchIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := searchGroup(t)

	_, err := svc.SetMemberInfo(ctx, admins.Actor("alice"), "s1", "carol", group.SetMemberInfoInput{Nickname: ptr("Dora")})
	require.NoError(t, err)
	assert.Empty(t, search(t, svc, "alice", "s1", "car", 0), "the old name no longer finds her")
	assert.Equal(t, []string{"carol"}, search(t, svc, "alice", "s1", "dor", 0))

	_, err = svc.SetMemberInfo(ctx, admins.Actor("alice"), "s1", "carol", group.SetMemberInfoInput{Nickname: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, search(t, svc, "alice", "s1", "dor", 0), "a cleared group nickname leaves the index")
	assert.Equal(t, []string{"carol"}, search(t, svc, "alice", "s1", "car", 0), "and the profile name is back")

	// A profile rename reaches every group where the profile name counts.
	_, err = svc.PutMyProfile(ctx, admins.Actor("carol"), group.ProfileInput{Nickname: "Caroline Q"})
	require.NoError(t, err)
	assert.Equal(t, []string{"carol"}, search(t, svc, "alice", "s1", "caroline q", 0))
	_, err = svc.PutMyProfile(ctx, admins.Actor("carol"), group.ProfileInput{Nickname: "Kay"})
	require.NoError(t, err)
	assert.Empty(t, search(t, svc, "alice", "s1", "car", 0))
	assert.Equal(t, []string{"carol"}, search(t, svc, "alice", "s1", "kay", 0))

	// A group nickname is not overwritten by a profile rename.
	_, err = svc.PutMyProfile(ctx, admins.Actor("bob"), group.ProfileInput{Nickname: "Robert"})
	require.NoError(t, err)
	assert.Empty(t, search(t, svc, "alice", "s1", "rob", 0))
	assert.Equal(t, []string{"bob"}, search(t, svc, "alice", "s1", "albert", 0))
}

func TestRemovedMembersLeaveTheSearchIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := searchGroup(t)
	require.ElementsMatch(t, []string{"bob", "alice", "alina"}, search(t, svc, "alice", "s1", "al", 0))

	_, err := svc.Kick(ctx, admins.Actor("alice"), "s1", group.KickInput{UserIDs: []string{"alina"}})
	require.NoError(t, err)
	require.NoError(t, svc.Quit(ctx, admins.Actor("zoe"), "s1", group.QuitInput{}))
	_, err = svc.Ban(ctx, admins.Actor("alice"), "s1", group.BanInput{UserIDs: []string{"sven"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"bob", "alice"}, search(t, svc, "alice", "s1", "al", 0), "kicked")
	assert.Empty(t, search(t, svc, "alice", "s1", "zo", 0), "quit")
	assert.Empty(t, search(t, svc, "alice", "s1", "şv", 0), "banned")

	require.NoError(t, svc.Dismiss(ctx, admins.Actor("alice"), "s1"))
	_, err = svc.SearchMembers(ctx, admins.Actor("alice"), "s1", "al", 0, 0, "")
	assert.Equal(t, errcode.GroupDismissed, errcode.CodeOf(err))
	for done := false; !done; {
		done, err = svc.CleanupDismissed(ctx, "s1", 100)
		require.NoError(t, err)
	}
	for _, prefix := range []string{"a", "c", "g"} {
		left, err := st.SearchMembers(ctx, "s1", prefix, 100, "")
		require.NoError(t, err)
		assert.Empty(t, left.Items, "the cleanup leaves no index entry under %q", prefix)
	}
}

func TestMemberSearchRefusesWhatTheListRefusesAndBadArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, _ := searchGroup(t)
	first, err := svc.SearchMembers(ctx, admins.Actor("alice"), "s1", "al", 0, 1, "")
	require.NoError(t, err)
	require.NotEmpty(t, first.NextCursor)
	list, err := svc.ListMembers(ctx, admins.Actor("alice"), "s1", 0, 1, "")
	require.NoError(t, err)

	cases := []struct {
		name, actor, gid, keyword string
		filter                    int
		cursor                    string
		consistent                bool
		code                      errcode.Code
	}{
		{name: "non-member", actor: "outsider", gid: "s1", keyword: "al", code: errcode.NotInGroup},
		{name: "missing group", actor: "alice", gid: "nope", keyword: "al", code: errcode.GroupNotFound},
		{name: "oversize keyword", actor: "alice", gid: "s1", keyword: strings.Repeat("a", store.MaxKeywordBytes+1), code: errcode.InvalidArgument},
		{name: "oversize in bytes", actor: "alice", gid: "s1", keyword: strings.Repeat("ë", store.MaxKeywordBytes/2+1), code: errcode.InvalidArgument},
		{name: "only spaces", actor: "alice", gid: "s1", keyword: "   ", code: errcode.InvalidArgument},
		{name: "control character", actor: "alice", gid: "s1", keyword: "al\x1fbob", code: errcode.InvalidArgument},
		{name: "newline", actor: "alice", gid: "s1", keyword: "a\nb", code: errcode.InvalidArgument},
		{name: "invalid UTF-8", actor: "alice", gid: "s1", keyword: "al\xff", code: errcode.InvalidArgument},
		{name: "cursor of another keyword", actor: "alice", gid: "s1", keyword: "zo", cursor: first.NextCursor, code: errcode.InvalidArgument},
		{name: "cursor of the member list", actor: "alice", gid: "s1", keyword: "al", cursor: list.NextCursor, code: errcode.InvalidArgument},
		{name: "garbage cursor", actor: "alice", gid: "s1", keyword: "al", cursor: "not-a-cursor", code: errcode.InvalidArgument},
		{name: "keyword with a filter", actor: "alice", gid: "s1", keyword: "al", filter: store.FilterAdmins, code: errcode.InvalidArgument},
		{name: "keyword with consistent=true", actor: "alice", gid: "s1", keyword: "al", consistent: true, code: errcode.InvalidArgument},
		{name: "the cursor continues its own keyword", actor: "alice", gid: "s1", keyword: "al", cursor: first.NextCursor},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := ctx
			if c.consistent {
				ctx = store.WithConsistentReads(ctx)
			}
			_, err := svc.SearchMembers(ctx, admins.Actor(c.actor), c.gid, c.keyword, c.filter, 0, c.cursor)
			assert.Equal(t, c.code, errcode.CodeOf(err), "%v", err)
		})
	}

	t.Run("a cursor of another group", func(t *testing.T) {
		_, err := svc.Create(ctx, admins.Actor("alice"), group.CreateInput{GroupID: "s2", GroupName: "two", MemberUserIDs: []string{"alina"}})
		require.NoError(t, err)
		_, err = svc.SearchMembers(ctx, admins.Actor("alice"), "s2", "al", 0, 0, first.NextCursor)
		assert.Equal(t, errcode.InvalidArgument, errcode.CodeOf(err))
	})
	t.Run("lookMemberInfo masks found members as it masks the list", func(t *testing.T) {
		_, err := svc.SetInfo(ctx, admins.Actor("alice"), "s1", group.SetInfoInput{LookMemberInfo: ptr(1)}, "")
		require.NoError(t, err)
		page, err := svc.SearchMembers(ctx, admins.Actor("carol"), "s1", "alina", 0, 0, "")
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.True(t, page.Items[0].Masked)
	})
}

// The acceptance test of member search's cost: a keyword page costs the
// same read units in a group of 10,000 members as in one of 100 (the
// 10,000 bulk-loaded: the records, search keys included, that joins
// write).
func TestAMemberSearchPageCostsTheSameIn10000MembersAsIn100(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, st := newService(t)
	withProfiles(t, svc, "owner")
	load := func(gid string, n int) {
		_, err := svc.Create(ctx, admins.Actor("owner"), group.CreateInput{GroupID: gid, GroupName: gid})
		require.NoError(t, err)
		ms := make([]*store.Member, 0, n-1)
		for i := range n - 1 {
			// 30 members named "Target…", the rest spread over other names.
			name := fmt.Sprintf("Other %05d", i)
			if i < 30 {
				name = fmt.Sprintf("Target %02d", i)
			}
			ms = append(ms, &store.Member{UserID: fmt.Sprintf("u%05d", i), Nickname: name, RoleLevel: store.RoleMember, JoinTime: int64(i + 1)})
		}
		require.NoError(t, st.BulkLoadMembers(ctx, gid, ms))
	}
	const size = 10_000
	load("big", size)
	load("small", 100)

	pages := func(gid string) (ids []string, units []float64) {
		cursor := ""
		for {
			mctx, meter := store.WithMeter(ctx)
			page, err := svc.SearchMembers(mctx, admins.Actor("owner"), gid, "target", 0, 10, cursor)
			require.NoError(t, err)
			units = append(units, meter.ReadUnits())
			for _, m := range page.Items {
				ids = append(ids, m.UserID)
			}
			if cursor = page.NextCursor; cursor == "" {
				return ids, units
			}
		}
	}
	bigIDs, bigUnits := pages("big")
	smallIDs, smallUnits := pages("small")
	require.Len(t, bigIDs, 30)
	assert.Equal(t, smallIDs, bigIDs)
	t.Logf("read units per page: %v in %d members, %v in 100", bigUnits, size, smallUnits)
	require.Len(t, bigUnits, len(smallUnits))
	for i := range bigUnits {
		assert.InDelta(t, smallUnits[i], bigUnits[i], 0.01, "page %d", i)
	}
}
