package notification

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/circles-im/circles/shared/event"
)

// The notifications queue carries three kinds of message body:
//
//   - an event, as the topic publishes it (raw message delivery);
//   - a Chunk: one event's delivery to at most ChunkSize named recipients,
//     sent by this consumer to its own queue when it splits an event;
//   - an Expansion: the rest of an audience still to be split, sent by this
//     consumer to its own queue when its deadline came mid-split.
//
// Chunks and expansions wrap the event in one top-level key, so no event
// can be mistaken for them.
type work struct {
	Chunk  *Chunk     `json:"chunk,omitempty"`
	Expand *Expansion `json:"expand,omitempty"`
}

// Chunk is the unit of delivery: one event to at most ChunkSize users.
type Chunk struct {
	// ID is "<eventID>#<index>": the same split of the same event gives
	// the same IDs (logs and asyncapi name them).
	ID         string      `json:"id"`
	Event      event.Event `json:"event"`
	Recipients []string    `json:"recipients"`
}

// Expansion resumes splitting an event's audience: Sources (resolved when
// the split began) from Sources[Source], page cursor Cursor, and chunk
// numbering from NextIndex.
type Expansion struct {
	Event     event.Event `json:"event"`
	Sources   []string    `json:"sources"`
	Source    int         `json:"source"`
	Cursor    string      `json:"cursor,omitempty"`
	NextIndex int         `json:"nextIndex"`
}

func chunkID(eventID string, index int) string { return eventID + "#" + strconv.Itoa(index) }

// parseMessage decodes a queue message into exactly one of its kinds.
func parseMessage(body []byte) (ev *event.Event, ch *Chunk, ex *Expansion, err error) {
	var w work
	if json.Unmarshal(body, &w) == nil && (w.Chunk != nil || w.Expand != nil) {
		switch {
		case w.Chunk != nil && w.Expand == nil && w.Chunk.Event.EventID != "" && w.Chunk.ID != "":
			return nil, w.Chunk, nil, nil
		case w.Expand != nil && w.Chunk == nil && w.Expand.Event.EventID != "" && w.Expand.Source >= 0:
			return nil, nil, w.Expand, nil
		}
		return nil, nil, nil, fmt.Errorf("notification: malformed chunk or expansion message")
	}
	e, err := event.Parse(body)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.Audience.Empty() {
		e.Audience = nil // names nobody: one meaning for "no audience"
	}
	return &e, nil, nil, nil
}

// unique drops empty and repeated user IDs, keeping the first order.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
