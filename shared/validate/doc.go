// Package validate checks client input against the limits of the API. Every
// failure is an INVALID_ARGUMENT error that names the field.
//
// The limits:
//   - User, group, role and channel IDs match ^[A-Za-z0-9_.@:-]{1,64}$, so no
//     '#' or '/' (the separators of the table's keys) ever reaches a key.
//   - Free text is valid UTF-8 and counted in characters: MaxText (255) for
//     groupName, introduction, faceURL, nickname, reqMsg, handledMsg, role and
//     channel names and icon; MaxNotification (2048) for a group's
//     notification (announcement); MaxEx (1024) for ex and attachedInfo.
//   - A batch of IDs in one request holds at most MaxBatch (1000) entries,
//     and a duplicate is refused, not ignored.
//   - A request body holds at most MaxBody (1 MiB).
package validate
