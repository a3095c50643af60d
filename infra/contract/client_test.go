package contract

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/devstack"
	"github.com/circles-im/circles/infra/examples/quickstart"
	"github.com/circles-im/circles/infra/localauth"
	"github.com/circles-im/circles/shared/client"
)

// The README's quick-start session, through the Go client (shared/client)
// against the deployed functions, behind a local API that requires an
// issuer and an audience as the deployed JWT authorizer does. Then what
// the client adds: typed errors, and an Idempotency-Key that replays.
func TestTheQuickStartSessionRunsThroughTheGoClient(t *testing.T) {
	t.Parallel()
	auth := localauth.Authorizer{Secret: []byte("client-test-secret"), Issuer: "https://idp.example", Audience: []string{"circles-app"}}
	dep := deployHTTP(t, "client", 3*time.Minute, devstack.DeployOptions{
		Secret: auth.Secret, Issuer: auth.Issuer, Audience: auth.Audience,
		Functions: []string{"put-my-profile", "create-group", "transfer-group-owner", "get-groups-info", "create-role",
			"add-role-members", "create-channel", "update-channel-access-list", "get-group-member-list", "check-permissions"},
	})
	ctx := dep.ctx

	clientAs := func(a localauth.Authorizer, user string) *client.ClientWithResponses {
		tok, err := a.Mint(user, time.Hour)
		require.NoError(t, err)
		c, err := client.New(dep.url, client.Options{Tokens: client.StaticToken(tok)})
		require.NoError(t, err)
		return c
	}
	var log bytes.Buffer
	res, err := quickstart.Run(ctx, func(user string) (*client.ClientWithResponses, error) { return clientAs(auth, user), nil }, &log)
	require.NoError(t, err, "session so far:\n%s", log.String())
	assert.Equal(t, "bob", res.Owner)
	assert.EqualValues(t, 2, res.Version)
	assert.Equal(t, []string{"bob", "alice"}, res.Members, "owner first, read one page at a time")
	assert.Equal(t, map[string]bool{"sendMsg": true, "kickMember": true, "manageRole": false}, res.Auths)
	assert.Contains(t, log.String(), "alice in "+res.ChannelID)

	t.Run("a refusal is a typed error", func(t *testing.T) {
		_, err := clientAs(auth, "alice").TransferGroupOwnerWithResponse(ctx, res.GroupID, nil, client.TransferGroupOwnerInput{NewOwnerUserID: "alice"})
		var e *client.APIError
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 403, e.Status)
		assert.Equal(t, client.ErrorCodeNOPERMISSION, e.Code)
		assert.Equal(t, 1002, e.ErrCode)
		assert.NotEmpty(t, e.RequestID)
		assert.NotEmpty(t, e.Message)
	})
	t.Run("a token without the audience is refused as in AWS", func(t *testing.T) {
		_, err := clientAs(localauth.Authorizer{Secret: auth.Secret, Issuer: auth.Issuer}, "alice").
			GetGroupsInfoWithResponse(ctx, &client.GetGroupsInfoParams{GroupIDs: client.IDList{res.GroupID}})
		assert.Equal(t, client.ErrorCodeUNAUTHENTICATED, client.CodeOf(err), "%v", err)
	})
	t.Run("the same Idempotency-Key replays the first answer", func(t *testing.T) {
		c := clientAs(auth, "alice")
		key := &client.CreateGroupParams{IdempotencyKey: new("quickstart-once")}
		first, err := c.CreateGroupWithResponse(ctx, key, client.CreateGroupInput{GroupName: new("Once")})
		require.NoError(t, err)
		again, err := c.CreateGroupWithResponse(ctx, key, client.CreateGroupInput{GroupName: new("Once")})
		require.NoError(t, err)
		assert.Equal(t, first.JSON201.GroupID, again.JSON201.GroupID)
		assert.Equal(t, "true", again.HTTPResponse.Header.Get("Idempotent-Replayed"))
	})
}
