// Command add-channel-role serves POST /groups/{groupID}/channels/{channelID}/roles: channelops.AddChannelRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.AddChannelRole()) }
