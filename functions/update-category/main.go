// Command update-category serves PATCH /groups/{groupID}/categories/{categoryID}: channelops.UpdateCategory.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateCategory()) }
