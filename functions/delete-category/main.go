// Command delete-category serves DELETE /groups/{groupID}/categories/{categoryID}: channelops.DeleteCategory.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.DeleteCategory()) }
