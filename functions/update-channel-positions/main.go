// Command update-channel-positions serves PUT /groups/{groupID}/channel-positions: channelops.UpdateChannelPositions.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateChannelPositions()) }
