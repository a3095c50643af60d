package notification

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMessageRefusesMalformedWorkAndNormalizesAnEmptyAudience(t *testing.T) {
	const ev = `{"eventID":"E1","type":"JoinGroupApplication","code":1503,"groupID":"g1","version":2,"actorUserID":"zoe","occurredAt":1,"payload":{"n":1},"recipients":[]`
	refused := map[string]string{
		"not JSON":                  `{"chunk":`,
		"a chunk without its event": `{"chunk":{"id":"E1#0","recipients":["bob"]}}`,
		"a chunk without an id":     `{"chunk":{"event":` + ev + `},"recipients":["bob"]}}`,
		"both kinds at once":        `{"chunk":{"id":"E1#0","event":` + ev + `},"recipients":[]},"expand":{"event":` + ev + `},"sources":[],"source":0,"nextIndex":0}}`,
		"a negative source":         `{"expand":{"event":` + ev + `},"sources":["managers"],"source":-1,"nextIndex":0}}`,
		"an event without its id":   `{"type":"MemberKicked","groupID":"g1"}`,
	}
	for name, body := range refused {
		_, _, _, err := parseMessage([]byte(body))
		assert.Error(t, err, name)
	}

	e, ch, ex, err := parseMessage([]byte(ev + `,"audience":{}}`))
	require.NoError(t, err)
	assert.Nil(t, ch)
	assert.Nil(t, ex)
	assert.Nil(t, e.Audience, "an audience that names no rule is no audience")
	assert.False(t, e.Personal(), "and the event reaches nobody's inbox")

	_, ch, _, err = parseMessage([]byte(`{"chunk":{"id":"E1#3","event":` + ev + `},"recipients":["bob","bob",""]}}`))
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, unique(ch.Recipients), "repeated and empty recipients collapse")
}
