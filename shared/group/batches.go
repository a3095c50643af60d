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
