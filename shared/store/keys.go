package store

import "fmt"

// Key design of the single table. Every item has PK and SK; the three
// overloaded global secondary indexes serve the ordered access patterns.
//
//	entity       PK                 SK              GSI1 (PK / SK)                      GSI2 (PK / SK)               GSI3 (PK / SK)
//	profile      U#<uid>            PROFILE
//	group        G#<gid>            META
//	member       G#<gid>            M#<uid>         G#<gid>#M / <rank>#<joinTime>#<uid>  U#<uid>#G / <joinTime>#<gid>  G#<gid>#N / <name>\x1f<uid>
//	application  G#<gid>            A#<uid>         G#<gid>#A / <reqTime>#<uid>          U#<uid>#A / <reqTime>#<gid>  G#<gid>#A#<result> / <reqTime>#<uid>
//	event        G#<gid>#E          V#<version>
//	roles        G#<gid>            ROLES           (every server role of the group, @everyone included: role.go)
//	role member  G#<gid>            RM#<rid>#<uid>  (one per (custom role, member); mirrors the member's roleIDs)
//	channel      G#<gid>            C#<cid>         (with its access list and channel roles: channel.go)
//	override     G#<gid>            CO#<cid>#<uid>  (a member's own settings in a channel)
//	categories   G#<gid>            CATS            (every category's layer but its user list: category.go)
//	category     G#<gid>            K#<catID>       (name, ext, position, user list, override holders)
//	user facts   G#<gid>            KU#<uid>        (a user's category list entries and category overrides)
//	ban          G#<gid>            B#<uid>         G#<gid>#B / <banTime>#<uid>          (a user kept out of the group: ban.go)
//	invite code  G#<gid>            IC#<codeID>     G#<gid>#IC / <createTime>#<codeID>   (codeID: hex SHA-256 of the code; invitecode.go)
//	custom items APP                CUSTOMAUTHS     (every custom permission item of the app)
//	idempotency  I#<uid>#<key>      IDEM
//	inbox entry  U#<uid>#N          <seq>           (seq: 12 digits, per user 1, 2, 3…; see inbox.go)
//	inbox seq    U#<uid>            INBOXSEQ        (the user's last seq; a delivery's transaction moves it n -> n+1 on "seq = n")
//	delivery     N#<eid>#<uid>      MARK            (put-if-absent in the same transaction: one entry per (eventID, recipient))
//	payload      N#<eid>            PAYLOAD         (an event's payload over MaxInlinePayload, stored once; its entries reference it)
//	joined log   U#<uid>#J          <at>#<gid>#<v>  (a member record created or deleted, in its transaction; see joined.go)
//
// A member's GSI3 entry is the member search index (search.go): <name> is
// the folded group nickname, else profile nickname; it is sparse (no entry
// for a name that folds to nothing).
//
// IDs never contain '#' (validate.IsID), so the separators are unambiguous.
// Numbers in sort keys are zero-padded so that string order is numeric order.
const (
	skProfile = "PROFILE"
	skMeta    = "META"
	skIdem    = "IDEM"
	skRoles   = "ROLES"
	skCustom  = "CUSTOMAUTHS"
	pkApp     = "APP"

	prefixMember      = "M#"
	prefixApplication = "A#"
	prefixVersion     = "V#"
	prefixRoleMember  = "RM#"
	prefixChannel     = "C#"
	prefixOverride    = "CO#"
	prefixBan         = "B#"
	prefixInviteCode  = "IC#"
)

func userPK(uid string) string            { return "U#" + uid }
func groupPK(gid string) string           { return "G#" + gid }
func memberSK(uid string) string          { return prefixMember + uid }
func applicationSK(uid string) string     { return prefixApplication + uid }
func eventPK(gid string) string           { return "G#" + gid + "#E" }
func versionSK(v int64) string            { return fmt.Sprintf("%s%012d", prefixVersion, v) }
func roleMemberSK(rid, uid string) string { return prefixRoleMember + rid + "#" + uid }
func channelSK(cid string) string         { return prefixChannel + cid }
func overrideSK(cid, uid string) string   { return prefixOverride + cid + "#" + uid }
func idemPK(uid, key string) string       { return "I#" + uid + "#" + key }
func membersByRankPK(gid string) string   { return "G#" + gid + "#M" }
func groupsOfUserPK(uid string) string    { return "U#" + uid + "#G" }
func banSK(uid string) string             { return prefixBan + uid }
func bansPK(gid string) string            { return "G#" + gid + "#B" }
func inviteCodeSK(codeID string) string   { return prefixInviteCode + codeID }
func inviteCodesPK(gid string) string     { return "G#" + gid + "#IC" }

// rankPrefix orders members by roleLevel descending in an ascending index:
// owner (100) -> "899", admin (60) -> "939", member (20) -> "979".
func rankPrefix(roleLevel int) string { return fmt.Sprintf("%03d", 999-roleLevel) }

func memberRankSK(roleLevel int, joinTime int64, uid string) string {
	return fmt.Sprintf("%s#%013d#%s", rankPrefix(roleLevel), joinTime, uid)
}

func userGroupSK(joinTime int64, gid string) string {
	return fmt.Sprintf("%013d#%s", joinTime, gid)
}
