package store

// Limits of a channel's access list.
const (
	MaxAccessUsers = 1000
	MaxAccessRoles = 20
)

// MaxChannels bounds the channels of a group. It keeps every walk over a
// group's channels (a deleted role's cleanup, a dismissal) a bounded job.
const MaxChannels = 500
