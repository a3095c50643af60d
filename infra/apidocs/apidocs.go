// Package apidocs serves the API reference under /docs on the local API:
//
//   - /docs: openapi.yaml rendered by Swagger UI (swagger-ui-dist from npm,
//     installed into .local/docs by `make docs-install`, which `make run`
//     calls). Everything the page loads is served from here, no CDN, and the
//     online validator is off. Without the renderer, the page says how to
//     install it and links the raw YAML.
//   - /docs/events: asyncapi.yaml rendered on the server as plain HTML (every
//     message with its title, summary and payload, then the shared schemas).
//   - /docs/openapi.yaml and /docs/asyncapi.yaml: the files themselves.
//
// The files are read on each request, so an edited YAML shows at once.
package apidocs

import (
	"bytes"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Prefix is the path the reference is served under.
const Prefix = "/docs"

// SwaggerUIDir is where `make docs-install` puts swagger-ui-dist, under the
// repository root.
const SwaggerUIDir = ".local/docs/node_modules/swagger-ui-dist"

// Handler serves the reference of the repository at root.
func Handler(root string) http.Handler {
	mux := http.NewServeMux()
	ui := filepath.Join(root, SwaggerUIDir)
	mux.Handle(Prefix+"/swagger-ui/", http.StripPrefix(Prefix+"/swagger-ui/", http.FileServer(http.Dir(ui))))
	for _, name := range []string{"openapi.yaml", "asyncapi.yaml"} {
		mux.HandleFunc(Prefix+"/"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
			http.ServeFile(w, r, filepath.Join(root, name))
		})
	}
	mux.HandleFunc(Prefix+"/events", func(w http.ResponseWriter, r *http.Request) {
		page, err := eventsPage(filepath.Join(root, "asyncapi.yaml"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page) //nolint:errcheck // the client may be gone
	})
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		_, err := os.Stat(filepath.Join(ui, "swagger-ui-bundle.js"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err != nil {
			w.Write([]byte(missingPage)) //nolint:errcheck // the client may be gone
			return
		}
		w.Write([]byte(referencePage)) //nolint:errcheck // the client may be gone
	})
	mux.Handle(Prefix+"/", http.RedirectHandler(Prefix, http.StatusFound))
	return mux
}

// Owns says whether path is served by Handler rather than the API.
func Owns(path string) bool {
	return path == Prefix || strings.HasPrefix(path, Prefix+"/")
}

const nav = `<nav style="font:14px sans-serif;padding:8px 16px;background:#1b1b1b;color:#eee">
Circles: <a style="color:#9cf" href="/docs">HTTP API (openapi.yaml)</a> ·
<a style="color:#9cf" href="/docs/events">Events (asyncapi.yaml)</a> ·
raw: <a style="color:#9cf" href="/docs/openapi.yaml">openapi.yaml</a>, <a style="color:#9cf" href="/docs/asyncapi.yaml">asyncapi.yaml</a></nav>`

const referencePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Circles API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui/swagger-ui.css"></head>
<body style="margin:0">` + nav + `
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: "/docs/openapi.yaml",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null, // the online validator is a third-party call
  docExpansion: "list",
  tryItOutEnabled: false
});
</script></body></html>`

const missingPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Circles API reference</title><link rel="icon" href="data:,"></head>
<body style="margin:0">` + nav + `
<div style="font:15px sans-serif;padding:16px">
<p>The reference renderer (swagger-ui-dist from npm) is not installed. Install it with
<code>make docs-install</code> (needs npm and the npm registry) and reload.</p>
<p>Meanwhile: <a href="/docs/openapi.yaml">openapi.yaml</a> and the rendered
<a href="/docs/events">events</a>.</p></div></body></html>`

// asyncDoc is the part of an AsyncAPI 2 document the events page shows.
type asyncDoc struct {
	Info struct {
		Title       string `yaml:"title"`
		Version     string `yaml:"version"`
		Description string `yaml:"description"`
	} `yaml:"info"`
	Channels map[string]struct {
		Description string `yaml:"description"`
	} `yaml:"channels"`
	Components struct {
		Messages yaml.Node `yaml:"messages"`
		Schemas  yaml.Node `yaml:"schemas"`
	} `yaml:"components"`
}

type message struct {
	Name, Title, Summary, Payload string
}

type schema struct {
	Name, Body string
}

func eventsPage(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc asyncDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	data := struct {
		Doc      asyncDoc
		Messages []message
		Schemas  []schema
	}{Doc: doc}
	// Mapping nodes keep the document's order: key, value, key, value...
	msgs := doc.Components.Messages.Content
	for i := 0; i+1 < len(msgs); i += 2 {
		var m struct {
			Name    string    `yaml:"name"`
			Title   string    `yaml:"title"`
			Summary string    `yaml:"summary"`
			Payload yaml.Node `yaml:"payload"`
		}
		if err := msgs[i+1].Decode(&m); err != nil {
			return nil, err
		}
		data.Messages = append(data.Messages, message{Name: msgs[i].Value, Title: m.Title, Summary: m.Summary, Payload: yamlText(&m.Payload)})
	}
	schemas := doc.Components.Schemas.Content
	for i := 0; i+1 < len(schemas); i += 2 {
		data.Schemas = append(data.Schemas, schema{Name: schemas[i].Value, Body: yamlText(schemas[i+1])})
	}
	var b bytes.Buffer
	if err := eventsTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func yamlText(n *yaml.Node) string {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

var eventsTemplate = template.Must(template.New("events").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Doc.Info.Title}}</title><link rel="icon" href="data:,">
<style>
body{margin:0;font:15px/1.45 sans-serif;color:#222}
main{max-width:1000px;margin:0 auto;padding:0 16px 48px}
pre{background:#f6f6f6;padding:8px 12px;overflow-x:auto;font-size:13px}
h3{margin-top:28px} td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}
</style></head>
<body>` + nav + `<main>
<h1>{{.Doc.Info.Title}} <small>{{.Doc.Info.Version}}</small></h1>
<p>{{.Doc.Info.Description}}</p>
{{range $name, $ch := .Doc.Channels}}<p><b>Channel {{$name}}:</b> {{$ch.Description}}</p>{{end}}
<h2>Messages</h2>
<table class="messages"><tr><th>message</th><th>what happened</th></tr>
{{range .Messages}}<tr><td><a href="#{{.Name}}">{{.Title}}</a></td><td>{{.Summary}}</td></tr>
{{end}}</table>
{{range .Messages}}<section class="message" id="{{.Name}}"><h3>{{.Title}}</h3><p>{{.Summary}}</p>
<pre>{{.Payload}}</pre></section>
{{end}}
<h2>Schemas</h2>
{{range .Schemas}}<section class="schema" id="schema-{{.Name}}"><h3>{{.Name}}</h3><pre>{{.Body}}</pre></section>
{{end}}
</main></body></html>`))
