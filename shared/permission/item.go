package permission

// Item is a permission item: a built-in name, or the decimal key
// (≥ 10000) of a custom item.
type Item string

// Server items.
const (
	ManageGroup          Item = "manageGroup"
	ManageChannel        Item = "manageChannel"
	ManageRole           Item = "manageRole"
	InviteMember         Item = "inviteMember"
	KickMember           Item = "kickMember"
	MuteMember           Item = "muteMember"
	MuteGroup            Item = "muteGroup"
	HandleApplication    Item = "handleApplication"
	AccountInfoSelf      Item = "accountInfoSelf"
	AccountInfoOther     Item = "accountInfoOther"
	ManageBlackWhiteList Item = "manageBlackWhiteList"
	// BanMember bans users from the group and lifts bans.
	BanMember Item = "banMember"
)

// Channel-capable items (manageChannel, manageRole and manageBlackWhiteList
// are both).
const (
	SendMsg        Item = "sendMsg"
	RecallMsg      Item = "recallMsg"
	DeleteMsg      Item = "deleteMsg"
	RemindOther    Item = "remindOther"
	RemindEveryone Item = "remindEveryone"
)

// BuiltIn lists every built-in item.
var BuiltIn = []Item{
	ManageGroup, ManageChannel, ManageRole, InviteMember, KickMember, MuteMember, MuteGroup,
	HandleApplication, AccountInfoSelf, AccountInfoOther, ManageBlackWhiteList, BanMember,
	SendMsg, RecallMsg, DeleteMsg, RemindOther, RemindEveryone,
}
