// Command set-channel-member-auths serves PUT /groups/{groupID}/channels/{channelID}/members/{userID}/auths: channelops.SetChannelMemberAuths.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.SetChannelMemberAuths()) }
