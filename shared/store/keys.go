package store

import "fmt"

// Key design of the single table. Every item has PK and SK; the three
// overloaded global secondary indexes serve the ordered access patterns.
//
//	entity       PK                 SK              GSI1 (PK / SK)                      GSI2 (PK / SK)               GSI3 (PK / SK)
//	profile      U#<uid>            PROFILE
//	group        G#<gid>            META
//	member       G#<gid>            M#<uid>         G#<gid>#M / <rank>#<joinTime>#<uid>  U#<uid>#G / <joinTime>#<gid>
//	application  G#<gid>            A#<uid>         G#<gid>#A / <reqTime>#<uid>          U#<uid>#A / <reqTime>#<gid>  G#<gid>#A#<result> / <reqTime>#<uid>
//	event        G#<gid>#E          V#<version>
//	idempotency  I#<uid>#<key>      IDEM
//	inbox entry  U#<uid>#N          <seq>           (seq: 12 digits, per user 1, 2, 3…; see inbox.go)
//	inbox seq    U#<uid>            INBOXSEQ        (the user's last seq; a delivery's transaction moves it n -> n+1 on "seq = n")
//	delivery     N#<eid>#<uid>      MARK            (put-if-absent in the same transaction: one entry per (eventID, recipient))
//
// IDs never contain '#' (validate.IsID), so the separators are unambiguous.
// Numbers in sort keys are zero-padded so that string order is numeric order.
const (
	skProfile = "PROFILE"
	skMeta    = "META"
	skIdem    = "IDEM"

	prefixMember      = "M#"
	prefixApplication = "A#"
	prefixVersion     = "V#"
)

func userPK(uid string) string          { return "U#" + uid }
func groupPK(gid string) string         { return "G#" + gid }
func memberSK(uid string) string        { return prefixMember + uid }
func applicationSK(uid string) string   { return prefixApplication + uid }
func eventPK(gid string) string         { return "G#" + gid + "#E" }
func versionSK(v int64) string          { return fmt.Sprintf("%s%012d", prefixVersion, v) }
func idemPK(uid, key string) string     { return "I#" + uid + "#" + key }
func membersByRankPK(gid string) string { return "G#" + gid + "#M" }
func groupsOfUserPK(uid string) string  { return "U#" + uid + "#G" }

// rankPrefix orders members by roleLevel descending in an ascending index:
// owner (100) -> "899", admin (60) -> "939", member (20) -> "979".
func rankPrefix(roleLevel int) string { return fmt.Sprintf("%03d", 999-roleLevel) }

func memberRankSK(roleLevel int, joinTime int64, uid string) string {
	return fmt.Sprintf("%s#%013d#%s", rankPrefix(roleLevel), joinTime, uid)
}

func userGroupSK(joinTime int64, gid string) string {
	return fmt.Sprintf("%013d#%s", joinTime, gid)
}
