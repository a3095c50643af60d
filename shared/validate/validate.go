package validate

import (
	"unicode/utf8"

	"github.com/circles-im/circles/shared/errcode"
)

// Field limits, in characters, and the batch and body limits (see the
// package doc).
const (
	MaxText         = 255
	MaxNotification = 2048
	MaxEx           = 1024
	MaxBatch        = 1000
	MaxBody         = 1 << 20
)

// IsID reports whether s may be used as a user, group, role or channel ID:
// it matches ^[A-Za-z0-9_.@:-]{1,64}$, which keeps '#' and '/' out of keys.
// Checked byte by byte rather than with a regexp compiled at package init,
// which every function's cold start would pay for.
func IsID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '.', c == '@', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ID checks one identifier.
func ID(field, s string) error {
	if !IsID(s) {
		return errcode.New(errcode.InvalidArgument, "%s must match ^[A-Za-z0-9_.@:-]{1,64}$", field)
	}
	return nil
}

// Text checks a free-text field against its maximum length in characters.
func Text(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return errcode.New(errcode.InvalidArgument, "%s is not valid UTF-8", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return errcode.New(errcode.InvalidArgument, "%s is %d characters long; the limit is %d", field, n, max)
	}
	return nil
}

// IDs checks a batch of identifiers: non-empty when required, at most
// MaxBatch entries, each a valid ID, no duplicates.
func IDs(field string, ids []string, required bool) error {
	if required && len(ids) == 0 {
		return errcode.New(errcode.InvalidArgument, "%s must not be empty", field)
	}
	if len(ids) > MaxBatch {
		return errcode.New(errcode.InvalidArgument, "%s has %d entries; the limit is %d", field, len(ids), MaxBatch)
	}
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if !IsID(id) {
			return errcode.New(errcode.InvalidArgument, "%s: %q must match ^[A-Za-z0-9_.@:-]{1,64}$", field, id)
		}
		if _, dup := seen[id]; dup {
			return errcode.New(errcode.InvalidArgument, "%s lists %q twice", field, id)
		}
		seen[id] = struct{}{}
	}
	return nil
}

// OneOf checks that v is one of the allowed values.
func OneOf(field string, v int, allowed ...int) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return errcode.New(errcode.InvalidArgument, "%s must be one of %v", field, allowed)
}

// First returns the first non-nil error, so a validator reads as a list.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
