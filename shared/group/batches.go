package group

import (
	"context"
	"errors"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

// inBatches commits items in atomic batches of at most size, each batch its
// own change of g. When recheck is not nil, every attempt at a batch first
// reads the group again and decides again (recheck answers the fresh group,
// or why the actor may no longer go on); the commit, conditioned on that
// group's version, then cannot act on a decision made on an older state.
// Without it, a lost race refreshes g and tries again. A user that cannot
// be included is reported and the batch retried without them; any other
// failure is reported for every user not yet committed.
func inBatches[T any](ctx context.Context, st *store.Store, g *store.Group, rest []T, size int, userID func(T) string, recheck func() (*store.Group, error), commit func(batch []T) error) []FailedUser {
	var failed []FailedUser
	for len(rest) > 0 {
		batch := rest[:min(len(rest), size)]
		rest = rest[len(batch):]
		for len(batch) > 0 {
			err := store.RetryErr(ctx, func() error {
				if recheck != nil {
					fresh, err := recheck()
					if err != nil {
						return err
					}
					*g = *fresh
				}
				err := commit(batch)
				if recheck == nil && store.IsRetryable(err) {
					fresh, _, gerr := st.Snapshot(ctx, g.GroupID)
					if gerr != nil {
						return gerr
					}
					*g = *fresh
				}
				return err
			})
			if err == nil {
				break
			}
			var ue *store.UserError
			if errors.As(err, &ue) {
				failed = append(failed, FailedUser{UserID: ue.UserID, Code: ue.Err.Code, Message: ue.Err.Message})
				batch = slices.DeleteFunc(slices.Clone(batch), func(it T) bool { return userID(it) == ue.UserID })
				continue
			}
			e := errcode.Of(err)
			for _, it := range append(slices.Clone(batch), rest...) {
				failed = append(failed, FailedUser{UserID: userID(it), Code: e.Code, Message: e.Message})
			}
			return failed
		}
	}
	return failed
}

// batchDecision is what one attempt at a batch of a multi-user change
// (kick, ban) decided: the users it committed, those it refused and why,
// and those that did not fit its transaction and wait for the next batch.
type batchDecision struct {
	done, deferred []string
	failed         []FailedUser
	refusal        error // why the first refused user was refused
}

// refuse records that the actor may not act on id, and why.
func (d *batchDecision) refuse(id string, err error) {
	if d.refusal == nil {
		d.refusal = err
	}
	e := errcode.Of(err)
	d.failed = append(d.failed, FailedUser{UserID: id, Code: e.Code, Message: e.Message})
}

// decideInBatches runs step over ids in batches of at most size, each
// attempt (store.RetryErr) deciding afresh on a snapshot of its own; the
// users a batch deferred go first in the next. It answers the users done
// and those refused. When no user was done it fails with the first
// refusal (so a one-user request answers like any operation) or with the
// batch's error; once a batch has committed, a later failing batch reports
// its users and every later one as failed instead.
func decideInBatches(ctx context.Context, ids []string, size int, step func(batch []string, d *batchDecision) error) ([]string, []FailedUser, error) {
	done, failed := []string{}, []FailedUser{}
	var refusal error
	rest := ids
	for len(rest) > 0 {
		batch := rest[:min(len(rest), size)]
		rest = rest[len(batch):]
		var d batchDecision
		err := store.RetryErr(ctx, func() error {
			d = batchDecision{}
			return step(batch, &d)
		})
		if err != nil {
			if len(done) == 0 {
				return nil, nil, err
			}
			return done, append(failed, failedWith(err, batch, rest)...), nil
		}
		done = append(done, d.done...)
		failed = append(failed, d.failed...)
		rest = append(d.deferred, rest...)
		if refusal == nil {
			refusal = d.refusal
		}
	}
	if len(done) == 0 && refusal != nil {
		return nil, nil, refusal
	}
	return done, failed, nil
}
