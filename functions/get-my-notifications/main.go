// Command get-my-notifications serves GET /users/me/notifications: inboxops.GetMyNotifications.
package main

import (
	"github.com/circles-im/circles/shared/api"
	"github.com/circles-im/circles/shared/ops/inboxops"
)

func main() { api.Start(inboxops.GetMyNotifications()) }
