// Command create-group serves POST /groups: groupops.CreateGroup.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.CreateGroup()) }
