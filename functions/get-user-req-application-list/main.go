// Command get-user-req-application-list serves GET /applications/sent: groupops.GetUserReqApplicationList.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetUserReqApplicationList()) }
