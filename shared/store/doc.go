// Package store owns the DynamoDB single-table design of Circles: every key,
// every condition expression and every transaction. The invariants below are
// enforced here, by the database (condition expressions and
// TransactWriteItems), never by Go code that reads and then writes:
//
//  1. A group that is not dismissed has exactly one owner: ownerUserID names
//     a member whose roleLevel is 100, and no other member has 100.
//  2. memberCount equals the number of member records.
//  3. A user is listed in "my groups" exactly for the groups they are a
//     member of (the list is an index of the member records themselves).
//  4. Every committed change of a group writes exactly one event, whose
//     version is the group's new version; versions go 1, 2, 3… with no gap
//     and no repeat, and a change and its event commit together or not at
//     all.
//  5. A dismissed group accepts no change, and within a bounded time none of
//     its member, role-membership or pending-application records remains.
//  6. A role's memberCount equals its member records, and a member's roleIDs
//     the roles that hold them.
//
// Each holds after every request, under any interleaving of concurrent
// requests and after a crash at any point. A change moves the group record
// from the version it read to the next, conditioned on that version, so
// concurrent changes of one group serialize and the loser retries. A
// transaction whose outcome is unknown is resent with the same
// ClientRequestToken, never decided again.
//
// Other rules kept here: lists page with an opaque cursor (DefaultLimit,
// MaxLimit) at a cost independent of the group's size; an Idempotency-Key's
// response is replayed for 24 h; the inbox of a user is numbered 1, 2, 3…
// with no gap and no duplicate under redelivery.
//
// The entities it stores are package model's, marshalled by their
// dynamodbav tags; the store re-exports them (Group, Member, …) so that its
// callers need not import both.
package store
