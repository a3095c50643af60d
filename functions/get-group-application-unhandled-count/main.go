// Command get-group-application-unhandled-count serves GET /applications/received/count: groupops.GetGroupApplicationUnhandledCount.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupApplicationUnhandledCount()) }
