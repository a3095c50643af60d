package store

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/circles-im/circles/shared/model"
)

// LayerMembers pages through the members who may see a channel whose
// permission layer is l, for ListChannelMembers, at a cost of O(page)
// reads plus the layer's user list, never O(group):
//
//   - public layer, or private with @everyone listed: the member list
//     (GSI1), in member-list order;
//   - private layer: the owner and admins (the head of the member list),
//     then the listed users in member-list order (their member records,
//     read whole: at most MaxAccessUsers), then the members of each listed
//     role in userID order (its RM# records), each user once.
//
// These are candidates: the caller decides who of them sees the channel
// (a public layer's blacklist is applied there), so a page may hold fewer
// than limit members, even none, and still carry a nextCursor. The cursor
// names the phase ("a" all, "m" managers, "u" listed users, "r" roles),
// the role's index, and the last key of the phase read.
func (s *Store) LayerMembers(ctx context.Context, groupID string, l *model.Layer, limit int, cursor string) (*Page[*Member], error) {
	limit, err := NormalizeLimit(limit)
	if err != nil {
		return nil, err
	}
	everyone := l.ViewMode != model.ChannelPrivate || slices.Contains(l.Roles, EveryoneRoleID)
	roles := slices.DeleteFunc(slices.Clone(l.Roles), func(r string) bool { return r == EveryoneRoleID })
	slices.Sort(roles)
	ph := layerPhase{p: "m", r: 0, k: ""}
	if everyone {
		ph.p = "a"
	}
	if cursor != "" {
		if ph, err = decodeLayerCursor(cursor, everyone, len(roles)); err != nil {
			return nil, err
		}
	}
	switch ph.p {
	case "a", "m":
		filter := FilterAll
		if ph.p == "m" {
			filter = FilterOwnerAdmins
		}
		inner := ""
		if ph.k != "" {
			inner = memberKeyCursor(groupID, ph.k)
		}
		page, err := s.ListMembers(ctx, groupID, filter, limit, inner)
		if err != nil {
			return nil, err
		}
		next := ""
		switch {
		case page.NextCursor != "":
			last := page.Items[len(page.Items)-1]
			next = layerPhase{p: ph.p, k: memberRankSK(last.RoleLevel, last.JoinTime, last.UserID)}.encode()
		case ph.p == "m" && len(l.Users) > 0:
			next = layerPhase{p: "u"}.encode()
		case ph.p == "m" && len(roles) > 0:
			next = layerPhase{p: "r"}.encode()
		}
		return &Page[*Member]{Items: page.Items, NextCursor: next}, nil
	case "u":
		ms, err := s.GetMembers(ctx, groupID, distinct(l.Users))
		if err != nil {
			return nil, err
		}
		type ranked struct {
			sk string
			m  *Member
		}
		var rest []ranked
		for _, m := range ms {
			if sk := memberRankSK(m.RoleLevel, m.JoinTime, m.UserID); m.RoleLevel < RoleAdmin && sk > ph.k {
				rest = append(rest, ranked{sk, m})
			}
		}
		slices.SortFunc(rest, func(a, b ranked) int { return strings.Compare(a.sk, b.sk) })
		out := &Page[*Member]{Items: []*Member{}}
		for _, r := range rest[:min(limit, len(rest))] {
			out.Items = append(out.Items, r.m)
		}
		switch {
		case len(rest) > limit:
			out.NextCursor = layerPhase{p: "u", k: rest[limit-1].sk}.encode()
		case len(roles) > 0:
			out.NextCursor = layerPhase{p: "r"}.encode()
		}
		return out, nil
	}
	// "r": the members of roles[ph.r], after the user ph.k.
	rid := roles[ph.r]
	inner := ""
	if ph.k != "" {
		inner = encodeKeyCursor(baseTable, key(groupPK(groupID), roleMemberSK(rid, ph.k)))
	}
	ids, more, err := s.AudiencePage(ctx, groupID, SourceRole+rid, inner, limit)
	if err != nil {
		return nil, err
	}
	ms, err := s.GetMembers(ctx, groupID, ids)
	if err != nil {
		return nil, err
	}
	out := &Page[*Member]{Items: []*Member{}}
	for _, id := range ids {
		m := ms[id]
		// Shown before: a manager, a listed user, a holder of an earlier role.
		if m == nil || m.RoleLevel >= RoleAdmin || slices.Contains(l.Users, id) || slices.ContainsFunc(roles[:ph.r], func(r string) bool { return slices.Contains(m.RoleIDs, r) }) {
			continue
		}
		out.Items = append(out.Items, m)
	}
	switch {
	case more != "" && len(ids) > 0:
		out.NextCursor = layerPhase{p: "r", r: ph.r, k: ids[len(ids)-1]}.encode()
	case ph.r+1 < len(roles):
		out.NextCursor = layerPhase{p: "r", r: ph.r + 1}.encode()
	}
	return out, nil
}

// layerPhase is where a LayerMembers page starts: phase p, role index r,
// after key k ("" for the phase's start).
type layerPhase struct {
	p string
	r int
	k string
}

func (ph layerPhase) encode() string {
	k := ph.k
	if k == "" {
		k = "-"
	}
	return encodeCursor(map[string]string{"p": ph.p, "r": strconv.Itoa(ph.r), "k": k})
}

// decodeLayerCursor accepts only a phase the layer has: a cursor of
// another channel's list, or from before the list changed, is refused.
func decodeLayerCursor(cursor string, everyone bool, roles int) (layerPhase, error) {
	f, err := decodeCursor(cursor, "p", "r", "k")
	if err != nil {
		return layerPhase{}, err
	}
	r, err := strconv.Atoi(f["r"])
	ph := layerPhase{p: f["p"], r: r, k: f["k"]}
	if ph.k == "-" {
		ph.k = ""
	}
	ok := err == nil && r >= 0
	switch ph.p {
	case "a":
		ok = ok && everyone && r == 0
	case "m", "u":
		ok = ok && !everyone && r == 0
	case "r":
		ok = ok && !everyone && r < roles
	default:
		ok = false
	}
	if !ok {
		return layerPhase{}, errBadCursor()
	}
	return ph, nil
}

// memberKeyCursor is the member list's cursor at the member whose rank key
// (GSI1SK) is sk: its userID is the key's last field.
func memberKeyCursor(groupID, sk string) string {
	uid := sk[strings.LastIndex(sk, "#")+1:]
	return encodeKeyCursor(gsi1, Item{
		"PK": attr(groupPK(groupID)), "SK": attr(memberSK(uid)),
		gsi1.pk: attr(membersByRankPK(groupID)), gsi1.sk: attr(sk),
	})
}
