// Command set-group-info serves PATCH /groups/{groupID}: groupops.SetGroupInfo.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.SetGroupInfo()) }
