// Package matrix is the permission matrix of the group operations (Rows)
// and of the category and channel operations (ChannelRows): tables of who
// may do what to whom, each of which two tests run. The permission tests
// decide every row with permission.Decide on records built in memory; the
// group tests run every row through the service on DynamoDB Local, where
// a refused request must also leave the group as it was.
//
// Every row runs on a fresh group: owner "o", admins "a1" and "a2", members
// "m1" and "m2"; "x" and "y" have profiles but are not members; "admin" is
// an app admin.
package matrix

import "github.com/circles-im/circles/shared/errcode"

// Row is one request and its outcome.
type Row struct {
	// Op names the operation: kick, mute, unmute, nickname, toAdmin,
	// toOrdinary, toOwner, transfer, quit, setInfo, muteGroup, dismiss,
	// invite, join, approve (Target applies, then Actor agrees),
	// approveTwice (the owner refuses Target's application first),
	// listMembers, membersInfo, changes, groupsChanges, ban, listBans,
	// inviteCode (create one), joinByCode (the owner makes a code, the
	// actor joins with it), batchInfo and batchToAdmin (SetGroupMembersInfo,
	// below).
	Op, Actor, Target string
	NV                int  // the group's needVerification
	Dismissed         bool // dismiss the group first
	// Want is "" for success, an error code, or Joined / Applied for the
	// outcome of invite and join.
	Want string
}

// Outcomes of the rows.
const (
	Joined   = "joined"
	Applied  = "applied"
	NoPerm   = string(errcode.NoPermission)
	NotIn    = string(errcode.NotInGroup)
	Gone     = string(errcode.GroupDismissed)
	Already  = string(errcode.AlreadyInGroup)
	BadArg   = string(errcode.InvalidArgument)
	Handled  = string(errcode.ApplicationHandled)
	CantQuit = string(errcode.OwnerCannotQuit)
)

// AppAdmin is the app admin of every row.
const AppAdmin = "admin"

// Rows are the requests, grouped by operation.
var Rows = []Row{
	// Kick: kickMember, the actor must outrank the target, nobody kicks
	// themselves or the owner; an admin cannot kick an admin.
	{Op: "kick", Actor: "o", Target: "m1"}, {Op: "kick", Actor: "o", Target: "a1"},
	{Op: "kick", Actor: "o", Target: "o", Want: NoPerm},
	{Op: "kick", Actor: "a1", Target: "m1"}, {Op: "kick", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "kick", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "kick", Actor: "a1", Target: "a1", Want: NoPerm},
	{Op: "kick", Actor: "m1", Target: "m2", Want: NoPerm}, {Op: "kick", Actor: "m1", Target: "m1", Want: NoPerm},
	{Op: "kick", Actor: "x", Target: "m1", Want: NotIn},
	{Op: "kick", Actor: "admin", Target: "a1"}, {Op: "kick", Actor: "admin", Target: "o", Want: NoPerm},
	{Op: "kick", Actor: "o", Target: "y", Want: NotIn},
	// Mute member: the same rank rules; the owner cannot be muted.
	{Op: "mute", Actor: "o", Target: "a1"}, {Op: "mute", Actor: "o", Target: "o", Want: NoPerm},
	{Op: "mute", Actor: "a1", Target: "m1"}, {Op: "mute", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "mute", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "mute", Actor: "m1", Target: "m2", Want: NoPerm},
	{Op: "mute", Actor: "x", Target: "m1", Want: NotIn}, {Op: "mute", Actor: "admin", Target: "a1"},
	{Op: "mute", Actor: "admin", Target: "o", Want: NoPerm},
	{Op: "unmute", Actor: "a1", Target: "m1"}, {Op: "unmute", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "unmute", Actor: "m1", Target: "m2", Want: NoPerm},
	// Member info: yourself, or accountInfoOther and outrank the target.
	{Op: "nickname", Actor: "m1", Target: "m1"}, {Op: "nickname", Actor: "o", Target: "o"},
	{Op: "nickname", Actor: "m1", Target: "m2", Want: NoPerm}, {Op: "nickname", Actor: "m1", Target: "a1", Want: NoPerm},
	{Op: "nickname", Actor: "a1", Target: "m1"}, {Op: "nickname", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "nickname", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "nickname", Actor: "o", Target: "a1"},
	{Op: "nickname", Actor: "x", Target: "m1", Want: NotIn}, {Op: "nickname", Actor: "admin", Target: "o"},
	// roleLevel: only 60 or 20, by the owner, or by an admin on an ordinary
	// member; nobody changes their own; ownership moves only by transfer.
	{Op: "toAdmin", Actor: "o", Target: "m1"}, {Op: "toOrdinary", Actor: "o", Target: "a1"},
	{Op: "toAdmin", Actor: "a1", Target: "m1"}, {Op: "toOrdinary", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "toOrdinary", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "toAdmin", Actor: "m1", Target: "m2", Want: NoPerm},
	{Op: "toOrdinary", Actor: "a1", Target: "a1", Want: NoPerm}, {Op: "toAdmin", Actor: "m1", Target: "m1", Want: NoPerm},
	{Op: "toOrdinary", Actor: "o", Target: "o", Want: NoPerm}, {Op: "toOwner", Actor: "o", Target: "m1", Want: BadArg},
	{Op: "toAdmin", Actor: "x", Target: "m1", Want: NotIn}, {Op: "toAdmin", Actor: "admin", Target: "m1"},
	// Transfer: owner or app admin, to another member.
	{Op: "transfer", Actor: "o", Target: "m1"}, {Op: "transfer", Actor: "o", Target: "o", Want: BadArg},
	{Op: "transfer", Actor: "o", Target: "x", Want: NotIn}, {Op: "transfer", Actor: "a1", Target: "m1", Want: NoPerm},
	{Op: "transfer", Actor: "m1", Target: "m2", Want: NoPerm}, {Op: "transfer", Actor: "x", Target: "m1", Want: NotIn},
	{Op: "transfer", Actor: "admin", Target: "a1"},
	// Quit: any member; the owner only when alone; app admins may quit others.
	{Op: "quit", Actor: "m1", Target: "m1"}, {Op: "quit", Actor: "a1", Target: "a1"},
	{Op: "quit", Actor: "o", Target: "o", Want: CantQuit}, {Op: "quit", Actor: "x", Target: "x", Want: NotIn},
	{Op: "quit", Actor: "m1", Target: "m2", Want: NoPerm}, {Op: "quit", Actor: "admin", Target: "m1"},
	// Group settings: manageGroup / muteGroup; dismiss is the owner's.
	{Op: "setInfo", Actor: "o"}, {Op: "setInfo", Actor: "a1"}, {Op: "setInfo", Actor: "m1", Want: NoPerm},
	{Op: "setInfo", Actor: "x", Want: NotIn}, {Op: "setInfo", Actor: "admin"},
	{Op: "muteGroup", Actor: "o"}, {Op: "muteGroup", Actor: "a1"}, {Op: "muteGroup", Actor: "m1", Want: NoPerm},
	{Op: "muteGroup", Actor: "x", Want: NotIn}, {Op: "muteGroup", Actor: "admin"},
	{Op: "dismiss", Actor: "o"}, {Op: "dismiss", Actor: "a1", Want: NoPerm}, {Op: "dismiss", Actor: "m1", Want: NoPerm},
	{Op: "dismiss", Actor: "x", Want: NotIn}, {Op: "dismiss", Actor: "admin"},
	// Invite under needVerification 0, 1 and 2.
	{Op: "invite", Actor: "m1", Target: "x", NV: 0, Want: Joined},
	{Op: "invite", Actor: "m1", Target: "x", NV: 1, Want: Applied},
	{Op: "invite", Actor: "a1", Target: "x", NV: 1, Want: Joined},
	{Op: "invite", Actor: "o", Target: "x", NV: 1, Want: Joined},
	{Op: "invite", Actor: "m1", Target: "x", NV: 2, Want: Joined},
	{Op: "invite", Actor: "m1", Target: "m2", Want: Already},
	{Op: "invite", Actor: "x", Target: "y", Want: NotIn},
	{Op: "invite", Actor: "admin", Target: "x", NV: 1, Want: Joined},
	// Join under needVerification 0, 1 and 2.
	{Op: "join", Actor: "x", NV: 0, Want: Applied}, {Op: "join", Actor: "x", NV: 1, Want: Applied},
	{Op: "join", Actor: "x", NV: 2, Want: Joined}, {Op: "join", Actor: "m1", Want: Already},
	// Applications: handleApplication; a handled application stays handled.
	{Op: "approve", Actor: "o", Target: "x"}, {Op: "approve", Actor: "a1", Target: "x"},
	{Op: "approve", Actor: "m1", Target: "x", Want: NoPerm}, {Op: "approve", Actor: "y", Target: "x", Want: NotIn},
	{Op: "approve", Actor: "admin", Target: "x"},
	{Op: "approveTwice", Actor: "a1", Target: "x", Want: Handled},
	// Reads: members and app admins.
	{Op: "listMembers", Actor: "m1"}, {Op: "listMembers", Actor: "x", Want: NotIn}, {Op: "listMembers", Actor: "admin"},
	{Op: "membersInfo", Actor: "m1", Target: "a1"}, {Op: "membersInfo", Actor: "x", Target: "a1", Want: NotIn},
	{Op: "changes", Actor: "m1"}, {Op: "changes", Actor: "x", Want: NotIn}, {Op: "changes", Actor: "admin"},
	// Many groups' changes: a group the actor may not read is left out of
	// the answer, which the rows read as NotIn.
	{Op: "groupsChanges", Actor: "m1"}, {Op: "groupsChanges", Actor: "x", Want: NotIn}, {Op: "groupsChanges", Actor: "admin"},
	// A dismissed group refuses every change.
	{Op: "kick", Actor: "o", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "mute", Actor: "o", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "nickname", Actor: "m1", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "toAdmin", Actor: "o", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "transfer", Actor: "o", Target: "a1", Dismissed: true, Want: Gone},
	{Op: "quit", Actor: "m1", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "setInfo", Actor: "o", Dismissed: true, Want: Gone},
	{Op: "muteGroup", Actor: "o", Dismissed: true, Want: Gone},
	{Op: "dismiss", Actor: "o", Dismissed: true, Want: Gone},
	{Op: "invite", Actor: "o", Target: "x", Dismissed: true, Want: Gone},
	{Op: "join", Actor: "x", NV: 2, Dismissed: true, Want: Gone},
	{Op: "dismiss", Actor: "admin", Dismissed: true, Want: Gone},
	// Ban: banMember; a member target under a kick's rank rules, nobody bans
	// themselves or the owner; a non-member may be banned ahead of time.
	{Op: "ban", Actor: "o", Target: "m1"}, {Op: "ban", Actor: "o", Target: "a1"},
	{Op: "ban", Actor: "a1", Target: "m1"}, {Op: "ban", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "ban", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "ban", Actor: "a1", Target: "a1", Want: NoPerm},
	{Op: "ban", Actor: "o", Target: "o", Want: NoPerm},
	{Op: "ban", Actor: "m1", Target: "m2", Want: NoPerm}, {Op: "ban", Actor: "x", Target: "m1", Want: NotIn},
	{Op: "ban", Actor: "admin", Target: "a1"}, {Op: "ban", Actor: "admin", Target: "o", Want: NoPerm},
	{Op: "ban", Actor: "o", Target: "y"},
	{Op: "ban", Actor: "o", Target: "m1", Dismissed: true, Want: Gone},
	// Bans are listed (and lifted) by the holders of banMember.
	{Op: "listBans", Actor: "o"}, {Op: "listBans", Actor: "a1"}, {Op: "listBans", Actor: "m1", Want: NoPerm},
	{Op: "listBans", Actor: "x", Want: NotIn}, {Op: "listBans", Actor: "admin"},
	// Invite codes: made by the holders of inviteMember; anyone not a member
	// joins with one at once, whatever needVerification says.
	{Op: "inviteCode", Actor: "o"}, {Op: "inviteCode", Actor: "a1"}, {Op: "inviteCode", Actor: "m1", Want: NoPerm},
	{Op: "inviteCode", Actor: "x", Want: NotIn}, {Op: "inviteCode", Actor: "admin"},
	{Op: "inviteCode", Actor: "o", Dismissed: true, Want: Gone},
	{Op: "joinByCode", Actor: "x", NV: 1, Want: Joined}, {Op: "joinByCode", Actor: "m1", Want: Already},
	// Batch member info: batchInfo sets m2's ex and Target's nickname in one
	// SetGroupMembersInfo, batchToAdmin Target's roleLevel to 60. Each entry
	// is decided as SetGroupMemberInfo decides it; one refused entry refuses
	// the batch, the legal entry on m2 included.
	{Op: "batchInfo", Actor: "o", Target: "a1"}, {Op: "batchInfo", Actor: "a1", Target: "m1"},
	{Op: "batchInfo", Actor: "admin", Target: "o"},
	{Op: "batchInfo", Actor: "a1", Target: "o", Want: NoPerm}, {Op: "batchInfo", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "batchInfo", Actor: "m1", Target: "m1", Want: NoPerm},
	{Op: "batchInfo", Actor: "x", Target: "m1", Want: NotIn}, {Op: "batchInfo", Actor: "o", Target: "y", Want: NotIn},
	{Op: "batchInfo", Actor: "o", Target: "m1", Dismissed: true, Want: Gone},
	{Op: "batchToAdmin", Actor: "o", Target: "m1"}, {Op: "batchToAdmin", Actor: "a1", Target: "m1"},
	{Op: "batchToAdmin", Actor: "m1", Target: "m1", Want: NoPerm}, {Op: "batchToAdmin", Actor: "a1", Target: "a2", Want: NoPerm},
	{Op: "batchToAdmin", Actor: "admin", Target: "m1"},
}

// ChannelRow is one request of a category or channel operation and its
// outcome, run by the same two tests: in memory (who is a member, who sees
// the target, who holds its items there) and through the channel service
// on DynamoDB Local, where a refused request must leave the group as it
// was.
//
// The group of every row: owner "o", admin "a1", members "m1" (holding
// the custom role "mgr", which allows manageChannel, manageRole and
// manageBlackWhiteList) and "m2" (no custom role); "x" is not a member,
// "admin" an app admin. Category "k" is public, category "kp" private with
// nobody listed, channel "c" is in "k" (unsynced).
type ChannelRow struct {
	// Op: createCategory, updateCategory, deleteCategory, listCategories,
	// categoryAccess, getCategoryAccess, addCategoryRole,
	// setCategoryMemberAuths (on m2), reorderCategories, reorderChannels,
	// listChannelMembers.
	Op, Actor string
	// Target is the category or channel the operation acts on ("" for
	// createCategory and listCategories).
	Target string
	Want   string // "" for success, or an error code
}

// NotFound is the answer for a missing target or one the actor cannot see.
const NotFound = string(errcode.NotFound)

// ChannelRows are the category and channel requests, grouped by operation.
// A category is a channel of its own to the rules: a member who cannot see
// it gets NOT_FOUND, one who sees it but lacks the items NO_PERMISSION.
var ChannelRows = []ChannelRow{
	{Op: "createCategory", Actor: "o"}, {Op: "createCategory", Actor: "a1"}, {Op: "createCategory", Actor: "m1"},
	{Op: "createCategory", Actor: "m2", Want: NoPerm}, {Op: "createCategory", Actor: "x", Want: NotIn},
	{Op: "createCategory", Actor: "admin"},
	{Op: "updateCategory", Actor: "m1", Target: "k"}, {Op: "updateCategory", Actor: "m2", Target: "k", Want: NoPerm},
	{Op: "updateCategory", Actor: "x", Target: "k", Want: NotIn}, {Op: "updateCategory", Actor: "a1", Target: "kp"},
	{Op: "updateCategory", Actor: "m1", Target: "kp", Want: NotFound},
	{Op: "deleteCategory", Actor: "m2", Target: "k", Want: NoPerm}, {Op: "deleteCategory", Actor: "m1", Target: "kp", Want: NotFound},
	{Op: "listCategories", Actor: "m2"}, {Op: "listCategories", Actor: "x", Want: NotIn}, {Op: "listCategories", Actor: "admin"},
	{Op: "categoryAccess", Actor: "m1", Target: "k"}, {Op: "categoryAccess", Actor: "m2", Target: "k", Want: NoPerm},
	{Op: "categoryAccess", Actor: "m1", Target: "kp", Want: NotFound},
	{Op: "getCategoryAccess", Actor: "m2", Target: "k"}, {Op: "getCategoryAccess", Actor: "m2", Target: "kp", Want: NotFound},
	{Op: "getCategoryAccess", Actor: "a1", Target: "kp"},
	{Op: "addCategoryRole", Actor: "m1", Target: "k"}, {Op: "addCategoryRole", Actor: "m2", Target: "k", Want: NoPerm},
	{Op: "setCategoryMemberAuths", Actor: "m1", Target: "k"}, {Op: "setCategoryMemberAuths", Actor: "m2", Target: "k", Want: NoPerm},
	{Op: "reorderCategories", Actor: "m1", Target: "k"}, {Op: "reorderCategories", Actor: "m2", Target: "k", Want: NoPerm},
	{Op: "reorderCategories", Actor: "x", Target: "k", Want: NotIn}, {Op: "reorderCategories", Actor: "m1", Target: "kp", Want: NotFound},
	{Op: "reorderCategories", Actor: "o", Target: "kp"},
	{Op: "reorderChannels", Actor: "m1", Target: "c"}, {Op: "reorderChannels", Actor: "m2", Target: "c", Want: NoPerm},
	{Op: "reorderChannels", Actor: "x", Target: "c", Want: NotIn}, {Op: "reorderChannels", Actor: "admin", Target: "c"},
	{Op: "listChannelMembers", Actor: "m2", Target: "c"}, {Op: "listChannelMembers", Actor: "x", Target: "c", Want: NotIn},
	{Op: "listChannelMembers", Actor: "admin", Target: "c"},
}
