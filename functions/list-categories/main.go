// Command list-categories serves GET /groups/{groupID}/categories: channelops.ListCategories.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.ListCategories()) }
