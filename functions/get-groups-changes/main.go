// Command get-groups-changes serves POST /groups/changes:batch: groupops.GetGroupsChanges.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetGroupsChanges()) }
