// Command deliver-notifications consumes the notifications queue into the recipients' inboxes.
package main

import "github.com/circles-im/circles/shared/notification"

func main() { notification.StartConsumer() }
