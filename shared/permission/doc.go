// Package permission decides who may do what in a group: the one place where
// roleLevels, ranks and permission items are compared. Every function is
// pure: the caller loads the records, in one snapshot, and asks. It works on
// the entities of package model and depends on no AWS package, so a
// decision is tested without a database.
//
// The entry points: Decide for the group operations (owner transfer,
// dismissal, settings, mutes, invitations, kicks, applications, member
// info, bans, invite codes); Holds, HoldsIn and HoldsEach for an item at server level or in a
// channel; Visible and VisibleTo for a channel; and the role rules of
// role.go (CanManageRoles, CanEditRole, CanEditChannelRole, CanGrantRole,
// CheckItemsHeld, CheckSelfLockout, the priority checks) and the channel
// rules of channel.go. All of them reach their answer through Effective and
// the rank order below.
//
// Permission items (Item), each set to allow, deny or inherit:
//   - Server items: manageGroup, manageChannel, manageRole, inviteMember,
//     kickMember, muteMember, muteGroup, handleApplication, accountInfoSelf,
//     accountInfoOther, manageBlackWhiteList, banMember.
//   - Channel-capable items (ChannelItems): sendMsg, recallMsg, deleteMsg,
//     remindOther, remindEveryone, manageChannel, manageRole,
//     manageBlackWhiteList.
//   - Custom items: decimal keys from 10000, created by app admins with a
//     defaultRight (allow or deny), which @everyone takes while it has never
//     set the item; other roles inherit it.
//
// Rank: owner (roleLevel 100) > admin (60) > members by their highest custom
// role (priority 1 is highest) > members with no custom role. "Outranks" is
// strict: equal ranks do not outrank. App admins outrank everyone. Nobody
// kicks or mutes the owner, and nobody changes their own roleLevel:
// ownership moves only by transfer.
//
// Effective permission of member u for item a, optionally in channel c:
//  1. Not a member, or the group is dismissed: false.
//  2. sendMsg is false while u is muted, and while the group is muted
//     (status 3) unless u is the owner or an admin.
//  3. Owner or admin: true, in every channel; it cannot be taken from them.
//  4. The layer L of c is c's own (viewMode, list, channel roles, member
//     overrides), or, while c is synced to its category (syncMode 1), the
//     category's (viewMode, list, category roles, category member
//     overrides); an unsynced channel ignores its category, and a synced
//     channel whose category is missing fails closed (a private layer
//     listing nobody).
//  5. If c is given and u cannot see it through L: false.
//  6. If c is given and u's own override in L sets a: that value.
//  7. Each custom role R of u gives its own value: L's role for R if it sets
//     a (a role that inherits follows its parent), else R's server value.
//     Any allow wins; else any deny; else @everyone decides: L's @everyone
//     role if it sets a, else @everyone's server value. Custom roles rank
//     above @everyone, so a custom role's deny beats @everyone's allow.
//
// So a synced channel decides exactly as its category would as a channel
// of its own.
//
// Visibility: owner and admins see every channel. A public channel is
// visible to every member except those on its layer's blacklist, directly
// or through a role (@everyone included); a private channel only to its
// layer's whitelist, the same way. A member who cannot see a channel holds
// nothing in it. An override applies only to the membership it was set in
// (its joinTime) and, in a channel, only while it carries the channel's
// generation, which moves when the channel drops its own settings.
//
// Roles: @everyone (roleID "everyone") is held by every member; only the
// owner (or an app admin) changes its auths, and its name, icon, ext and
// priority never change. A custom role's priority is from 1 (highest) down,
// and a new one must rank below the actor's highest custom role. Every role
// change needs manageRole; editing, deleting a role or changing who holds it
// needs to outrank it. Nobody sets an item they do not hold, nobody adds
// anyone (themselves included) to a role that allows an item they do not
// hold, and below admin nobody takes from themselves, by changing roles, an
// item they hold now (the self-lockout guard).
package permission
