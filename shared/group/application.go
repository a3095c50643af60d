package group

import (
	"context"
	"errors"
	"fmt"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// JoinInput is the body of POST /groups/{groupID}/applications.
type JoinInput struct {
	ReqMsg        string `json:"reqMsg"`
	JoinSource    int    `json:"joinSource"`
	InviterUserID string `json:"inviterUserID"`
	Ex            string `json:"ex"`
}

// JoinResult tells whether the actor joined at once or applied.
type JoinResult struct {
	Joined      bool               `json:"joined"`
	Application *store.Application `json:"application,omitempty"`
}

func (in *JoinInput) validate() error {
	if in.JoinSource == 0 {
		in.JoinSource = store.JoinBySearch
		if in.InviterUserID != "" {
			in.JoinSource = store.JoinByInvitation
		}
	}
	err := validate.First(
		validate.Text("reqMsg", in.ReqMsg, validate.MaxText),
		validate.Text("ex", in.Ex, validate.MaxEx),
		validate.OneOf("joinSource", in.JoinSource, store.JoinByInvitation, store.JoinBySearch, store.JoinByQRCode),
	)
	if err == nil && in.InviterUserID != "" {
		err = validate.ID("inviterUserID", in.InviterUserID)
	}
	// An invitation is named by both fields together (and checked against
	// the pending invitation in Join).
	if err == nil && (in.InviterUserID != "") != (in.JoinSource == store.JoinByInvitation) {
		err = errcode.New(errcode.InvalidArgument, "joinSource 2 (invitation) and inviterUserID go together: both name your pending invitation")
	}
	return err
}

// checkInvitation is the rule of a join that names an inviter: the actor's
// application to the group must be a pending invitation (joinSource 2, made
// by InviteUserToGroup) from that very user; the inviter is recorded only
// then. The application is read after the snapshot; the commit is
// conditioned on the group's version, which every change of an application
// moves, so it cannot have changed in between.
func (s *Service) checkInvitation(ctx context.Context, groupID, userID, inviter string) error {
	refused := errcode.New(errcode.InvalidArgument, "inviterUserID: you have no pending invitation from %s to group %s", inviter, groupID)
	app, err := s.st.GetApplication(ctx, groupID, userID)
	if errcode.CodeOf(err) == errcode.NotFound {
		return refused
	}
	if err != nil {
		return err
	}
	if app.HandleResult != store.ApplicationPending || app.JoinSource != store.JoinByInvitation || app.InviterUserID != inviter {
		return refused
	}
	return nil
}

// Join lets a non-member in: at once under needVerification 2, otherwise by
// creating (or replacing) their pending application, announced to the owner
// and admins.
func (s *Service) Join(ctx context.Context, a permission.Actor, groupID string, in JoinInput) (*JoinResult, error) {
	if err := validate.First(validate.ID("groupID", groupID), in.validate()); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*JoinResult, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpJoin, Actor: a, Group: g, Self: ms[a.UserID], TargetID: a.UserID}); err != nil {
			return nil, err
		}
		if in.InviterUserID != "" {
			if err := s.checkInvitation(ctx, groupID, a.UserID, in.InviterUserID); err != nil {
				return nil, err
			}
		}
		now := s.st.Now().UnixMilli()
		if g.NeedVerification == 2 {
			m := &store.Member{GroupID: groupID, UserID: a.UserID, RoleLevel: store.RoleMember, JoinTime: now,
				JoinSource: in.JoinSource, InviterUserID: in.InviterUserID, OperatorUserID: a.UserID}
			ev := event.New(event.MemberEnter, a.UserID, event.MemberEnterPayload{UserID: a.UserID, JoinSource: in.JoinSource})
			if _, err := s.st.AddMembers(ctx, g, []*store.Member{m}, ev); err != nil {
				return nil, err
			}
			return &JoinResult{Joined: true}, nil
		}
		app := &store.Application{GroupID: groupID, UserID: a.UserID, ReqMsg: in.ReqMsg, JoinSource: in.JoinSource,
			InviterUserID: in.InviterUserID, ReqTime: now, Ex: in.Ex}
		if err := s.putApplications(ctx, a, g, []*store.Application{app}); err != nil {
			return nil, err
		}
		return &JoinResult{Application: app}, nil
	})
}

// putApplications commits one batch of pending applications as one change,
// with a JoinGroupApplication event to the holders of handleApplication:
// the owner, the admins and the members of the custom roles that allow it,
// however many. The event names them by that rule (its audience), not one
// by one, and the delivery stage expands it: the commit costs the same for
// 10 holders as for 10,000.
func (s *Service) putApplications(ctx context.Context, a permission.Actor, g *store.Group, apps []*store.Application) error {
	ids := make([]string, len(apps))
	for i, ap := range apps {
		ids[i] = ap.UserID
	}
	ev := event.New(event.JoinGroupApplication, a.UserID, event.ApplicationPayload{
		UserIDs: ids, JoinSource: apps[0].JoinSource, InviterUserID: apps[0].InviterUserID, ReqMsg: apps[0].ReqMsg,
	})
	ev.Audience = &event.Audience{Holders: string(permission.HandleApplication)}
	_, err := s.st.PutApplications(ctx, g, apps, ev)
	return err
}

// applyInBatches creates applications in atomic batches, each its own change
// and event, each re-decided by recheck (see inBatches).
func (s *Service) applyInBatches(ctx context.Context, a permission.Actor, g *store.Group, rest []*store.Application, recheck func() (*store.Group, error)) []FailedUser {
	return inBatches(ctx, s.st, g, rest, store.ApplyBatch, func(ap *store.Application) string { return ap.UserID }, recheck, func(batch []*store.Application) error {
		return s.putApplications(ctx, a, g, batch)
	})
}

// ApplicationResponseInput is the body of PUT /groups/{groupID}/applications/{userID}.
type ApplicationResponseInput struct {
	HandleResult int    `json:"handleResult"`
	HandledMsg   string `json:"handledMsg"`
}

// RespondApplication agrees to or refuses a pending application. Agreeing
// adds the member and marks the application in one change; if the user is
// already a member, only the application is marked.
//
// OpenIM announces an agreed application with two notifications
// (GroupApplicationAccepted 1505, then MemberEnter 1510). Here each change
// writes exactly one event (invariant 4), so the one event is
// GroupApplicationAccepted (1505) for a join request and MemberInvited
// (1509) for an invitation (joinSource 2); its payload says whether the user
// entered. A refusal is GroupApplicationRejected (1506). The applicant is
// the recipient of each.
func (s *Service) RespondApplication(ctx context.Context, a permission.Actor, groupID, userID string, in ApplicationResponseInput) (*store.Application, error) {
	if err := validate.First(
		validate.ID("groupID", groupID),
		validate.ID("userID", userID),
		validate.OneOf("handleResult", in.HandleResult, store.ApplicationAgreed, store.ApplicationRefused),
		validate.Text("handledMsg", in.HandledMsg, validate.MaxText),
	); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.Application, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID, userID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpHandleApplication, Actor: a, Group: g,
			Self: ms[a.UserID], Target: ms[userID], TargetID: userID}); err != nil {
			return nil, err
		}
		app, err := s.st.GetApplication(ctx, groupID, userID)
		if err != nil {
			return nil, err
		}
		if app.HandleResult != store.ApplicationPending {
			return nil, errcode.New(errcode.ApplicationHandled, "the application of user %s was already handled", userID)
		}
		payload := event.ApplicationHandledPayload{UserID: userID, JoinSource: app.JoinSource, InviterUserID: app.InviterUserID,
			HandleResult: in.HandleResult, HandledMsg: in.HandledMsg}
		t := event.GroupApplicationRejected
		var add *store.Member
		if in.HandleResult == store.ApplicationAgreed {
			t = event.GroupApplicationAccepted
			if ms[userID] == nil {
				if app.JoinSource == store.JoinByInvitation {
					t = event.MemberInvited
				}
				add = &store.Member{GroupID: groupID, UserID: userID, RoleLevel: store.RoleMember,
					JoinTime: s.st.Now().UnixMilli(), JoinSource: app.JoinSource, InviterUserID: app.InviterUserID,
					OperatorUserID: a.UserID}
			}
			entered := add != nil
			payload.Entered = &entered
		}
		ev := event.New(t, a.UserID, payload, others([]string{userID}, a.UserID)...)
		_, err = s.st.HandleApplication(ctx, g, app, in.HandleResult, a.UserID, in.HandledMsg, add, ev)
		var ue *store.UserError
		if errors.As(err, &ue) && ue.Err.Code == errcode.AlreadyInGroup {
			// The user became a member after the snapshot: read again, and
			// the next attempt marks the application only.
			return nil, fmt.Errorf("user %s joined meanwhile: %w", userID, store.ErrRetry)
		}
		if err != nil {
			return nil, err
		}
		return app, nil
	})
}

// ListApplicationsInput is the query of GET /applications/received.
type ListApplicationsInput struct {
	GroupID      string `json:"groupID"`
	HandleResult *int   `json:"handleResult"`
	Limit        int    `json:"limit"`
	Cursor       string `json:"cursor"`
}

// ListReceivedApplications pages through the applications to a group the
// actor handles applications for, newest first, optionally only those with
// one handleResult. Without a groupID it lists those of every group where
// the actor holds handleApplication (among their first
// store.MaxManagedGroups memberships), merged newest first.
func (s *Service) ListReceivedApplications(ctx context.Context, a permission.Actor, in ListApplicationsInput) (*store.Page[*store.Application], error) {
	if in.HandleResult != nil {
		if err := validate.OneOf("handleResult", *in.HandleResult, store.ApplicationPending, store.ApplicationAgreed, store.ApplicationRefused); err != nil {
			return nil, err
		}
	}
	if in.GroupID == "" {
		groups, self, err := s.st.Memberships(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		var handled []string
		for _, g := range groups {
			req := permission.Request{Op: permission.OpListApplications, Actor: a, Group: g, Self: self[g.GroupID]}
			if permission.Decide(req) == nil {
				handled = append(handled, g.GroupID)
			}
		}
		return s.st.ListApplicationsAcross(ctx, handled, in.HandleResult, in.Limit, in.Cursor)
	}
	if err := validate.ID("groupID", in.GroupID); err != nil {
		return nil, err
	}
	if _, _, err := s.viewAllowed(ctx, a, in.GroupID, permission.OpListApplications); err != nil {
		return nil, err
	}
	return s.st.ListGroupApplications(ctx, in.GroupID, in.HandleResult, in.Limit, in.Cursor)
}

// ApplicationCount is the answer of GetGroupApplicationUnhandledCount.
type ApplicationCount struct {
	Count int64 `json:"count"`
}

// CountUnhandledApplications counts the pending applications the actor may
// handle: of one group with a groupID, else of every group where they hold
// handleApplication (among their first store.MaxManagedGroups memberships,
// as ListReceivedApplications). Nothing is counted at read time: each
// group's record carries its pendingApplications, moved in the transaction
// of every application change, so one group costs one view of the group
// and the actor (a BatchGetItem, nothing is written from it), and all of
// them one Query of the actor's memberships and one BatchGetItem per 50
// groups (each group's record and roles). A dismissed group counts for
// nobody.
func (s *Service) CountUnhandledApplications(ctx context.Context, a permission.Actor, groupID string) (*ApplicationCount, error) {
	if groupID == "" {
		groups, self, err := s.st.Memberships(ctx, a.UserID)
		if err != nil {
			return nil, err
		}
		out := &ApplicationCount{}
		for _, g := range groups {
			req := permission.Request{Op: permission.OpListApplications, Actor: a, Group: g, Self: self[g.GroupID]}
			if permission.Decide(req) == nil {
				out.Count += max(g.PendingApplications, 0)
			}
		}
		return out, nil
	}
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	g, _, err := s.viewAllowed(ctx, a, groupID, permission.OpListApplications)
	if err != nil {
		return nil, err
	}
	return &ApplicationCount{Count: max(g.PendingApplications, 0)}, nil
}

// ListSentApplications pages through the actor's own applications, newest
// first.
func (s *Service) ListSentApplications(ctx context.Context, a permission.Actor, limit int, cursor string) (*store.Page[*store.Application], error) {
	return s.st.ListUserApplications(ctx, a.UserID, limit, cursor)
}
