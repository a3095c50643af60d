package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/guregu/dynamo/v2"

	"github.com/circles-im/circles/shared/errcode"
)

// The joined-groups log: per user, one entry for every member record
// created or deleted (create, invite, an accepted application, quit, kick,
// the last owner leaving, a dismissed group's cleanup), written in the same
// transaction as the record, so that GetJoinedGroupChanges answers the
// groups a user joined or left since a token at a cost of the changes, not
// of the user's groups.
//
//	joined log   U#<uid>#J    <at>#<gid>#<version>   (at: 13-digit ms; expires with the group events)
//
// Entries are ordered by the time the writing transaction was built, not
// committed, so an entry may become visible after a later one. A token
// therefore never moves past now-joinedSettle: the next answer repeats the
// entries of that window, and an entry committed late still comes. Each
// entry states the group's membership as of that change, so a client that
// applies the answers in order reaches the current list whatever repeats.

// JoinedSettle bounds how long after its transaction was built an entry
// may commit (a Lambda's timeout, its commit retries, clock skew), and is
// how far back every answer reads again.
const JoinedSettle = 5 * time.Minute

// MaxJoinedChanges bounds the entries one answer reads.
const MaxJoinedChanges = 1000

// JoinedListPath is where a client reloads its whole group list after an
// answer with Full.
const JoinedListPath = "/users/me/groups"

const kindJoinedLog = "joinedLog"

func joinedLogPK(uid string) string { return "U#" + uid + "#J" }

func joinedLogSK(at int64, gid string, version int64) string {
	return fmt.Sprintf("%013d#%s#%012d", at, gid, version)
}

// changeVersion is the version of the change t commits; 0 for a
// transaction that is no change of a group.
func (t *tx) changeVersion() int64 {
	if t.ref == nil {
		return 0
	}
	return t.ref.version
}

// logMembership adds to t the joined-log entry of userID joining (or
// leaving) groupID, at the version of the change t commits.
func (s *Store) logMembership(t *tx, userID, groupID string, joined bool) {
	// Unconditional: the member record's write guards the change, and a
	// resent transaction puts the same entry again.
	addTo(t, s.putItem(s.joinedLogItem(userID, groupID, joined, s.nowMillis(), t.changeVersion())), nil)
}

// joinedLogItem is the joined-log entry of userID joining (or leaving)
// groupID at the millisecond at, by the change to version; it expires with
// the group's events of that time.
func (s *Store) joinedLogItem(userID, groupID string, joined bool, at, version int64) Item {
	return Item{
		"PK":        &types.AttributeValueMemberS{Value: joinedLogPK(userID)},
		"SK":        &types.AttributeValueMemberS{Value: joinedLogSK(at, groupID, version)},
		"kind":      &types.AttributeValueMemberS{Value: kindJoinedLog},
		"groupID":   &types.AttributeValueMemberS{Value: groupID},
		"joined":    &types.AttributeValueMemberBOOL{Value: joined},
		"at":        &types.AttributeValueMemberN{Value: strconv.FormatInt(at, 10)},
		"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.UnixMilli(at).Add(s.EventRetention).Unix(), 10)},
	}
}

// JoinedChange is one group whose membership changed: Joined true when the
// user is (as of At) a member, false when they left or were removed.
type JoinedChange struct {
	GroupID string `json:"groupID"`
	Joined  bool   `json:"joined"`
	At      int64  `json:"at"`
}

// JoinedChanges is the answer of JoinedGroupChanges.
type JoinedChanges struct {
	// Full means the token is too old (or absent) for the log: the client
	// reloads its list from FullListPath, then goes on with Token.
	Full         bool   `json:"full"`
	FullListPath string `json:"fullListPath,omitempty"`
	// Changes holds, for each group changed since the token, its last
	// change, oldest first; a group may come again in the next answer.
	Changes []JoinedChange `json:"changes"`
	// Token is what the next call passes as since.
	Token string `json:"token"`
	// More means the answer stopped at MaxJoinedChanges entries: call
	// again with Token at once.
	More bool `json:"more"`
}

// Token fields: the user it is bound to and the position (ms) up to which
// the user has every entry.
const tokenUser, tokenPos = "u", "p"

func errBadToken() error {
	return errcode.New(errcode.InvalidArgument, "since is not a valid token of this user's group changes")
}

func (s *Store) joinedToken(userID string, pos int64) string {
	return encodeCursor(map[string]string{tokenUser: userID, tokenPos: strconv.FormatInt(pos, 10)})
}

// decodeJoinedToken checks a token as decodeCursor checks a cursor (size,
// encoding, exactly its fields), then that it is userID's and names a
// position that can have been answered: not negative, not ahead of now.
func (s *Store) decodeJoinedToken(userID, token string, now int64) (int64, error) {
	k, err := decodeCursor(token, tokenUser, tokenPos)
	if err != nil || k[tokenUser] != userID {
		return 0, errBadToken()
	}
	pos, err := strconv.ParseInt(k[tokenPos], 10, 64)
	if err != nil || pos < 0 || pos > now || strconv.FormatInt(pos, 10) != k[tokenPos] {
		return 0, errBadToken()
	}
	return pos, nil
}

// JoinedGroupChanges answers the groups userID joined or left after the
// position of since (absent: Full), with one Query of the user's log: its
// cost follows the changes, not the user's groups. A token older than the
// log's retention answers Full.
func (s *Store) JoinedGroupChanges(ctx context.Context, userID, since string) (*JoinedChanges, error) {
	now := s.nowMillis()
	settled := now - JoinedSettle.Milliseconds()
	out := &JoinedChanges{Changes: []JoinedChange{}}
	if since == "" {
		out.Full, out.FullListPath, out.Token = true, JoinedListPath, s.joinedToken(userID, max(settled, 0))
		return out, nil
	}
	pos, err := s.decodeJoinedToken(userID, since, now)
	if err != nil {
		return nil, err
	}
	if pos < now-s.EventRetention.Milliseconds() {
		out.Full, out.FullListPath, out.Token = true, JoinedListPath, s.joinedToken(userID, max(settled, 0))
		return out, nil
	}
	items, lek, err := call(ctx, s.partition(baseTable, joinedLogPK(userID)).
		Range("SK", dynamo.Greater, fmt.Sprintf("%013d#", pos)).
		SearchLimit(MaxJoinedChanges).RequestLimit(1).
		Consistent(true))
	if err != nil {
		return nil, err
	}
	changes := make([]JoinedChange, 0, len(items))
	lastOf := map[string]int{}
	var lastAt int64
	for i, it := range items {
		at, _ := intAttr(it, "at")
		joined, _ := it["joined"].(*types.AttributeValueMemberBOOL)
		changes = append(changes, JoinedChange{GroupID: strAttr(it, "groupID"), Joined: joined != nil && joined.Value, At: at})
		lastOf[strAttr(it, "groupID")] = i
		lastAt = at
	}
	// A group's last change states its membership; earlier ones add nothing.
	for i, c := range changes {
		if lastOf[c.GroupID] == i {
			out.Changes = append(out.Changes, c)
		}
	}
	next := max(pos, settled)
	if lek != nil && len(items) > 0 {
		// Cut at MaxJoinedChanges: go on from the last entry's millisecond
		// (read again), so the log is read through however busy the window.
		next, out.More = max(pos, lastAt-1), true
	}
	out.Token = s.joinedToken(userID, next)
	return out, nil
}

// memberOfKey is the user a member record's key names.
func memberOfKey(k Item) string { return strings.TrimPrefix(strAttr(k, "SK"), prefixMember) }

// MemberOf returns userID's member records in those of groupIDs they are a
// member of, keyed by groupID: one strongly consistent BatchGetItem up to
// 100 groups.
func (s *Store) MemberOf(ctx context.Context, userID string, groupIDs []string) (map[string]*Member, error) {
	keys := make([]Item, len(groupIDs))
	for i, gid := range groupIDs {
		keys[i] = key(groupPK(gid), memberSK(userID))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Member, len(items))
	for _, it := range items {
		m, err := unmarshal[Member](it)
		if err != nil {
			return nil, err
		}
		out[m.GroupID] = m
	}
	return out, nil
}
