// Command remove-channel-role serves DELETE /groups/{groupID}/channels/{channelID}/roles/{roleID}: channelops.RemoveChannelRole.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.RemoveChannelRole()) }
