// Command delete-channel-member-auths serves DELETE /groups/{groupID}/channels/{channelID}/members/{userID}/auths: channelops.DeleteChannelMemberAuths.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.DeleteChannelMemberAuths()) }
