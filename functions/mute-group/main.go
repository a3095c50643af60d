// Command mute-group serves POST /groups/{groupID}/mute: groupops.MuteGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.MuteGroup()) }
