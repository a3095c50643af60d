package channel

import "github.com/circles-im/circles/shared/store"

// Service runs channel operations against a store.
type Service struct {
	st *store.Store
}

// NewService returns a service over st.
func NewService(st *store.Store) *Service { return &Service{st: st} }
