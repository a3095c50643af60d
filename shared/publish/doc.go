// Package publish is the publish-events function: it reads the outbox
// events of the table's stream and publishes each to the SNS topic.
//
// Its rules:
//   - Each event is one SNS message whose body is the event's JSON, with
//     the message attributes type, groupID and code (event.Attributes), on
//     which subscribers' filter policies select.
//   - Events of a shard are published in order: at the first failure the
//     batch reports that record, and Lambda retries from it. Delivery is
//     therefore at least once; consumers deduplicate on eventID and order
//     by version.
//   - Publishing stops a margin before the invocation's deadline and
//     reports the first unpublished record, so a slow SNS never times the
//     whole batch out.
//
// It lives apart from package event so that the HTTP functions, which
// write events but never publish them, do not link the SNS client.
package publish
