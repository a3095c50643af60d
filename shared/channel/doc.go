// Package channel implements the channels of a group: their access lists,
// channel roles and member overrides, and CheckPermissions.
//
// Its rules:
//   - Creating, updating and deleting channels need manageChannel; any
//     member lists the channels they see. A channel is public (viewMode 0,
//     a blacklist) or private (viewMode 1, a whitelist), and changing
//     viewMode empties the list in the same write. A group holds at most
//     store.MaxChannels channels.
//   - A channel the actor cannot see answers NO_PERMISSION to every channel
//     operation (CheckPermissions: exactly as a missing channel). Items are
//     checked inside the channel, where a channel role or override may grant
//     or take them; CreateChannel checks at server level.
//   - The access list (manageBlackWhiteList) names members and existing
//     roles, at most store.MaxAccessUsers users and store.MaxAccessRoles
//     roles after the change; other IDs land in the failed list.
//   - A channel role overrides one server role (@everyone included) in the
//     channel, every item starting as inherit; adding one needs manageRole
//     and manageChannel and a channel the actor sees. Channel roles and
//     member overrides set only channel-capable and custom items, under the
//     rules of role editing; a member override needs the actor to outrank
//     the member, so nobody sets their own.
//   - Categories group channels and carry a permission layer (viewMode,
//     list, category roles, category member overrides) under the same rules,
//     the category in the channel's place. A channel with syncMode 1 is
//     decided on its category's layer; syncing drops its own settings,
//     and editing a synced channel's settings first copies its category's
//     into it and unsyncs it, in the edit's one transaction. Deleting a
//     category changes nobody's access: its channels keep what they
//     followed. At most store.MaxCategories categories per group.
//   - CheckPermissions answers, for the actor or (with manageRole, or as an
//     app admin) another user, which items they hold in the group or a
//     channel, with exactly one DynamoDB call: chat services ask it on every
//     message. It writes nothing, so that call is a BatchGetItem,
//     eventually consistent (about a second behind at most) unless the
//     caller asks consistent=true; so are GetChannel, ListChannels,
//     GetChannelAccessList and ListChannelRoles (store.ViewChannelState).
package channel
