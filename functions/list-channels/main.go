// Command list-channels serves GET /groups/{groupID}/channels: channelops.ListChannels.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.ListChannels()) }
