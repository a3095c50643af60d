package errcode

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBodyIsTheEnvelopeWithTheCodesOpenIMNumber(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"not found", New(NotFound, "no route for GET /x"),
			`{"error":{"code":"NOT_FOUND","errCode":1004,"message":"no route for GET /x","requestId":"req-1"}}`},
		{"a message with a percent sign stays as given", New(InvalidArgument, "%s", "100% full"),
			`{"error":{"code":"INVALID_ARGUMENT","errCode":1001,"message":"100% full","requestId":"req-1"}}`},
		{"the cause never reaches the client", Wrap(Internal, assert.AnError, "internal error"),
			`{"error":{"code":"INTERNAL","errCode":500,"message":"internal error","requestId":"req-1"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.err.Body("req-1")
			require.True(t, json.Valid(body))
			assert.JSONEq(t, tt.want, string(body))
		})
	}
}
