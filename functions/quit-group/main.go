// Command quit-group serves POST /groups/{groupID}/quit: groupops.QuitGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.QuitGroup()) }
