package costtable_test

import (
	"context"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/circles-im/circles/infra/costtable"
	"github.com/circles-im/circles/infra/stacktest"
	"github.com/circles-im/circles/shared/group"
	"github.com/circles-im/circles/shared/permission"
	"github.com/circles-im/circles/shared/store"
)

// The cost table prices a request on 100,000 members from the items its
// write calls name, since a scan per request is too slow there. On a small
// table, that must find exactly the items a diff of the whole table finds,
// with the same images, so both sizes are priced alike.
func TestTheWriteRecorderFindsTheChangesAFullTableDiffFinds(t *testing.T) {
	ctx := context.Background()
	direct, table := stacktest.NewTable(t)
	rec, err := costtable.NewWriteRecorder(direct, os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
	require.NoError(t, err)
	proxy := httptest.NewServer(rec)
	t.Cleanup(proxy.Close)
	proxied := dynamodb.NewFromConfig(stacktest.AWSConfig(t, "DYNAMODB"), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(proxy.URL)
	})
	st := store.New(proxied, table)
	groups := group.NewService(st)
	owner := permission.Actor{UserID: "owner"}

	steps := []struct {
		name string
		run  func() error
		// transactional are the keys (PK, SK) a TransactWriteItems wrote;
		// every other change was a standalone write.
		transactional func(k [2]string) bool
	}{
		{"a standalone PutItem of a profile", func() error {
			for _, u := range []string{"owner", "ann", "bob"} {
				if _, err := groups.PutMyProfile(ctx, permission.Actor{UserID: u}, group.ProfileInput{Nickname: u}); err != nil {
					return err
				}
			}
			return nil
		}, func([2]string) bool { return false }},
		{"a transaction creating a group", func() error {
			_, err := groups.Create(ctx, owner, group.CreateInput{GroupID: "g", GroupName: "g"})
			return err
		}, func([2]string) bool { return true }},
		{"a BatchWriteItem bulk load, then the count's UpdateItem", func() error {
			return st.BulkLoadMembers(ctx, "g", []*store.Member{
				{UserID: "bulk1", RoleLevel: store.RoleMember, JoinTime: time.Now().UnixMilli(), JoinSource: store.JoinByAdmin},
				{UserID: "bulk2", RoleLevel: store.RoleMember, JoinTime: time.Now().UnixMilli(), JoinSource: store.JoinByAdmin},
			})
		}, func([2]string) bool { return false }},
		{"an invitation under an idempotency claim: its marker is in the transaction, its claim and completion are not", func() error {
			c, _, err := st.ClaimIdempotency(ctx, "owner", "k1", "h")
			if err != nil {
				return err
			}
			if _, err := groups.Invite(store.WithClaim(ctx, c), owner, "g", group.InviteInput{UserIDs: []string{"ann", "bob"}}); err != nil {
				return err
			}
			return st.CompleteIdempotency(ctx, c, 200, "{}")
		}, func([2]string) bool { return true }},
		{"a kick that deletes a member record", func() error {
			_, err := groups.Kick(ctx, owner, "g", group.KickInput{UserIDs: []string{"bob"}})
			return err
		}, func([2]string) bool { return true }},
	}
	for _, s := range steps {
		before := scan(t, direct, table)
		rec.Begin()
		require.NoError(t, s.run(), s.name)
		got, err := rec.Changes(ctx)
		require.NoError(t, err, s.name)
		want := changes(before, scan(t, direct, table))
		require.NotEmpty(t, want, s.name)

		byKey := func(cs []costtable.Change) map[[2]string]costtable.Change {
			m := map[[2]string]costtable.Change{}
			for _, c := range cs {
				it := c.After
				if it == nil {
					it = c.Before
				}
				m[[2]string{attr(it, "PK"), attr(it, "SK")}] = c
			}
			return m
		}
		g, w := byKey(got), byKey(want)
		require.Len(t, g, len(w), "%s: the same number of items changed", s.name)
		for k, wc := range w {
			gc, ok := g[k]
			require.True(t, ok, "%s: the recorder missed %v", s.name, k)
			assert.Equal(t, wc.Before, gc.Before, "%s: %v before", s.name, k)
			assert.Equal(t, wc.After, gc.After, "%s: %v after", s.name, k)
			// The idempotency record is claimed and completed standalone,
			// and marked committed in the request's transaction.
			inTx := k[0][:2] == "I#" || s.transactional(k)
			assert.Equal(t, inTx, gc.Transactional, "%s: %v in a transaction", s.name, k)
			wc.Transactional = inTx
			w[k] = wc
		}
		var wantAll []costtable.Change
		for _, c := range w {
			wantAll = append(wantAll, c)
		}
		assert.Equal(t, costtable.Billed(wantAll, 0, 0), costtable.Billed(got, 0, 0), "%s: the same write units", s.name)
	}
}

// scan is every item of a small table by its key, strongly consistent.
func scan(t testing.TB, db *dynamodb.Client, table string) map[[2]string]store.Item {
	t.Helper()
	out := map[[2]string]store.Item{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		require.NoError(t, err)
		for _, it := range page.Items {
			out[[2]string{attr(it, "PK"), attr(it, "SK")}] = it
		}
	}
	return out
}

// changes are the items that differ between two scans. A scan cannot tell
// which call wrote an item, so none is marked transactional.
func changes(before, after map[[2]string]store.Item) []costtable.Change {
	var out []costtable.Change
	for k, a := range after {
		if bf := before[k]; !reflect.DeepEqual(bf, a) {
			out = append(out, costtable.Change{Before: bf, After: a})
		}
	}
	for k, bf := range before {
		if _, ok := after[k]; !ok {
			out = append(out, costtable.Change{Before: bf})
		}
	}
	return out
}
