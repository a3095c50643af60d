// Package group implements the OpenIM-style group operations: who may do
// what (through package permission) and which change to commit (through
// package store).
//
// Its rules:
//   - Every operation loads the group and the actor in one snapshot, asks
//     package permission, and commits one change conditioned on the version
//     it read; a lost race re-reads, re-decides and retries, then answers
//     CONFLICT. A change that changes nothing commits nothing.
//   - CreateGroup makes the caller the owner (an app admin may name another
//     owner); the group, the owner and the first members commit together,
//     longer lists in further atomic batches. Only users with a profile are
//     added; the others come back in failed lists.
//   - TransferGroupOwner is one transaction: the group's owner, the new
//     owner's level (from a member below 100 to 100) and the old owner's
//     (from 100 to the new owner's old level); of concurrent transfers
//     exactly one wins.
//   - DismissGroup marks the group dismissed at once (a dismissed group
//     accepts no change); its records are removed afterwards by the
//     consumer of the GroupDismissed event, in bounded batches.
//   - needVerification decides joins and invitations: 2 joins directly; 0
//     lets invitations join directly and makes applications wait; 1 makes
//     every join wait for approval unless the inviter holds inviteMember.
//   - Kicks, mutes and changes to another member's info need the item and
//     to outrank the target; the owner is never kicked or muted and the owner
//     quits only as the last member (which dismisses the group).
//   - A ban (banMember) removes a member as a kick does, and every way in
//     (join, application, invitation, invite code, an accepted application)
//     is conditioned on the user having no live ban, in its own transaction.
//   - An invite code admits without approval, at most maxUses times, while
//     neither revoked nor expired; the use, the member and the code's roles
//     commit together.
//   - Each group counts its pending applications on its record, in the
//     transaction of every application change.
//   - Member lists are ordered by roleLevel, then joinTime, and a filter
//     (owner, admins, ordinary, combinations) is a key range, so a page reads
//     only that page. GetGroupChanges reads the event log by version.
//   - Member search (a keyword) matches a case-insensitive prefix of a
//     member's group nickname, else profile nickname, on a name index whose
//     page reads only that page; it is eventually consistent, so
//     consistent=true with a keyword is refused.
//   - SetGroupMembersInfo decides every entry as SetGroupMemberInfo does, on
//     one snapshot, and commits all of them as one change with one event,
//     or nothing.
//   - A dismissed group's cleanup also removes its bans and invite codes.
//   - The consistency checker (check.go) verifies the invariants of the
//     README on one whole group and, on request, repairs them as one change
//     with its own GroupRepaired event. Without repair it reads the group a
//     page at a time in bounded memory, across calls with a continuation
//     when the group is too large for one (check_paged.go); the report is
//     the same as a whole read's, and of one version of the group.
package group
