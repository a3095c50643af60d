package notification

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A task here is named by its message (a letter) and its index in that
// message's plan.
func TestABatchsTasksTakeOneOfEachMessageInTurn(t *testing.T) {
	tests := []struct {
		name     string
		receives []int // per message; its task count is the plan's
		counts   []int
		want     string
	}{
		{"nothing", nil, nil, ""},
		{"one message keeps its order", []int{1}, []int{3}, "a0 a1 a2"},
		{"two equal messages alternate, the second from its middle", []int{1, 1}, []int{4, 4}, "a0 b2 a1 b3 a2 b0 a3 b1"},
		{"a long message runs on after the short ones", []int{1, 1, 1}, []int{1, 3, 3}, "a0 b1 c2 b2 c0 b0 c1"},
		{"a message that failed to plan has no tasks", []int{1, 1, 1}, []int{0, 2, 0}, "b0 b1"},
		{"a message near the DLQ goes first, whole", []int{1, 3, 1}, []int{2, 2, 2}, "b0 b1 a0 c1 a1 c0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := make([]*job, len(tt.counts))
			planned := make([][]task, len(tt.counts))
			names := map[*job]string{}
			var order []string
			for i, n := range tt.counts {
				jobs[i] = &job{receives: tt.receives[i]}
				names[jobs[i]] = string(rune('a' + i))
				for k := range n {
					name := fmt.Sprintf("%s%d", names[jobs[i]], k)
					planned[i] = append(planned[i], task{j: jobs[i], run: func(context.Context) error { order = append(order, name); return nil }})
				}
			}
			for _, ts := range interleave(jobs, planned) {
				require.NoError(t, ts.run(context.Background()))
			}
			assert.Equal(t, tt.want, strings.Join(order, " "))
		})
	}
}
