package group_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/shared/group"
)

func TestZZReviewRepairSameMemberTwice(t *testing.T) {
	svc, st := newService(t)
	seedRoleGroup(t, st, "g1")
	rawSetRoleIDs(t, st, "g1", "dave", "r1", "gone", "ghost")
	rawSet(t, st, "G#g1", "M#dave", map[string]any{"GSI1SK": "broken"})
	rep, err := svc.Check(context.Background(), group.CheckerActor, "g1", group.CheckInput{Repair: true})
	t.Logf("rep=%+v err=%v", rep, err)
	require.NoError(t, err)
	require.Empty(t, rep.Violations)
}
