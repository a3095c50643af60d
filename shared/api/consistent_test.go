package api_test

import (
	"context"
	"testing"

	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/store"
)

// A read declared Consistent hands its handler a context that asks for
// strongly consistent reads exactly when ?consistent=true; anything but
// true, false or nothing is refused before the handler runs.
func TestConsistentTrueAsksTheStoreForStronglyConsistentReads(t *testing.T) {
	asked := func(ctx context.Context, _ *api.Request, _ *deps) (any, error) {
		return map[string]bool{"consistent": store.ConsistentReads(ctx)}, nil
	}
	newDeps(t).answersQuery(t, "CheckPermissions", "/groups/g1/permissions", "consistent", asked,
		map[string]string{"": `{"consistent":false}`, "false": `{"consistent":false}`, "true": `{"consistent":true}`, "1": "", "TRUE": "", "yes": ""})
}
