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
//  7. Every channel's categoryID names a live category or none: a move into
//     a category checks, in its transaction, that the category is live, and
//     a deleted category's channels read as uncategorised until its cleanup
//     has moved them out.
//
// Each holds after every request, under any interleaving of concurrent
// requests and after a crash at any point. A change moves the group record
// from the version it read to the next, conditioned on that version, so
// concurrent changes of one group serialize and the loser retries. A
// transaction whose outcome is unknown is resent with the same
// ClientRequestToken, never decided again.
//
// Other rules kept here: lists page with an opaque cursor (DefaultLimit,
// MaxLimit) at a cost independent of the group's size; the cursor is the key
// of the last item returned, bound to the list's partition, in one codec
// (cursor.go); an Idempotency-Key's response is replayed for 24 h; the inbox
// of a user is numbered 1, 2, 3… with no gap and no duplicate under
// redelivery; every member record created or deleted writes an entry of
// the user's joined-group log in the same transaction (joined.go), which a
// token reads from with one Query; every member record carries its search
// key (the folded group nickname, else profile nickname) on GSI3 in the
// transaction that writes the record or its name, and a profile rename
// rewrites the keys that follow it (search.go).
//
// A read nothing is written from (a view: View, ViewChannelState, GroupsOf,
// GetGroups, LoadCategoryFacts) reads with BatchGetItem, eventually
// consistent unless the context asks otherwise (WithConsistentReads);
// view.go states what that gives up and why it is safe. Every write
// decides on a serializable snapshot (TransactGetItems) instead.
//
// Data access goes through github.com/guregu/dynamo/v2 on the store's own
// SDK client: Put, Update (SET, ADD and DELETE of sets, REMOVE), Delete and
// ConditionCheck with If conditions, Query with key ranges, limits and
// StartFrom, Scan, GetTx, WriteTx with an idempotency token, and
// IsCondCheckFailed. Records are marshalled by the SDK's attributevalue
// (the dynamodbav tags), values written into them too (attr): guregu's own
// encoder reads other tags and turns an empty string into a REMOVE. The raw
// SDK stays where it does better:
//
//   - Explaining a cancelled transaction. guregu's WriteTx asks for no old
//     item and reads no CancellationReasons; txClient asks DynamoDB for the
//     old item of every write whose condition fails (ALL_OLD), and
//     tx.explain maps the SDK's TransactionCanceledException, reason by
//     reason, to the error of the write that failed.
//   - batchGet. guregu's BatchGet asks unprocessed keys again without
//     bound (only the context stops it), from 500 ms between calls; the
//     store gives up after batchGetAttempts calls (2.6–5.2 s of jittered
//     backoff) with UNAVAILABLE, so a throttled read never takes a Lambda's
//     whole timeout.
//   - BulkLoadMembers' BatchWriteItem (tooling only), which bounds each call
//     with a timeout and sends again a call that never answers.
//   - The Meter, SDK middleware: it counts every call, guregu's included,
//     where guregu's ConsumedCapacity counts only the requests it is given.
//
// The entities it stores are package model's, marshalled by their
// dynamodbav tags; the store re-exports them (Group, Member, …) so that its
// callers need not import both.
package store
