// Command put-my-profile serves PUT /users/me: groupops.PutMyProfile.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.PutMyProfile()) }
