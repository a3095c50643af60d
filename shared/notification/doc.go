// Package notification is the built-in consumer of group events: personal
// notifications in each recipient's inbox, and the cleanup of dismissed
// groups, deleted roles and deleted channels. Both run behind SQS queues
// subscribed to the events topic and report partial batch failures.
//
// The rules of delivery:
//
//   - At most once per (eventID, recipient): the store's delivery marker
//     commits with the inbox entry, so no redelivery writes anything twice.
//   - An event addressed to the whole group (no recipients, no audience)
//     writes nothing: members read it through GetGroupChanges.
//   - Fan-out is chunked. An event with more than ChunkSize named recipients,
//     or with an Audience, is split into Chunk messages of at most ChunkSize
//     recipients each, sent to the consumer's own queue; one slow chunk never
//     holds another event back, and a redelivery redoes at most one chunk.
//   - An audience is expanded when the event is delivered, not when the
//     change commits: the request stays O(1) in the audience's size, and the
//     recipients are the holders at delivery time.
//   - Deliveries run on a bounded pool of Workers. The consumer stops taking
//     new work Margin before its deadline and reports exactly the messages
//     it did not finish as batch item failures; their finished recipients
//     stay finished.
package notification
