package api

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
)

var pathParam = regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)

// requestBodies are the JSON bodies the document describes, by route.
var requestBodies = map[string]any{
	"POST /api/v1/orgs/{org}/audit-packs": map[string]any{
		"type": "object", "required": []any{"from", "to"}, "additionalProperties": false,
		"properties": map[string]any{
			"from": map[string]any{"type": "string", "format": "date", "description": "The period's first day (inclusive)"},
			"to":   map[string]any{"type": "string", "format": "date", "description": "The period's last day (inclusive, not before from)"},
			"lang": map[string]any{"type": "string", "enum": []any{"ja", "en"}, "description": "The pack's language (the caller's by default)"},
		},
	},
}

// openAPI serves an OpenAPI 3.1 document made from the route table, so it
// cannot drift from the routes; a test checks it against the mux too.
func (a *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, OpenAPI())
}

// OpenAPI builds the document.
func OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	errorRef := map[string]any{"$ref": "#/components/responses/Error"}
	for _, rt := range slices.Concat(routes, jobRoutes) {
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			schema := map[string]any{"type": "string"}
			if m[1] == "kind" {
				// Every kind of item, the version 2 registers included.
				schema["enum"] = append([]string(nil), bundle.Kinds...)
			}
			if m[1] == "id" {
				schema = map[string]any{"type": "integer", "minimum": 1} // a job's id
			}
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": schema})
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", ".", "").Replace(rt.Path),
			"security":    []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
			"responses": map[string]any{
				"200": map[string]any{"description": "OK"}, "400": errorRef, "401": errorRef, "403": errorRef,
				"404": errorRef, "409": errorRef, "413": errorRef, "415": errorRef,
			},
		}
		if rt.Method == "POST" && slices.ContainsFunc(jobRoutes, func(j Route) bool { return j.Method == rt.Method && j.Path == rt.Path }) {
			op["responses"].(map[string]any)["202"] = map[string]any{"description": "Queued: the job (its URL also in Location)"}
			op["responses"].(map[string]any)["429"] = errorRef
		}
		if body, ok := requestBodies[rt.Method+" "+rt.Path]; ok {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": body}}}
		}
		if rt.Action == authz.Write || rt.Action == authz.Approve {
			params = append(params, map[string]any{"name": ChangeNoteHeader, "in": "header", "required": false,
				"description": "Why the change is made, kept with its history record (UTF-8, percent-encoded; at most 1,000 characters)",
				"schema":      map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "cloudisms API", "version": "1"},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
			"responses": map[string]any{"Error": map[string]any{
				"description": "The one error shape",
				"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
					"type": "object",
					"properties": map[string]any{"error": map[string]any{
						"type":     "object",
						"required": []any{"code", "message", "fields"},
						"properties": map[string]any{
							"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
							"fields": map[string]any{"type": "array", "items": map[string]any{"type": "object",
								"properties": map[string]any{"path": map[string]any{"type": "string"}, "line": map[string]any{"type": "integer"}, "message": map[string]any{"type": "string"}}}},
						},
					}},
				}}},
			}},
		},
	}
}
