// Command update-channel serves PATCH /groups/{groupID}/channels/{channelID}: channelops.UpdateChannel.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateChannel()) }
