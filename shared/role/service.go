// Package role implements the QChat-style server roles of a group (SPEC
// §4.2) and the app's custom permission items: who may do what is
// package permission's, and what to commit is package store's.
package role

import (
	"os"
	"strconv"

	"github.com/circles-im/circles/shared/store"
)

// DefaultMaxRoles is the number of custom roles a group may have when
// MAX_ROLES_PER_GROUP is not set (SPEC §4.2).
const DefaultMaxRoles = 20

// Service runs role operations against a store.
type Service struct {
	st       *store.Store
	maxRoles int
}

// NewService returns a service over st; MAX_ROLES_PER_GROUP bounds the
// custom roles of a group.
func NewService(st *store.Store) *Service {
	maxRoles := DefaultMaxRoles
	if n, err := strconv.Atoi(os.Getenv("MAX_ROLES_PER_GROUP")); err == nil && n > 0 {
		maxRoles = n
	}
	return &Service{st: st, maxRoles: maxRoles}
}
