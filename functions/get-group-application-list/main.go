// Command get-group-application-list serves GET /applications/received: groupops.GetGroupApplicationList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupApplicationList()) }
