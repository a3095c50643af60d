package store

import (
	"context"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// Member search (GetGroupMemberList's keyword) reads the sparse name index
// on GSI3: a member record carries GSI3PK G#<gid>#N and GSI3SK
// <folded name>\x1f<uid>, where the name is the member's group nickname if
// it is set, else their profile nickname. A keyword is a prefix of the
// folded name, so a page is one Query of begins_with on one partition and
// costs what it returns, whatever the group's size.
//
// One key per member, not one per name source: a member with a group
// nickname is found by it alone (as chat clients show it instead of the
// profile name), and no member can appear twice in one keyword's pages.
// The key is kept right in the transaction of every write that changes
// it:
//
//   - a member record put (create, invite, join, an accepted application,
//     an invite code) reads the user's profile nickname first and checks,
//     in the same transaction, that the profile still has it;
//   - SetMemberInfo rewrites the key when the group nickname changes (and,
//     when it is cleared, checks the profile nickname it falls back to);
//   - PutProfile rewrites the key of each membership whose name follows
//     the profile (SyncProfileName), each in a transaction that checks the
//     profile still has the new nickname, so a slower walk for an older
//     nickname stops rather than overwrite a newer one;
//   - a deleted member record takes its key with it (kick, quit, ban, the
//     dismissal cleanup).
//
// Not supported: substring or fuzzy matching (a name's middle cannot be a
// key prefix), and full Unicode case folding: names and keywords are folded
// rune by rune (simple case folding: "ẞ" matches "ß", but "ss" does not) and
// not normalised (a decomposed "é" does not match a composed one).
const (
	// MaxKeywordBytes bounds a search keyword after trimming.
	MaxKeywordBytes = 64
	// maxNameKeyBytes bounds the folded name in a key, so that the key
	// (with the separator and a userID of at most 64 bytes) fits a cursor
	// field (maxCursorField) and stays far below DynamoDB's 1024-byte sort
	// key. A folded keyword is at most 1.5 times its 64 bytes, so
	// truncation never hides a match.
	maxNameKeyBytes = maxCursorField - 1 - 64 - 1
	// nameKeySep ends the name in a key. Control characters are dropped
	// from names and refused in keywords, so a keyword never reaches into
	// the userID after the name.
	nameKeySep = "\x1f"
)

func membersByNamePK(gid string) string { return "G#" + gid + "#N" }

// foldName is s lower-cased rune by rune through its upper case (simple
// case folding: "ſ" and "S" both fold to "s"), without control characters.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(unicode.ToUpper(r))
	}, s)
}

// memberNameKey is the GSI3 sort key of a member whose searchable name is
// name, or "" when the name folds to nothing (no index entry).
func memberNameKey(name, uid string) string {
	f := foldName(name)
	if len(f) > maxNameKeyBytes {
		f = f[:maxNameKeyBytes]
		for !utf8.ValidString(f) {
			f = f[:len(f)-1]
		}
	}
	if f == "" {
		return ""
	}
	return f + nameKeySep + uid
}

// searchName is the name a member is found by: the group nickname if set,
// else the profile nickname.
func searchName(m *Member, profileNickname string) string {
	if m.Nickname != "" {
		return m.Nickname
	}
	return profileNickname
}

// NormalizeKeyword checks a search keyword and answers its folded form:
// trimmed of spaces, 1 to MaxKeywordBytes bytes of UTF-8 without control
// characters, else INVALID_ARGUMENT.
func NormalizeKeyword(keyword string) (string, error) {
	k := strings.TrimSpace(keyword)
	switch {
	case !utf8.ValidString(k):
		return "", errcode.New(errcode.InvalidArgument, "keyword is not valid UTF-8")
	case k == "":
		return "", errcode.New(errcode.InvalidArgument, "keyword must not be empty")
	case len(k) > MaxKeywordBytes:
		return "", errcode.New(errcode.InvalidArgument, "keyword is %d bytes long; the limit is %d", len(k), MaxKeywordBytes)
	case strings.IndexFunc(k, unicode.IsControl) >= 0:
		return "", errcode.New(errcode.InvalidArgument, "keyword must not contain control characters")
	}
	return foldName(k), nil
}

// SearchMembers pages through the members whose searchable name begins
// with keyword (NormalizeKeyword's form), case-insensitively, ordered by
// that name and then userID. A page is one Query of limit+1 index entries.
// The index is a GSI, so the answer is eventually consistent (a change
// acknowledged about a second ago may be missing). A cursor names a
// position within this group's keyword range: one of another group, of
// another list or outside the keyword's range is INVALID_ARGUMENT.
func (s *Store) SearchMembers(ctx context.Context, groupID, keyword string, limit int, cursor string) (*Page[*Member], error) {
	q := pageQuery{ix: gsi3, partition: membersByNamePK(groupID), skOp: dynamo.BeginsWith, skValues: []any{keyword},
		forward: true, limit: limit, cursor: cursor}
	if cursor != "" {
		k, err := decodeKeyCursor(gsi3, q.partition, cursor)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(strAttr(k, gsi3.sk), keyword) {
			return nil, errBadCursor()
		}
	}
	return s.memberPage(ctx, q)
}

// profileNicknames reads the nicknames of the users that have a profile,
// strongly consistent: a member record's name key is built from them, and
// its transaction checks them again (checkProfileName).
func (s *Store) profileNicknames(ctx context.Context, uids []string) (map[string]string, error) {
	found, err := s.GetProfiles(ctx, uids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(found))
	for uid, p := range found {
		out[uid] = p.Nickname
	}
	return out, nil
}

// profileNameCondition is the condition on a user's profile under which a
// name key built from nickname (the profile as read; ok false if there was
// none) is still right.
func profileNameCondition(c *dynamo.ConditionCheck, nickname string, ok bool) *dynamo.ConditionCheck {
	if !ok {
		return c.If(ifAbsent)
	}
	return c.If(ifExists).If("$ = ?", "nickname", nickname)
}

// SyncProfileName rewrites the name key of each of the user's memberships
// whose name follows the profile (no group nickname) to nickname, the
// profile's nickname as just written. Each rewrite is one transaction:
// the member record, conditioned on existing with no group nickname, and
// a check that the profile still has nickname; once that check fails, a
// newer PutProfile owns the keys and the walk stops. It reads the user's
// memberships through GSI2 (eventually consistent), a page of 100 at a
// time, and writes only the keys that differ, so running it again (a
// retried PutProfile) finishes what a crash left.
func (s *Store) SyncProfileName(ctx context.Context, uid, nickname string) error {
	q := s.partition(gsi2, groupsOfUserPK(uid)).SearchLimit(100)
	err := each(ctx, q, func(it Item) error {
		if strAttr(it, "kind") != kindMember || strAttr(it, "nickname") != "" {
			return nil
		}
		gid := strAttr(it, "groupID")
		want := memberNameKey(nickname, uid)
		if strAttr(it, gsi3.sk) == want {
			return nil
		}
		u := s.updateItem(groupPK(gid), memberSK(uid)).If(ifExists).If("$ = ?", "nickname", "")
		setNameKey(u, gid, want)
		t := &tx{}
		addTo(t, u, func(Item) error { return errSkipMember })
		addTo(t, profileNameCondition(s.checkItem(userPK(uid), skProfile), nickname, true), func(Item) error { return errNewerProfile })
		// A transaction conflict (a concurrent write of the member) is sent
		// again; the conditions then tell whether the key is still ours.
		if err := RetryErr(ctx, func() error { return s.commit(ctx, t) }); err != nil && !errors.Is(err, errSkipMember) {
			return err
		}
		return nil
	})
	if errors.Is(err, errNewerProfile) {
		return nil
	}
	return err
}

var (
	// errSkipMember: the membership left, or took a group nickname, since
	// the walk read it; its key is no longer the profile's business.
	errSkipMember = errcode.New(errcode.Conflict, "the member record changed")
	// errNewerProfile: the profile changed again; that write's walk owns
	// the keys now.
	errNewerProfile = errcode.New(errcode.Conflict, "the profile changed again")
)

// setNameKey sets a member record's name key in update u, or removes it
// (the record leaves the index) when key is "".
func setNameKey(u *dynamo.Update, gid, key string) {
	if key == "" {
		u.Remove(gsi3.pk, gsi3.sk)
		return
	}
	u.Set(gsi3.pk, membersByNamePK(gid)).Set(gsi3.sk, key)
}

// nameKeyAttrs adds a member record's name key to the attributes of its
// item (none when the name folds to nothing: the index is sparse).
func nameKeyAttrs(attrs map[string]string, m *Member, profileNickname string) map[string]string {
	if k := memberNameKey(searchName(m, profileNickname), m.UserID); k != "" {
		attrs[gsi3.pk], attrs[gsi3.sk] = membersByNamePK(m.GroupID), k
	}
	return attrs
}
