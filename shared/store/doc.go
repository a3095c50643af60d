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
// ClientRequestToken and the same request, never decided again.
//
// Other rules kept here: lists page with an opaque cursor (DefaultLimit,
// MaxLimit) at a cost independent of the group's size; the cursor is the key
// of the last item returned, bound to the list's partition, in one codec
// (cursor.go); an Idempotency-Key's response is replayed for 24 h; the inbox
// of a user is numbered 1, 2, 3… with no gap and no duplicate under
// redelivery, and each entry stays within 1 KB (a larger payload is stored
// once per event and referenced, inbox.go); every member record created or deleted writes an entry of
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
// decides on a serializable snapshot (TransactGetItems) instead, at twice
// the read units of a strongly consistent BatchGetItem of the same keys,
// because the version condition alone does not make such a read safe:
//
//   - What the condition covers. The write is conditioned on the group
//     record's version, and every other item a decision reads (the role
//     configuration, member records, custom auths, channels, categories,
//     overrides, bans, codes, applications) changes only in a versioned
//     change. (The cleanups that remove a deleted role's ID from member
//     records or a deleted channel's overrides change no live state.) So a
//     change committed after the group record was read fails the write.
//   - What it does not. BatchGetItem reads its items one by one, in no
//     order, with read-committed isolation: even strongly consistent, it
//     can see a concurrent transaction in the group record and not yet in
//     another item. The write then decides on a state that never existed
//     and its version condition holds: an admin demoted by change V still
//     reads as admin beside the group record at V, and kicks.
//   - So an item is covered only if the write transaction writes it with
//     a condition that re-checks what the decision read. Per operation:
//     the targets are (a kick or quit deletes the member record on its
//     existence and role; adds put it if absent; a code's use is
//     conditioned on maxUses, revocation and expiry; an application's
//     answer on its state; a profile or ban is condition-checked), but
//     the actor's member record and the role configuration, which every
//     permission decision reads, are written by almost none (QuitGroup and
//     SetGroupMemberInfo on oneself; the role operations the roles), nor
//     are a channel's or category's records by the operations on their
//     members and roles. Guarding each with a ConditionCheck costs two
//     write units in AWS to save one read unit, so every write keeps its
//     transactional snapshot, and the cost table (infra/costtable) shows
//     what that costs against each operation's floor.
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
