package model

// Handle results of an application.
const (
	ApplicationPending = 0
	ApplicationAgreed  = 1
	ApplicationRefused = -1
)

// Application is a join request or an invitation awaiting approval.
type Application struct {
	GroupID       string `json:"groupID" dynamodbav:"groupID"`
	UserID        string `json:"userID" dynamodbav:"userID"`
	ReqMsg        string `json:"reqMsg" dynamodbav:"reqMsg"`
	JoinSource    int    `json:"joinSource" dynamodbav:"joinSource"`
	InviterUserID string `json:"inviterUserID" dynamodbav:"inviterUserID"`
	ReqTime       int64  `json:"reqTime" dynamodbav:"reqTime"`
	HandleResult  int    `json:"handleResult" dynamodbav:"handleResult"`
	HandledMsg    string `json:"handledMsg" dynamodbav:"handledMsg"`
	HandleUserID  string `json:"handleUserID" dynamodbav:"handleUserID"`
	HandledTime   int64  `json:"handledTime" dynamodbav:"handledTime"`
	Ex            string `json:"ex" dynamodbav:"ex"`
}
