// Package event defines the outbox events every committed group change writes,
// with OpenIM's notification types and codes.
//
// Its rules:
//   - Every committed change of a group writes exactly one event, in the
//     same transaction, whose version is the group's new version: versions go
//     1, 2, 3… per group with no gap and no repeat.
//   - An event is {eventID, type, code, groupID, version, actorUserID,
//     occurredAt, payload, recipients, audience}. Types and codes are
//     OpenIM's 1501–1520, plus the role, channel and repair events of Circles.
//   - Each type's payload is one of the typed structs of payload.go (New
//     refuses a struct that does not belong to the type); it is stored and
//     published as that struct's JSON object, which asyncapi.yaml describes
//     field for field.
//   - Recipients are only the users a change concerns (members, or the users
//     it acts on); an audience (the holders of an item, the members of a
//     role, the users whose view of a channel changed) is expanded at
//     delivery, so an event never grows with its audience.
//   - Every published event carries the message attributes type, groupID
//     and code (Attributes), on which subscribers' filter policies select
//     (package publish sends them). Delivery is at least once: consumers
//     deduplicate on eventID and order by version.
package event
