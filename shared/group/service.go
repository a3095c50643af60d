package group

import (
	"context"

	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// Service runs group operations against a store.
type Service struct {
	st     *store.Store
	paging checkPaging // the paged check's, when a test sets it
}

// NewService returns a service over st.
func NewService(st *store.Store) *Service { return &Service{st: st} }

// ProfileInput is the body of PUT /users/me and PUT /admin/users/{userID}.
type ProfileInput struct {
	Nickname string `json:"nickname"`
	FaceURL  string `json:"faceURL"`
	Ex       string `json:"ex"`
}

func (in ProfileInput) validate() error {
	return validate.First(
		validate.Text("nickname", in.Nickname, validate.MaxText),
		validate.Text("faceURL", in.FaceURL, validate.MaxText),
		validate.Text("ex", in.Ex, validate.MaxEx),
	)
}

// PutMyProfile creates or updates the actor's own profile.
func (s *Service) PutMyProfile(ctx context.Context, a permission.Actor, in ProfileInput) (*store.Profile, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return s.st.PutProfile(ctx, store.Profile{UserID: a.UserID, Nickname: in.Nickname, FaceURL: in.FaceURL, Ex: in.Ex})
}

// ImportUser creates or updates any user's profile; app admins only.
func (s *Service) ImportUser(ctx context.Context, a permission.Actor, userID string, in ProfileInput) (*store.Profile, error) {
	if err := permission.DecideApp(a, permission.OpImportUser); err != nil {
		return nil, err
	}
	if err := validate.First(validate.ID("userID", userID), in.validate()); err != nil {
		return nil, err
	}
	return s.st.PutProfile(ctx, store.Profile{UserID: userID, Nickname: in.Nickname, FaceURL: in.FaceURL, Ex: in.Ex})
}

// GetUsers returns the profiles of the given users that exist, in the order
// asked.
func (s *Service) GetUsers(ctx context.Context, _ permission.Actor, userIDs []string) (*store.Page[*store.Profile], error) {
	if err := validate.IDs("userIDs", userIDs, true); err != nil {
		return nil, err
	}
	found, err := s.st.GetProfiles(ctx, userIDs)
	if err != nil {
		return nil, err
	}
	page := &store.Page[*store.Profile]{Items: []*store.Profile{}}
	for _, id := range userIDs {
		if p, ok := found[id]; ok {
			page.Items = append(page.Items, p)
		}
	}
	return page, nil
}

// viewAllowed reads the group, the actor's member record and those of
// userIDs with one view (an eventually consistent BatchGetItem unless the
// request asked for a consistent read: nothing is written from it) and
// answers them when the actor may do op on the group.
func (s *Service) viewAllowed(ctx context.Context, a permission.Actor, groupID string, op permission.Op, userIDs ...string) (*store.Group, map[string]*store.Member, error) {
	g, ms, err := s.st.View(ctx, groupID, append([]string{a.UserID}, userIDs...)...)
	if err != nil {
		return nil, nil, err
	}
	if err := permission.Decide(permission.Request{Op: op, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
		return nil, nil, err
	}
	return g, ms, nil
}
