// Command mute-group-member serves POST /groups/{groupID}/members/{userID}/mute: groupops.MuteGroupMember.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.MuteGroupMember()) }
