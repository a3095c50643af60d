// Command update-category-positions serves PUT /groups/{groupID}/category-positions: channelops.UpdateCategoryPositions.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/channelops"
)

func main() { api.Start(channelops.UpdateCategoryPositions()) }
