// Command get-users serves GET /users: groupops.GetUsers.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.GetUsers()) }
