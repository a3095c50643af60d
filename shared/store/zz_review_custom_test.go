package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/store"
)

func TestZZReviewCustomAuthsOutgrowItem(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	name := strings.Repeat("😀", 255)
	for i := 0; i < store.MaxCustomAuths; i++ {
		read, err := st.GetCustomAuths(ctx)
		if err != nil {
			t.Fatalf("read after %d: %v", i, err)
		}
		if _, err := st.CreateCustomAuth(ctx, read, name, "allow"); err != nil {
			t.Fatalf("custom item %d of %d refused with %s: %v", i+1, store.MaxCustomAuths, errcode.Of(err).Code, err)
		}
	}
}
