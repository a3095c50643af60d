// Package role implements the QChat-style server roles of a group and the
// app's custom permission items: who may do what is package permission's,
// and what to commit is package store's.
//
// Its rules:
//   - @everyone (type 1, priority 0) is created with the group and held by
//     every member. It allows sendMsg, remindOther, accountInfoSelf and
//     recallMsg and denies every other built-in item. Only the owner (or an
//     app admin) changes its auths; its name, icon, ext and priority never
//     change, and it is neither deleted nor given members.
//   - Custom roles are type 2 with a priority of 1 or more (smaller ranks
//     higher), distinct within the group. Without a priority a new role
//     ranks one below the lowest; without auths it allows every item its
//     creator holds. A group has at most MAX_ROLES_PER_GROUP (default
//     DefaultMaxRoles) custom roles, LIMIT_EXCEEDED beyond.
//   - UpdateRolePriorities names only roles the actor outranks, gives them
//     distinct priorities within the range they already spanned, and applies
//     them atomically.
//   - Adding or removing role members counts a holder added or a non-holder
//     removed as success and fails non-members. A role's memberCount always
//     equals its member records, and each member's roleIDs the roles that
//     hold them (invariant 6): both change in the same transaction.
//   - Custom items are created and listed by app admins only, with keys from
//     10000 and a defaultRight of allow or deny.
//   - A change that changes nothing commits nothing; every other change is
//     one change of the group with its event.
package role
