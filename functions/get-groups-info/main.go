// Command get-groups-info serves GET /groups: groupops.GetGroupsInfo.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupsInfo()) }
