// Command cancel-mute-group-member serves DELETE /groups/{groupID}/members/{userID}/mute: groupops.CancelMuteGroupMember.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.CancelMuteGroupMember()) }
