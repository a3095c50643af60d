// Command cleanup-dismissed-group removes what a dismissed group, deleted role or deleted channel leaves behind.
package main

import "github.com/circles-im/circles/shared/notification"

func main() { notification.StartCleaner() }
