// Command list-channel-members serves GET /groups/{groupID}/channels/{channelID}/members: channelops.ListChannelMembers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.ListChannelMembers()) }
