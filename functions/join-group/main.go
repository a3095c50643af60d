// Command join-group serves POST /groups/{groupID}/applications: groupops.JoinGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.JoinGroup()) }
