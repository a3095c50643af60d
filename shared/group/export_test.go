package group

import "context"

// SetCheckPaging makes the paged check read pages of items items and
// answer a continuation after perCall pages (0: only at the deadline).
func (s *Service) SetCheckPaging(items, perCall int) { s.paging = checkPaging{items, perCall} }

// CheckWhole is the check on a whole group read at once (ReadGroupState and
// evaluate), which the paged check must equal.
func (s *Service) CheckWhole(ctx context.Context, groupID string, in CheckInput) (*CheckReport, error) {
	return s.checkOnce(ctx, groupID, in)
}
