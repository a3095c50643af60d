// Command check-permissions serves GET /groups/{groupID}/permissions: channelops.CheckPermissions.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.CheckPermissions()) }
