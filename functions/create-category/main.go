// Command create-category serves POST /groups/{groupID}/categories: channelops.CreateCategory.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.CreateCategory()) }
