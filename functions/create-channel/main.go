// Command create-channel serves POST /groups/{groupID}/channels: channelops.CreateChannel.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.CreateChannel()) }
