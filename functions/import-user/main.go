// Command import-user serves PUT /admin/users/{userID}: groupops.ImportUser.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/groupops"
)

func main() { api.Start(groupops.ImportUser()) }
