// Package matrix is the permission matrix of the group operations: one table
// of who may do what to whom, which two tests run. The permission tests
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
	// listMembers, membersInfo, changes, groupsChanges.
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
}
