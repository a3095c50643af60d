package apidocs

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func get(t *testing.T, h http.Handler, path string) (int, string, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	return rec.Code, rec.Header().Get("Content-Type"), string(b)
}

// The events page shows every message of the repository's asyncapi.yaml,
// each under its own anchor.
func TestTheEventsPageShowsEveryMessageOfAsyncAPI(t *testing.T) {
	root := filepath.Join("..", "..")
	raw, err := os.ReadFile(filepath.Join(root, "asyncapi.yaml"))
	require.NoError(t, err)
	var doc struct {
		Components struct {
			Messages map[string]any `yaml:"messages"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Components.Messages)

	code, ctype, body := get(t, Handler(root), "/docs/events")
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "text/html; charset=utf-8", ctype)
	assert.Equal(t, len(doc.Components.Messages), strings.Count(body, `<section class="message"`))
	for name := range doc.Components.Messages {
		assert.Contains(t, body, `id="`+name+`"`)
	}
	assert.Contains(t, body, "MemberKicked (1508)")
}

// Without the renderer the reference page says how to install it; the raw
// files are served either way, and nothing outside /docs is the
// reference's.
func TestWithoutTheRendererTheReferenceSaysHowToInstallIt(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "openapi.yaml"), []byte("openapi: 3.0.3\n"), 0o600))
	h := Handler(root)

	code, _, body := get(t, h, "/docs")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "make docs-install")
	assert.NotContains(t, body, "swagger-ui-bundle.js")

	require.NoError(t, os.MkdirAll(filepath.Join(root, SwaggerUIDir), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, SwaggerUIDir, "swagger-ui-bundle.js"), []byte("//"), 0o600))
	_, _, body = get(t, h, "/docs")
	assert.Contains(t, body, `src="/docs/swagger-ui/swagger-ui-bundle.js"`)
	assert.Contains(t, body, "validatorUrl: null")
	assert.NotRegexp(t, `(src|href)="https?:`, body, "nothing loads from elsewhere")

	code, ctype, body := get(t, h, "/docs/openapi.yaml")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "application/yaml; charset=utf-8", ctype)
	assert.Equal(t, "openapi: 3.0.3\n", body)

	for path, owned := range map[string]bool{"/docs": true, "/docs/events": true, "/docsx": false, "/groups": false, "/": false} {
		assert.Equal(t, owned, Owns(path), path)
	}
}
