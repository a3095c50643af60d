// Command dismiss-group serves DELETE /groups/{groupID}: groupops.DismissGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.DismissGroup()) }
