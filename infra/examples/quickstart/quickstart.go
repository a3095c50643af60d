// Package quickstart is the README's quick-start session written with the
// Go client (shared/client): alice and bob set their profiles, alice
// creates a group with bob in it and hands it to him, bob makes alice a
// moderator (a custom role that may kick and mute) with a private channel
// that only that role sees, and alice asks CheckPermissions in it. Run it
// against `make run` with `go run ./infra/examples/quickstart/cmd`;
// infra/contract runs it against the deployed functions.
package quickstart

import (
	"context"
	"fmt"
	"io"

	"github.com/circles-im/circles/shared/client"
)

// Result is what the session made and what it learnt.
type Result struct {
	GroupID, RoleID, ChannelID string
	// Owner and Version of the group after the transfer, as bob reads it.
	Owner   string
	Version int64
	// Members of the group, read page by page.
	Members []string
	// Auths is CheckPermissions' answer for alice in the channel.
	Auths map[string]bool
}

// Run runs the session; clientFor gives the client that calls as a user,
// and each step is printed to out.
func Run(ctx context.Context, clientFor func(user string) (*client.ClientWithResponses, error), out io.Writer) (Result, error) {
	var res Result
	alice, err := clientFor("alice")
	if err != nil {
		return res, err
	}
	bob, err := clientFor("bob")
	if err != nil {
		return res, err
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	// Profiles: only users with a profile can be added to groups.
	for user, c := range map[string]*client.ClientWithResponses{"Alice": alice, "Bob": bob} {
		if _, err := c.PutMyProfileWithResponse(ctx, nil, client.ProfileInput{Nickname: new(user)}); err != nil {
			return res, fmt.Errorf("profile of %s: %w", user, err)
		}
	}

	// Alice creates a group with Bob in it (the server picks its ID), then
	// hands it to him.
	created, err := alice.CreateGroupWithResponse(ctx, nil, client.CreateGroupInput{
		GroupName: new("Demo"), MemberUserIDs: &[]client.ID{"bob"},
	})
	if err != nil {
		return res, fmt.Errorf("create group: %w", err)
	}
	res.GroupID = created.JSON201.GroupID
	say("alice created group %s (%d members)", res.GroupID, created.JSON201.MemberCount)
	if _, err := alice.TransferGroupOwnerWithResponse(ctx, res.GroupID, nil, client.TransferGroupOwnerInput{NewOwnerUserID: "bob"}); err != nil {
		return res, fmt.Errorf("transfer: %w", err)
	}
	info, err := bob.GetGroupsInfoWithResponse(ctx, &client.GetGroupsInfoParams{GroupIDs: client.IDList{res.GroupID}})
	if err != nil {
		return res, fmt.Errorf("groups info: %w", err)
	}
	if len(info.JSON200.Items) != 1 {
		return res, fmt.Errorf("groups info: %d groups, want 1", len(info.JSON200.Items))
	}
	res.Owner, res.Version = info.JSON200.Items[0].OwnerUserID, int64(info.JSON200.Items[0].Version)
	say("bob now owns it, at version %d", res.Version)

	// Bob makes Alice a moderator: a custom role that may kick and mute...
	role, err := bob.CreateRoleWithResponse(ctx, res.GroupID, nil, client.CreateRoleInput{
		Name: "mods", Auths: &client.AuthSettings{"kickMember": "allow", "muteMember": "allow"},
	})
	if err != nil {
		return res, fmt.Errorf("create role: %w", err)
	}
	res.RoleID = role.JSON201.RoleID
	if _, err := bob.AddRoleMembersWithResponse(ctx, res.GroupID, res.RoleID, nil, client.RoleMembersInput{UserIDs: client.IDList{"alice"}}); err != nil {
		return res, fmt.Errorf("add role members: %w", err)
	}
	say("bob gave alice the role %s (kickMember, muteMember)", res.RoleID)

	// ...and a private channel that only that role sees.
	ch, err := bob.CreateChannelWithResponse(ctx, res.GroupID, nil, client.CreateChannelInput{Name: "mods-only", ViewMode: new(client.ViewMode(1))})
	if err != nil {
		return res, fmt.Errorf("create channel: %w", err)
	}
	res.ChannelID = ch.JSON201.ChannelID
	if _, err := bob.UpdateChannelAccessListWithResponse(ctx, res.GroupID, res.ChannelID, nil, client.AccessListInput{
		Op: client.AccessListInputOpAdd, RoleIDs: &[]client.ID{res.RoleID},
	}); err != nil {
		return res, fmt.Errorf("access list: %w", err)
	}
	say("bob created the private channel %s for the role", res.ChannelID)

	members, err := client.Collect(ctx, bob.GroupMembers(res.GroupID, &client.GetGroupMemberListParams{Limit: new(client.Limit(1))}))
	if err != nil {
		return res, fmt.Errorf("members: %w", err)
	}
	for _, m := range members {
		res.Members = append(res.Members, m.UserID)
	}
	say("members, one page each: %v", res.Members)

	// What a chat service asks before every message (one DynamoDB call).
	perms, err := alice.CheckPermissionsWithResponse(ctx, res.GroupID, &client.CheckPermissionsParams{
		Auths: client.AuthsQuery{"sendMsg", "kickMember", "manageRole"}, ChannelID: &res.ChannelID,
	})
	if err != nil {
		return res, fmt.Errorf("check permissions: %w", err)
	}
	res.Auths = perms.JSON200.Auths
	say("alice in %s: %v", res.ChannelID, res.Auths)
	return res, nil
}
