package role

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// CustomAuthInput is the body of CreateCustomAuth.
type CustomAuthInput struct {
	Name         string `json:"name"`
	DefaultRight string `json:"defaultRight"`
}

// CreateCustomAuth creates an app-wide custom permission item; app admins
// only. Keys are given in order from 10000.
func (s *Service) CreateCustomAuth(ctx context.Context, a permission.Actor, in CustomAuthInput) (*store.CustomAuth, error) {
	if err := permission.DecideApp(a, permission.OpCreateCustomAuth); err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Name) == "" {
		return nil, errcode.New(errcode.InvalidArgument, "name is required")
	}
	if err := validate.Text("name", in.Name, validate.MaxText); err != nil {
		return nil, err
	}
	if in.DefaultRight != store.AuthAllow && in.DefaultRight != store.AuthDeny {
		return nil, errcode.New(errcode.InvalidArgument, "defaultRight must be allow or deny")
	}
	return store.Retry(ctx, func() (*store.CustomAuth, error) {
		read, err := s.st.GetCustomAuths(ctx)
		if err != nil {
			return nil, err
		}
		return s.st.CreateCustomAuth(ctx, read, in.Name, in.DefaultRight)
	})
}

// ListCustomAuths answers every custom item in key order; app admins only,
// as for creating them. Members learn the
// items a role sets from ListRoles.
func (s *Service) ListCustomAuths(ctx context.Context, a permission.Actor) (*store.Page[*store.CustomAuth], error) {
	if err := permission.DecideApp(a, permission.OpListCustomAuths); err != nil {
		return nil, err
	}
	c, err := s.st.GetCustomAuths(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]*store.CustomAuth, 0, len(c.Items))
	for _, it := range c.Items {
		items = append(items, it)
	}
	slices.SortFunc(items, func(x, y *store.CustomAuth) int {
		a, _ := strconv.Atoi(x.Key)
		b, _ := strconv.Atoi(y.Key)
		return a - b
	})
	return &store.Page[*store.CustomAuth]{Items: items}, nil
}
