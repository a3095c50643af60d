// Package model holds the entities of Circles — groups, members, server
// roles, channels with their channel roles and member overrides, custom
// permission items and join applications — with the levels, statuses and
// values they take. It imports nothing from AWS: the permission decision,
// which is pure, depends on this package and not on the store.
//
// The rules the entities carry:
//   - Role levels: owner 100, admin 60, member 20. A group that is not
//     dismissed has exactly one owner.
//   - Group status: 0 normal, 2 dismissed (accepts no change), 3 muted
//     (only the owner and admins send).
//   - A role's auths and a channel role's or override's auths hold only
//     the items they set, each "allow" or "deny"; an absent item inherits.
//   - Every group has the @everyone role (roleID "everyone", type 1), held
//     by every member; custom roles are type 2, ranked by priority (1 is
//     highest).
//   - Custom permission items have decimal keys from 10000; built-in items
//     are names, so a numeric key is always a custom item.
//   - A masked member (PublicView) shows only its public fields in JSON.
//
// The types keep their dynamodbav tags, and the store marshals them as
// they are. A tag is inert metadata (no import), and one type per entity
// keeps the stored attribute names where they were, with no second record
// type and mapping code that could drift from it; keys, conditions and
// transactions stay the store's alone.
package model
