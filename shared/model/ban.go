package model

// Ban keeps a user out of a group until ExpireTime (milliseconds; 0 means
// never) or until it is lifted. While a ban is live the user has no member
// record in the group and no entry path (join, application, invitation,
// invite code, an old application accepted) admits them.
type Ban struct {
	GroupID        string `json:"groupID" dynamodbav:"groupID"`
	UserID         string `json:"userID" dynamodbav:"userID"`
	Reason         string `json:"reason" dynamodbav:"reason"`
	ExpireTime     int64  `json:"expireTime" dynamodbav:"expireTime"`
	BanTime        int64  `json:"banTime" dynamodbav:"banTime"`
	OperatorUserID string `json:"operatorUserID" dynamodbav:"operatorUserID"`
}

// Live reports whether the ban still applies at now (milliseconds).
func (b *Ban) Live(now int64) bool { return b.ExpireTime == 0 || b.ExpireTime > now }

// InviteCode admits whoever presents its code, at most MaxUses times, until
// ExpireTime (0: never) or until revoked, granting RoleIDs on the way in.
// The code itself is never stored: CodeID is the hex SHA-256 of the code,
// which is also how a join finds it, so a copy of the table reveals no code
// that works. Hint is the code's first characters, so that people can tell
// their codes apart.
type InviteCode struct {
	GroupID       string   `json:"groupID" dynamodbav:"groupID"`
	CodeID        string   `json:"codeID" dynamodbav:"codeID"`
	Hint          string   `json:"hint" dynamodbav:"hint"`
	CreatorUserID string   `json:"creatorUserID" dynamodbav:"creatorUserID"`
	CreateTime    int64    `json:"createTime" dynamodbav:"createTime"`
	ExpireTime    int64    `json:"expireTime" dynamodbav:"expireTime"`
	MaxUses       int64    `json:"maxUses" dynamodbav:"maxUses"`
	Uses          int64    `json:"uses" dynamodbav:"uses"`
	RoleIDs       []string `json:"roleIDs" dynamodbav:"roleIDs,stringset,omitempty"`
	// RevokeTime is when the code was revoked; 0 while it is not.
	RevokeTime int64 `json:"revokeTime" dynamodbav:"revokeTime"`
}

// Live reports whether the code admits anyone more at now (milliseconds).
func (c *InviteCode) Live(now int64) bool {
	return c.RevokeTime == 0 && (c.ExpireTime == 0 || c.ExpireTime > now) && c.Uses < c.MaxUses
}
