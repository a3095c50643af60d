package group

import (
	"context"
	"errors"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// MaxBanUsers is how many users one BanMembers or UnbanMembers request
// names.
const MaxBanUsers = 100

// MaxBanExpireTime is the latest expireTime a ban may carry: the end of the
// year 9999, in milliseconds.
const MaxBanExpireTime = 253402300799999

// banBatch is how many targets one ban transaction decides: with the actor
// they fit one snapshot, and even members holding roles mostly fit one
// transaction (fitBans defers the rest).
const banBatch = 48

// BanInput is the body of POST /groups/{groupID}/bans.
type BanInput struct {
	UserIDs []string `json:"userIDs"`
	Reason  string   `json:"reason"`
	// ExpireTime is when the ban ends, in milliseconds; 0 means never.
	ExpireTime int64 `json:"expireTime"`
}

// BanResult lists who was banned and who could not be, with the reason.
type BanResult struct {
	Banned []string     `json:"banned"`
	Failed []FailedUser `json:"failed"`
}

// UnbanInput is the body of POST /groups/{groupID}/bans/remove.
type UnbanInput struct {
	UserIDs []string `json:"userIDs"`
}

// UnbanResult lists whose bans were lifted and who had none.
type UnbanResult struct {
	Unbanned []string     `json:"unbanned"`
	Failed   []FailedUser `json:"failed"`
}

func validUsers(ids []string) error {
	if err := validate.IDs("userIDs", ids, true); err != nil {
		return err
	}
	if len(ids) > MaxBanUsers {
		return errcode.New(errcode.InvalidArgument, "userIDs has %d entries; the limit is %d", len(ids), MaxBanUsers)
	}
	return nil
}

// Ban bans users from the group (banMember). Members among them are
// removed by the same change, under a kick's rank rules (nobody bans
// themselves or the owner, and a member must be outranked); users who are
// not members are banned ahead of time. Each batch of targets is decided on
// one snapshot and committed as one change with one BanMembers event, to
// the users banned and the holders of banMember. A ban replaces the user's
// earlier one. When no target can be banned the request fails with the
// first target's error and changes nothing.
func (s *Service) Ban(ctx context.Context, a permission.Actor, groupID string, in BanInput) (*BanResult, error) {
	now := s.st.Now().UnixMilli()
	if err := validate.First(
		validate.ID("groupID", groupID),
		validUsers(in.UserIDs),
		validate.Text("reason", in.Reason, validate.MaxText),
	); err != nil {
		return nil, err
	}
	if in.ExpireTime != 0 && (in.ExpireTime <= now || in.ExpireTime > MaxBanExpireTime) {
		return nil, errcode.New(errcode.InvalidArgument, "expireTime must be 0 (never) or a time in the future, in milliseconds, at most %d", int64(MaxBanExpireTime))
	}
	banned, failed, err := decideInBatches(ctx, in.UserIDs, banBatch, func(batch []string, d *batchDecision) error {
		g, ms, err := s.st.Snapshot(ctx, groupID, append([]string{a.UserID}, batch...)...)
		if err != nil {
			return err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpManageBans, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return err
		}
		var ok []string
		for _, id := range batch {
			err := permission.Decide(permission.Request{Op: permission.OpBan, Actor: a, Group: g,
				Self: ms[a.UserID], Target: ms[id], TargetID: id})
			if err != nil {
				d.refuse(id, err)
				continue
			}
			ok = append(ok, id)
		}
		if len(ok) == 0 {
			return nil
		}
		ok, d.deferred = fitBans(ok, ms)
		var bans []*store.Ban
		var remove []*store.Member
		var removed []string
		for _, id := range ok {
			bans = append(bans, &store.Ban{UserID: id, Reason: in.Reason, ExpireTime: in.ExpireTime, BanTime: s.st.Now().UnixMilli(), OperatorUserID: a.UserID})
			if m := ms[id]; m != nil {
				remove = append(remove, m)
				removed = append(removed, id)
			}
		}
		ev := event.New(event.BanMembers, a.UserID, event.BanPayload{UserIDs: ok, Removed: orEmpty(removed), Reason: in.Reason, ExpireTime: in.ExpireTime}, others(ok, a.UserID)...)
		ev.Audience = &event.Audience{Holders: string(permission.BanMember)}
		if _, err := s.st.BanMembers(ctx, g, bans, remove, ev); err != nil {
			return err
		}
		d.done = ok
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &BanResult{Banned: banned, Failed: failed}, nil
}

// fitBans splits the users to ban into those that fit one transaction (a
// member with their removal) and the rest.
func fitBans(ids []string, ms map[string]*store.Member) (fit, deferred []string) {
	items := 0
	for i, id := range ids {
		items += store.BanItems(ms[id])
		if items > store.MaxBanItems {
			return ids[:i], ids[i:]
		}
	}
	return ids, nil
}

func orEmpty(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// Unban lifts bans (banMember). A user without a ban (or whose ban has
// expired) goes to the failed list with NOT_FOUND; the others are lifted in
// one change per batch with one UnbanMembers event, to them and the holders
// of banMember. When nobody had a ban the request fails with the first
// user's error and changes nothing.
func (s *Service) Unban(ctx context.Context, a permission.Actor, groupID string, in UnbanInput) (*UnbanResult, error) {
	if err := validate.First(validate.ID("groupID", groupID), validUsers(in.UserIDs)); err != nil {
		return nil, err
	}
	notBanned := func(id string) FailedUser {
		return FailedUser{UserID: id, Code: errcode.NotFound, Message: "user " + id + " is not banned"}
	}
	// lifted survives a lost race: the batches committed stay lifted, and
	// the next attempt reads the rest again.
	lifted, rest := []string{}, in.UserIDs
	var failed []FailedUser
	err := store.RetryErr(ctx, func() error {
		failed = []FailedUser{}
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpManageBans, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return err
		}
		bans, err := s.st.GetBans(ctx, groupID, rest)
		if err != nil {
			return err
		}
		now := s.st.Now().UnixMilli()
		var lift []string
		for _, id := range rest {
			if b := bans[id]; b != nil && b.Live(now) {
				lift = append(lift, id)
			} else {
				failed = append(failed, notBanned(id))
			}
		}
		for len(lift) > 0 {
			batch := lift[:min(len(lift), store.UnbanBatch)]
			ev := event.New(event.UnbanMembers, a.UserID, event.UnbanPayload{UserIDs: batch}, others(batch, a.UserID)...)
			ev.Audience = &event.Audience{Holders: string(permission.BanMember)}
			_, err := s.st.UnbanMembers(ctx, g, batch, ev)
			var ue *store.UserError
			if errors.As(err, &ue) {
				return store.ErrRetry // lifted meanwhile: read again
			}
			if err != nil {
				return err
			}
			lifted = append(lifted, batch...)
			rest = withoutIDs(rest, batch)
			lift = lift[len(batch):]
		}
		return nil
	})
	if err != nil && len(lifted) == 0 {
		return nil, err
	}
	if err != nil {
		e := errcode.Of(err)
		failed = []FailedUser{}
		for _, id := range rest {
			failed = append(failed, FailedUser{UserID: id, Code: e.Code, Message: e.Message})
		}
	}
	if len(lifted) == 0 && len(failed) > 0 {
		return nil, errcode.New(failed[0].Code, "%s", failed[0].Message)
	}
	return &UnbanResult{Unbanned: lifted, Failed: failed}, nil
}

func withoutIDs(ids, drop []string) []string {
	gone := map[string]bool{}
	for _, id := range drop {
		gone[id] = true
	}
	var out []string
	for _, id := range ids {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return out
}

// ListBans pages through the group's live bans, newest first (banMember).
func (s *Service) ListBans(ctx context.Context, a permission.Actor, groupID string, limit int, cursor string) (*store.Page[*store.Ban], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	if _, _, err := s.viewAllowed(ctx, a, groupID, permission.OpManageBans); err != nil {
		return nil, err
	}
	return s.st.ListBans(ctx, groupID, limit, cursor)
}
