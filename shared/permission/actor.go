package permission

import (
	"os"
	"strings"
)

// Actor is the authenticated caller of an operation.
type Actor struct {
	UserID string
	// AppAdmin is OpenIM's "app manager": any group operation on any group.
	AppAdmin bool
}

// AppAdmins is the set of app admin user IDs (APP_ADMIN_USER_IDS).
type AppAdmins map[string]bool

// AppAdminsFromEnv reads APP_ADMIN_USER_IDS, a comma-separated list.
func AppAdminsFromEnv() AppAdmins { return ParseAppAdmins(os.Getenv("APP_ADMIN_USER_IDS")) }

// ParseAppAdmins parses a comma-separated list of user IDs.
func ParseAppAdmins(list string) AppAdmins {
	a := AppAdmins{}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			a[id] = true
		}
	}
	return a
}

// Actor returns the actor for an authenticated user ID.
func (a AppAdmins) Actor(userID string) Actor { return Actor{UserID: userID, AppAdmin: a[userID]} }
