package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
)

// PageFunc reads the page of a list that cursor names (nil for the first)
// and answers its items and nextCursor.
type PageFunc[T any] func(ctx context.Context, cursor *CursorParameter) ([]T, Cursor, error)

// All yields every item of a list, reading page after page until
// nextCursor is empty. It stops at the first error, which it yields with
// the zero item; a cursor that repeats is an error, not an endless walk.
func All[T any](ctx context.Context, page PageFunc[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var cursor *CursorParameter
		seen := map[Cursor]bool{}
		for {
			items, next, err := page(ctx, cursor)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			if seen[next] {
				var zero T
				yield(zero, fmt.Errorf("circles: the list answered cursor %q twice", next))
				return
			}
			seen[next] = true
			cursor = &next
		}
	}
}

// Collect reads every item of a list (see All).
func Collect[T any](ctx context.Context, page PageFunc[T]) ([]T, error) {
	var out []T
	for it, err := range All(ctx, page) {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// GroupMembers pages through GetGroupMemberList of groupID; params (which
// may be nil) give the filter and page size.
func (c *ClientWithResponses) GroupMembers(groupID string, params *GetGroupMemberListParams) PageFunc[Member] {
	return func(ctx context.Context, cursor *CursorParameter) ([]Member, Cursor, error) {
		p := GetGroupMemberListParams{}
		if params != nil {
			p = *params
		}
		p.Cursor = cursor
		resp, err := c.GetGroupMemberListWithResponse(ctx, groupID, &p)
		if err != nil {
			return nil, "", err
		}
		if resp.JSON200 == nil {
			return nil, "", unexpected(resp.HTTPResponse)
		}
		return resp.JSON200.Items, resp.JSON200.NextCursor, nil
	}
}

// JoinedGroups pages through the caller's groups (GetJoinedGroupList).
func (c *ClientWithResponses) JoinedGroups(params *GetJoinedGroupListParams) PageFunc[Group] {
	return func(ctx context.Context, cursor *CursorParameter) ([]Group, Cursor, error) {
		p := GetJoinedGroupListParams{}
		if params != nil {
			p = *params
		}
		p.Cursor = cursor
		resp, err := c.GetJoinedGroupListWithResponse(ctx, &p)
		if err != nil {
			return nil, "", err
		}
		if resp.JSON200 == nil {
			return nil, "", unexpected(resp.HTTPResponse)
		}
		return resp.JSON200.Items, resp.JSON200.NextCursor, nil
	}
}

// unexpected is a 2xx answer that is not the JSON the operation declares.
func unexpected(resp *http.Response) error {
	return fmt.Errorf("circles: unexpected answer %s (Content-Type %q)", resp.Status, resp.Header.Get("Content-Type"))
}
