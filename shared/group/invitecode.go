package group

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"

	"github.com/circles-im/circles/shared/errcode"
	"github.com/circles-im/circles/shared/event"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
	"github.com/circles-im/circles/shared/validate"
)

// MaxInviteCodeUses is the most uses one invite code may allow.
const MaxInviteCodeUses = 100000

// inviteCodeLen is the length of a code: 128 random bits in base62 take 22
// characters (62^22 > 2^128), left-padded with '0'.
const inviteCodeLen = 22

// inviteCodeHintLen is how many leading characters of a code its record
// keeps as a hint: 24 of its 128 bits, too few to guess the rest.
const inviteCodeHintLen = 4

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newInviteCode draws a code: 128 bits from crypto/rand, in base62.
func newInviteCode() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	n := new(big.Int).SetBytes(b[:])
	out := make([]byte, inviteCodeLen)
	base, rem := big.NewInt(62), new(big.Int)
	for i := inviteCodeLen - 1; i >= 0; i-- {
		n.DivMod(n, base, rem)
		out[i] = base62[rem.Int64()]
	}
	return string(out), nil
}

// inviteCodeID is how a code is stored and looked up: its SHA-256, in hex.
// The code itself is never stored, so a copy of the table admits nobody.
func inviteCodeID(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// validInviteCode reports whether code has the form of a code.
func validInviteCode(code string) bool {
	if len(code) != inviteCodeLen {
		return false
	}
	for i := range len(code) {
		c := code[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// CreateInviteCodeInput is the body of POST /groups/{groupID}/invite-codes.
type CreateInviteCodeInput struct {
	// ExpireTime is when the code stops admitting, in milliseconds; 0 means
	// never.
	ExpireTime int64    `json:"expireTime"`
	MaxUses    int64    `json:"maxUses"`
	RoleIDs    []string `json:"roleIDs"`
	// Code is a code of the caller's choosing, of the same form as a drawn
	// one (22 base62 characters), instead of a random one: for app admins
	// only, whose backends provision codes they hand out themselves (and
	// for the demo fixtures, which the sample events name). Its
	// unguessability is then the chooser's responsibility.
	Code string `json:"code,omitempty"`
}

// CreatedInviteCode is the answer of CreateInviteCode: the code, shown this
// once, and its record.
type CreatedInviteCode struct {
	Code string `json:"code"`
	*store.InviteCode
}

// JoinByInviteCodeInput is the body of POST /groups/{groupID}/join-by-code.
type JoinByInviteCodeInput struct {
	Code string `json:"code"`
}

// CreateInviteCode makes a code that admits up to maxUses users until
// expireTime (0: never), granting roleIDs. It needs inviteMember, since a
// code admits without approval; granting roles with it needs the owner, an
// admin or an app admin (who hold every item, so no role gives more than
// its granter has).
func (s *Service) CreateInviteCode(ctx context.Context, a permission.Actor, groupID string, in CreateInviteCodeInput) (*CreatedInviteCode, error) {
	now := s.st.Now().UnixMilli()
	if err := validate.First(validate.ID("groupID", groupID), validate.IDs("roleIDs", in.RoleIDs, false)); err != nil {
		return nil, err
	}
	switch {
	case in.ExpireTime != 0 && (in.ExpireTime <= now || in.ExpireTime > MaxBanExpireTime):
		return nil, errcode.New(errcode.InvalidArgument, "expireTime must be 0 (never) or a time in the future, in milliseconds, at most %d", int64(MaxBanExpireTime))
	case in.MaxUses < 1 || in.MaxUses > MaxInviteCodeUses:
		return nil, errcode.New(errcode.InvalidArgument, "maxUses must be from 1 to %d", MaxInviteCodeUses)
	case len(in.RoleIDs) > store.MaxInviteCodeRoles:
		return nil, errcode.New(errcode.InvalidArgument, "a code grants at most %d roles", store.MaxInviteCodeRoles)
	case in.Code != "" && !validInviteCode(in.Code):
		return nil, errcode.New(errcode.InvalidArgument, "code must be %d characters from 0-9, A-Z and a-z", inviteCodeLen)
	case in.Code != "" && !a.AppAdmin:
		return nil, errcode.New(errcode.NoPermission, "only app admins choose a code; leave code out to draw one")
	}
	code := in.Code
	if code == "" {
		var err error
		if code, err = newInviteCode(); err != nil {
			return nil, errcode.Wrap(errcode.Internal, err, "internal error")
		}
	}
	return store.Retry(ctx, func() (*CreatedInviteCode, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		self := ms[a.UserID]
		if err := permission.Decide(permission.Request{Op: permission.OpManageInviteCodes, Actor: a, Group: g, Self: self}); err != nil {
			return nil, err
		}
		if len(in.RoleIDs) > 0 && !permission.HoldsEverything(a, self) {
			return nil, errcode.New(errcode.NoPermission, "only the owner, admins and app admins create codes that grant roles")
		}
		for _, rid := range in.RoleIDs {
			if r := g.Roles.Roles[rid]; r == nil || r.Type != store.RoleTypeCustom {
				return nil, errcode.New(errcode.InvalidArgument, "roleIDs: %s is not a custom role of group %s", rid, groupID)
			}
		}
		rec := &store.InviteCode{CodeID: inviteCodeID(code), Hint: code[:inviteCodeHintLen], CreatorUserID: a.UserID,
			CreateTime: s.st.Now().UnixMilli(), ExpireTime: in.ExpireTime, MaxUses: in.MaxUses, RoleIDs: slices.Clone(in.RoleIDs)}
		ev := event.New(event.InviteCodeCreated, a.UserID, inviteCodePayload(rec))
		if _, err := s.st.CreateInviteCode(ctx, g, rec, ev, in.Code != ""); err != nil {
			return nil, err
		}
		return &CreatedInviteCode{Code: code, InviteCode: rec}, nil
	})
}

func inviteCodePayload(c *store.InviteCode) event.InviteCodePayload {
	return event.InviteCodePayload{CodeID: c.CodeID, Hint: c.Hint, ExpireTime: c.ExpireTime, MaxUses: c.MaxUses, RoleIDs: orEmpty(c.RoleIDs)}
}

// ListInviteCodes pages through the group's codes, newest first, with
// their IDs and hints, never the codes (inviteMember).
func (s *Service) ListInviteCodes(ctx context.Context, a permission.Actor, groupID string, limit int, cursor string) (*store.Page[*store.InviteCode], error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if _, err := store.NormalizeLimit(limit); err != nil {
		return nil, err
	}
	if _, _, err := s.viewAllowed(ctx, a, groupID, permission.OpManageInviteCodes); err != nil {
		return nil, err
	}
	return s.st.ListInviteCodes(ctx, groupID, limit, cursor)
}

// RevokeInviteCode revokes a code by its ID (inviteMember): from the commit
// on, it admits nobody.
func (s *Service) RevokeInviteCode(ctx context.Context, a permission.Actor, groupID, codeID string) (*store.InviteCode, error) {
	if err := validate.First(validate.ID("groupID", groupID), validate.ID("codeID", codeID)); err != nil {
		return nil, err
	}
	return store.Retry(ctx, func() (*store.InviteCode, error) {
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpManageInviteCodes, Actor: a, Group: g, Self: ms[a.UserID]}); err != nil {
			return nil, err
		}
		rec, err := s.st.GetInviteCode(ctx, groupID, codeID)
		if err != nil {
			return nil, err
		}
		if rec.RevokeTime != 0 {
			return nil, errcode.New(errcode.NotFound, "the invite code was revoked already")
		}
		ev := event.New(event.InviteCodeRevoked, a.UserID, inviteCodePayload(rec))
		if _, err := s.st.RevokeInviteCode(ctx, g, codeID, ev); err != nil {
			return nil, err
		}
		rec.RevokeTime = s.st.Now().UnixMilli()
		return rec, nil
	})
}

// JoinByInviteCode admits the actor with a code of the group: at once,
// whatever needVerification says, unless the group has turned codes off
// (disableInviteCodes 1). The use, the member, the roles the code grants
// and the MemberJoinedByInviteCode event commit in one transaction,
// conditioned on the code being live and below its maxUses, and on the
// actor not being banned. A code of another group, an unknown, revoked or
// expired one is NOT_FOUND; a used-up one LIMIT_EXCEEDED.
func (s *Service) JoinByInviteCode(ctx context.Context, a permission.Actor, groupID string, in JoinByInviteCodeInput) (*JoinResult, error) {
	if err := validate.ID("groupID", groupID); err != nil {
		return nil, err
	}
	if !validInviteCode(in.Code) {
		return nil, errcode.New(errcode.InvalidArgument, "code must be %d letters and digits", inviteCodeLen)
	}
	codeID := inviteCodeID(in.Code)
	return store.Retry(ctx, func() (*JoinResult, error) {
		// The code first, with one plain read: when many race for its last
		// uses, the losers learn that it is used up without the snapshot.
		// The commit is conditioned on the code again.
		code, err := s.st.GetInviteCode(ctx, groupID, codeID)
		if err != nil {
			return nil, err
		}
		if err := store.InviteCodeRefusal(code, s.st.Now().UnixMilli()); err != nil {
			return nil, err
		}
		g, ms, err := s.st.Snapshot(ctx, groupID, a.UserID)
		if err != nil {
			return nil, err
		}
		if err := permission.Decide(permission.Request{Op: permission.OpJoinByInviteCode, Actor: a, Group: g, Self: ms[a.UserID], TargetID: a.UserID}); err != nil {
			return nil, err
		}
		if g.DisableInviteCodes == 1 {
			return nil, errcode.New(errcode.NoPermission, "invite codes are turned off in group %s", groupID)
		}
		now := s.st.Now().UnixMilli()
		m := &store.Member{GroupID: groupID, UserID: a.UserID, RoleLevel: store.RoleMember, JoinTime: now,
			JoinSource: store.JoinByQRCode, InviterUserID: code.CreatorUserID, OperatorUserID: a.UserID}
		granted := []string{} // the code's roles that are still live, as the store grants them
		for _, rid := range code.RoleIDs {
			if r := g.Roles.Roles[rid]; r != nil && r.Type == store.RoleTypeCustom {
				granted = append(granted, rid)
			}
		}
		ev := event.New(event.MemberJoinedByInviteCode, a.UserID, event.InviteCodeJoinPayload{UserID: a.UserID, CodeID: codeID, RoleIDs: granted})
		if _, err := s.st.JoinByInviteCode(ctx, g, code, m, ev); err != nil {
			var ue *store.UserError
			if errors.As(err, &ue) {
				return nil, ue.Err
			}
			return nil, err
		}
		return &JoinResult{Joined: true}, nil
	})
}
