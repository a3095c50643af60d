package role

import (
	"context"
	"os"
	"strconv"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// DefaultMaxRoles is the number of custom roles a group may have when
// MAX_ROLES_PER_GROUP is not set.
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

// manage reads, in one call, the group with its roles, the actor and the
// given users, and the app's custom items; and refuses an actor who may not
// manage roles.
func (s *Service) manage(ctx context.Context, a permission.Actor, groupID string, users ...string) (*store.Group, map[string]*store.Member, *store.CustomAuths, error) {
	g, ms, custom, err := s.st.RoleSnapshot(ctx, groupID, append([]string{a.UserID}, users...)...)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := permission.CanManageRoles(a, g, ms[a.UserID]); err != nil {
		return nil, nil, nil, err
	}
	return g, ms, custom, nil
}
