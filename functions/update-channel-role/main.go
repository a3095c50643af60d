// Command update-channel-role serves PATCH /groups/{groupID}/channels/{channelID}/roles/{roleID}: channelops.UpdateChannelRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateChannelRole()) }
