// Package errcode defines the typed errors of the Circles API and the single
// table that maps each to an HTTP status and an OpenIM errCode.
//
// Its rules:
//   - Every error a client sees is an *Error with a Code; anything else is
//     INTERNAL with a message that reveals nothing (Of), its cause kept for
//     the logs only.
//   - Every error response has the body
//     {"error":{"code","errCode","message","requestId"}} (Error.Body).
//   - errCode reuses OpenIM's numbers, so clients migrating from OpenIM keep
//     their handling; several codes share one (table).
//   - A failed request changes nothing; only batch operations that commit in
//     several transactions report, per user, what failed (their failed
//     lists).
package errcode
