package notification

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestABatchsTasksTakeOneOfEachMessageInTurn(t *testing.T) {
	a, b, c := &job{}, &job{}, &job{}
	tasks := func(j *job, n int) []task {
		out := make([]task, n)
		for i := range out {
			out[i] = task{j: j}
		}
		return out
	}
	tests := []struct {
		name    string
		planned [][]task
		want    []*job
	}{
		{"nothing", nil, nil},
		{"one message keeps its order", [][]task{tasks(a, 3)}, []*job{a, a, a}},
		{"equal messages alternate", [][]task{tasks(a, 2), tasks(b, 2)}, []*job{a, b, a, b}},
		{"a long message runs on after the short ones", [][]task{tasks(a, 1), tasks(b, 3), tasks(c, 2)}, []*job{a, b, c, b, c, b}},
		{"a message that failed to plan has no tasks", [][]task{nil, tasks(b, 2), {}}, []*job{b, b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []*job
			for _, ts := range interleave(tt.planned) {
				got = append(got, ts.j)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}
