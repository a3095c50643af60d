package errcode

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error name returned to clients.
type Code string

const (
	InvalidArgument     Code = "INVALID_ARGUMENT"
	Unauthenticated     Code = "UNAUTHENTICATED"
	NoPermission        Code = "NO_PERMISSION"
	NotFound            Code = "NOT_FOUND"
	GroupNotFound       Code = "GROUP_NOT_FOUND"
	NotInGroup          Code = "NOT_IN_GROUP"
	GroupIDExists       Code = "GROUP_ID_EXISTS"
	AlreadyInGroup      Code = "ALREADY_IN_GROUP"
	GroupDismissed      Code = "GROUP_DISMISSED"
	ApplicationHandled  Code = "APPLICATION_HANDLED"
	OwnerCannotQuit     Code = "OWNER_CANNOT_QUIT"
	Conflict            Code = "CONFLICT"
	LimitExceeded       Code = "LIMIT_EXCEEDED"
	IdempotencyMismatch Code = "IDEMPOTENCY_MISMATCH"
	Unavailable         Code = "UNAVAILABLE"
	Internal            Code = "INTERNAL"
	// Banned: the user has a live ban in the group, so no entry path admits
	// them until it expires or is lifted.
	Banned Code = "BANNED"
)

type mapping struct {
	status  int
	errCode int
}

// table is the one place where errors meet HTTP. errCode reuses OpenIM's
// numbers so clients migrating from OpenIM keep their handling.
var table = map[Code]mapping{
	InvalidArgument:     {http.StatusBadRequest, 1001},
	Unauthenticated:     {http.StatusUnauthorized, 1000},
	NoPermission:        {http.StatusForbidden, 1002},
	NotFound:            {http.StatusNotFound, 1004},
	GroupNotFound:       {http.StatusNotFound, 1201},
	NotInGroup:          {http.StatusForbidden, 1203},
	GroupIDExists:       {http.StatusConflict, 1202},
	AlreadyInGroup:      {http.StatusConflict, 1003},
	GroupDismissed:      {http.StatusGone, 1204},
	ApplicationHandled:  {http.StatusConflict, 1206},
	OwnerCannotQuit:     {http.StatusConflict, 1002},
	Conflict:            {http.StatusConflict, 1003},
	LimitExceeded:       {http.StatusUnprocessableEntity, 1001},
	IdempotencyMismatch: {http.StatusConflict, 1001},
	Unavailable:         {http.StatusServiceUnavailable, 500},
	Internal:            {http.StatusInternalServerError, 500},
	// OpenIM numbers its group errors from 1201 (1206: application handled);
	// a ban is the next group refusal.
	Banned: {http.StatusForbidden, 1207},
}

// Codes lists every code, for documentation and tests.
func Codes() []Code {
	out := make([]Code, 0, len(table))
	for c := range table {
		out = append(out, c)
	}
	return out
}

// HTTPStatus is the status a response with this code carries.
func (c Code) HTTPStatus() int {
	if m, ok := table[c]; ok {
		return m.status
	}
	return http.StatusInternalServerError
}

// ErrCode is the OpenIM-compatible numeric code.
func (c Code) ErrCode() int {
	if m, ok := table[c]; ok {
		return m.errCode
	}
	return 500
}

// Error is an error a client is meant to see.
type Error struct {
	Code    Code
	Message string
	// Cause is kept for logs; it never reaches the client.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Is lets errors.Is(err, errcode.New(code, "")) match on the code alone.
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

// New builds a client-facing error.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds a client-facing error that keeps its cause for the logs.
func Wrap(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// Of returns the client-facing error inside err; anything unknown is INTERNAL,
// with a message that reveals nothing.
func Of(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "internal error", Cause: err}
}

// CodeOf is a shorthand for Of(err).Code; nil has no code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return Of(err).Code
}

// Body is the JSON error envelope every error response carries, from the
// functions and from the local API alike:
// {"error":{"code","errCode","message","requestId"}}.
func (e *Error) Body(requestID string) []byte {
	type detail struct {
		Code      Code   `json:"code"`
		ErrCode   int    `json:"errCode"`
		Message   string `json:"message"`
		RequestID string `json:"requestId"`
	}
	b, _ := json.Marshal(struct {
		Error detail `json:"error"`
	}{detail{Code: e.Code, ErrCode: e.Code.ErrCode(), Message: e.Message, RequestID: requestID}})
	return b
}
