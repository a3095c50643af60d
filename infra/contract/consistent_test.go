package contract

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/ops"
)

// shared/api reads ?consistent= exactly for the operations whose
// declaration says Consistent, so openapi.yaml must list the parameter on
// exactly those; and only a GET reads nothing it writes from.
func TestOperationsTakeConsistentExactlyWhereOpenAPIListsIt(t *testing.T) {
	r := load(t)
	const ref = "#/components/parameters/ConsistentQuery"
	for _, rt := range sortedRoutes(r.Ops) {
		o := r.Ops[rt]
		id := strAt(o.Op, "operationId")
		decl, ok := ops.Find(id)
		require.True(t, ok, "%s (%s) has no declaration in shared/ops", id, rt)
		assert.Equal(t, slices.Contains(o.ParamRefs, ref), decl.Consistent, "%s (%s): whether the declaration takes consistent, against openapi.yaml's parameters", id, rt)
		if decl.Consistent {
			assert.Equal(t, "GET", rt.Method, "%s: only a read takes consistent", id)
		}
	}
}
