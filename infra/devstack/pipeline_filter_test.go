package devstack

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func record(t *testing.T, js string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(js), &m))
	return m
}

func TestFilterCriteriaPassOnlyRecordsMatchingAPattern(t *testing.T) {
	fc, err := parseFilterCriteria(map[string]any{"Filters": []any{
		map[string]any{"Pattern": `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["event"]}}}}`},
	}})
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		rec  string
		want bool
	}{
		{"event insert", `{"eventName":"INSERT","dynamodb":{"NewImage":{"kind":{"S":"event"},"type":{"S":"X"}}}}`, true},
		{"event modify", `{"eventName":"MODIFY","dynamodb":{"NewImage":{"kind":{"S":"event"}}}}`, false},
		{"member insert", `{"eventName":"INSERT","dynamodb":{"NewImage":{"kind":{"S":"member"}}}}`, false},
		{"remove (no new image)", `{"eventName":"REMOVE","dynamodb":{"OldImage":{"kind":{"S":"event"}}}}`, false},
		{"no kind", `{"eventName":"INSERT","dynamodb":{"NewImage":{"PK":{"S":"x"}}}}`, false},
	} {
		assert.Equal(t, c.want, fc.match(record(t, c.rec)), c.name)
	}
	assert.True(t, filterCriteria(nil).match(record(t, `{}`)), "no filter passes everything")
}

func TestFilterConditions(t *testing.T) {
	fc, err := parseFilterCriteria(map[string]any{"Filters": []any{
		map[string]any{"Pattern": `{"a":[{"prefix":"gr"}],"b":[{"exists":false}]}`},
		map[string]any{"Pattern": `{"c":[{"anything-but":["x","y"]}]}`},
		map[string]any{"Pattern": `{"n":[5]}`},
	}})
	require.NoError(t, err)
	assert.True(t, fc.match(record(t, `{"a":"group"}`)))
	assert.False(t, fc.match(record(t, `{"a":"group","b":1}`)))
	assert.True(t, fc.match(record(t, `{"c":"z"}`)))
	assert.False(t, fc.match(record(t, `{"c":"x"}`)))
	assert.True(t, fc.match(record(t, `{"n":5}`)))
	assert.False(t, fc.match(record(t, `{"n":"5"}`)), "types must match")
	_, err = parseFilterCriteria(map[string]any{"Filters": []any{map[string]any{"Pattern": `{bad`}}})
	assert.Error(t, err)
}

func TestBatchItemFailuresParsing(t *testing.T) {
	ids, ok := batchItemFailures([]byte(`{"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"b"}]}`))
	assert.True(t, ok)
	assert.Equal(t, []string{"a", "b"}, ids)
	ids, ok = batchItemFailures([]byte(`null`))
	assert.True(t, ok)
	assert.Empty(t, ids)
	_, ok = batchItemFailures([]byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`))
	assert.False(t, ok, "an empty identifier fails the whole batch, as in Lambda")
}
