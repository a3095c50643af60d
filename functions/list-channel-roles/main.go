// Command list-channel-roles serves GET /groups/{groupID}/channels/{channelID}/roles: channelops.ListChannelRoles.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.ListChannelRoles()) }
