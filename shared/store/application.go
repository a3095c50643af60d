package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
)

const kindApplication = "application"

// ApplyBatch is how many applications one PutApplications transaction
// holds: each takes four items (the application, a check that the user is
// not a member, a check of the profile, a check that they are not banned),
// plus the group and the event.
const ApplyBatch = 24

func applicationsPK(gid string) string { return "G#" + gid + "#A" }
func userApplicationsPK(uid string) string {
	return "U#" + uid + "#A"
}
func applicationsByResultPK(gid string, result int) string {
	return fmt.Sprintf("G#%s#A#%d", gid, result)
}

// reqTimeSK orders applications by request time (zero-padded millis).
func reqTimeSK(reqTime int64, id string) string {
	return fmt.Sprintf("%013d#%s", reqTime, id)
}

func applicationItem(a *Application) map[string]types.AttributeValue {
	return marshalItem(a, map[string]string{
		"PK": groupPK(a.GroupID), "SK": applicationSK(a.UserID), "kind": kindApplication,
		"GSI1PK": applicationsPK(a.GroupID), "GSI1SK": reqTimeSK(a.ReqTime, a.UserID),
		"GSI2PK": userApplicationsPK(a.UserID), "GSI2SK": reqTimeSK(a.ReqTime, a.GroupID),
		"GSI3PK": applicationsByResultPK(a.GroupID, a.HandleResult), "GSI3SK": reqTimeSK(a.ReqTime, a.UserID),
	})
}

// GetApplication reads the application of a user to a group (strongly
// consistent); NOT_FOUND if there is none.
func (s *Store) GetApplication(ctx context.Context, groupID, userID string) (*Application, error) {
	item, err := s.get(ctx, groupPK(groupID), applicationSK(userID))
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, errcode.New(errcode.NotFound, "user %s has no application to group %s", userID, groupID)
	}
	return unmarshal[Application](item)
}

// PutApplications creates or replaces the pending applications of users
// (at most ApplyBatch) as one change of g. Each is conditioned, in the same
// transaction, on the user not being a member, having a profile and not
// being banned, so an application never sits beside the member record it
// would create (a join racing an invite cannot add the user twice: OpenIM
// #3785). A failing user fails the whole batch with a *UserError.
//
// The group's pendingApplications rises by the applications that were not
// pending before (new ones, and ones replacing a handled application): the
// applications are read first, and each put is conditioned on the record
// being as read, so the count moves exactly with the records; a record that
// changed in between makes the change a lost race.
func (s *Store) PutApplications(ctx context.Context, g *Group, apps []*Application, ev event.Event) (*event.Event, error) {
	if len(apps) == 0 || len(apps) > ApplyBatch {
		return nil, fmt.Errorf("put %d applications: want 1..%d", len(apps), ApplyBatch)
	}
	uids := make([]string, len(apps))
	for i, a := range apps {
		uids[i] = a.UserID
	}
	prev, err := s.getApplications(ctx, g.GroupID, uids)
	if err != nil {
		return nil, err
	}
	c := s.newChange(g, ev)
	added := int64(0)
	for _, a := range apps {
		if p := prev[a.UserID]; p == nil || p.HandleResult != ApplicationPending {
			added++
		}
	}
	if added > 0 {
		c.meta.Add("pendingApplications", added)
	}
	out, err := s.commitChange(ctx, c, func(t *tx) {
		for _, a := range apps {
			a.HandleResult, a.HandledMsg, a.HandleUserID, a.HandledTime = ApplicationPending, "", "", 0
			uid := a.UserID
			put := s.putItem(applicationItem(a))
			if p := prev[uid]; p == nil {
				put.If(ifAbsent)
			} else {
				put.If("$ = ?", "handleResult", p.HandleResult).If("$ = ?", "reqTime", p.ReqTime)
			}
			addTo(t, put, nil)
			s.checkNotBanned(t, g.GroupID, uid)
			addTo(t, s.checkItem(groupPK(g.GroupID), memberSK(uid)).If(ifAbsent), func(Item) error {
				return &UserError{UserID: uid, Err: errcode.New(errcode.AlreadyInGroup, "user %s is already in the group", uid)}
			})
			addTo(t, s.checkItem(userPK(uid), skProfile).If(ifExists), func(Item) error {
				return &UserError{UserID: uid, Err: errcode.New(errcode.NotFound, "user %s has no profile", uid)}
			})
		}
	})
	if err == nil {
		g.PendingApplications += added
	}
	return out, err
}

// getApplications reads the application records of users to a group
// (strongly consistent), keyed by userID.
func (s *Store) getApplications(ctx context.Context, groupID string, userIDs []string) (map[string]*Application, error) {
	keys := make([]Item, len(userIDs))
	for i, id := range userIDs {
		keys[i] = key(groupPK(groupID), applicationSK(id))
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Application, len(items))
	for _, it := range items {
		a, err := unmarshal[Application](it)
		if err != nil {
			return nil, err
		}
		out[a.UserID] = a
	}
	return out, nil
}

// HandleApplication marks the pending application app (as read, in the same
// snapshot as g) with result, and, when add is not nil, adds that member and
// one to memberCount, all in one change. The application must still be
// pending and unchanged since it was read, else APPLICATION_HANDLED (or a
// retry, if it was replaced by a newer request); the group's
// pendingApplications drops by one with it. If the user has become a
// member, the answer is a *UserError with ALREADY_IN_GROUP: the caller then
// marks the application only (add nil). A user with a live ban is not
// admitted: a *UserError with BANNED.
func (s *Store) HandleApplication(ctx context.Context, g *Group, app *Application, result int, handler, msg string, add *Member, ev event.Event) (*event.Event, error) {
	if result != ApplicationAgreed && result != ApplicationRefused {
		return nil, fmt.Errorf("handle application with result %d", result)
	}
	if add != nil && result != ApplicationAgreed {
		return nil, errors.New("a refused application adds no member")
	}
	var names map[string]string
	if add != nil {
		var err error
		if names, err = s.profileNicknames(ctx, []string{add.UserID}); err != nil {
			return nil, err
		}
	}
	now := s.nowMillis()
	c := s.newChange(g, ev)
	// The application's own condition (pending, as read) makes the count
	// move exactly once.
	c.meta.Add("pendingApplications", -1)
	if add != nil {
		c.meta.Add("memberCount", 1)
	}
	out, err := s.commitChange(ctx, c, func(t *tx) {
		uid := app.UserID
		up := s.updateItem(groupPK(app.GroupID), applicationSK(uid)).
			Set("handleResult", result).
			Set("handledMsg", attr(msg)).
			Set("handleUserID", attr(handler)).
			Set("handledTime", now).
			Set("GSI3PK", applicationsByResultPK(app.GroupID, result)).
			If(ifExists).
			If("$ = ?", "handleResult", ApplicationPending).
			If("$ = ?", "reqTime", app.ReqTime)
		addTo(t, up, func(old Item) error {
			if old == nil {
				return errcode.New(errcode.NotFound, "user %s has no application to group %s", uid, app.GroupID)
			}
			if r, _ := intAttr(old, "handleResult"); r != ApplicationPending {
				return errcode.New(errcode.ApplicationHandled, "the application of user %s was already handled", uid)
			}
			return errVersionMoved
		})
		if add != nil {
			s.putMembers(t, []*Member{add}, names)
			s.checkNotBanned(t, g.GroupID, add.UserID)
		}
	})
	if err != nil {
		return nil, err
	}
	g.PendingApplications--
	if add != nil {
		g.MemberCount++
	}
	app.HandleResult, app.HandledMsg, app.HandleUserID, app.HandledTime = result, msg, handler, now
	return out, nil
}

// ListGroupApplications pages through a group's applications, newest first;
// with a result, only those with that handleResult (GSI3), else all (GSI1).
func (s *Store) ListGroupApplications(ctx context.Context, groupID string, result *int, limit int, cursor string) (*Page[*Application], error) {
	q := pageQuery{ix: gsi1, partition: applicationsPK(groupID), limit: limit, cursor: cursor}
	if result != nil {
		q.ix, q.partition = gsi3, applicationsByResultPK(groupID, *result)
	}
	return s.applicationPage(ctx, q)
}

// ListUserApplications pages through a user's own applications, newest
// first.
func (s *Store) ListUserApplications(ctx context.Context, userID string, limit int, cursor string) (*Page[*Application], error) {
	return s.applicationPage(ctx, pageQuery{ix: gsi2, partition: userApplicationsPK(userID), limit: limit, cursor: cursor})
}

func (s *Store) applicationPage(ctx context.Context, q pageQuery) (*Page[*Application], error) {
	items, next, err := s.page(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &Page[*Application]{Items: make([]*Application, 0, len(items)), NextCursor: next}
	for _, it := range items {
		a, err := unmarshal[Application](it)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, a)
	}
	return page, nil
}
