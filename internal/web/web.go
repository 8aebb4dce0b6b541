// Package web serves the user interface: server-rendered pages in Japanese
// and English, embedded templates and assets, forms that work without
// JavaScript. Handlers read and write through the store; rules come from
// conformity and permissions from authz.
//
// The UI is split by what changes together:
//
//	site/       the frame every page shares: App, Page, rendering with the
//	            layout and static assets, sessions and sign-in, InOrg, error
//	            pages, language, and the registries (routes, navigation,
//	            templates, finding links) that areas add themselves to
//	items/      the generic item engine: schema, forms, validation beside
//	            fields, conflicts, history, evidence, approvals
//	draw/       server-drawn SVG (heat maps, coverage bars, supply chain);
//	            pure, no HTTP
//	dashboard/  the organization's first page
//	scope/      scope statements, services, people, systems
//	risk/       risk register, risk criteria, assets in the navigation
//	soa/        statements of applicability, creating and approving them
//	cloud/      responsibilities and verifications of providers
//	ops/        legal, backups, monitoring, documents
//	audit/      internal audits and management reviews
//	registers/  context, objectives, competence, measurement,
//	            nonconformities, incidents, certificates and their audits
//	people/     a person's page: roles, duties, trainings, competence
//	reports/    downloads, printing, disclosure, control texts, OSCAL
//	admin/      members, account, bundle import
//
// An area package imports site (and items, draw where it needs them),
// never another area, and registers its routes, navigation entries,
// templates (its own templates/*.html) and finding links from init. This
// package imports every area and builds the App, so a new page is a new
// file in its area, and a new area is one import here.
package web

import (
	"log/slog"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"

	// The areas, each registering its pages with site.
	_ "github.com/cloudisms/cloudisms/internal/web/admin"
	_ "github.com/cloudisms/cloudisms/internal/web/audit"
	_ "github.com/cloudisms/cloudisms/internal/web/cloud"
	_ "github.com/cloudisms/cloudisms/internal/web/daily"
	_ "github.com/cloudisms/cloudisms/internal/web/dashboard"
	_ "github.com/cloudisms/cloudisms/internal/web/evidence"
	_ "github.com/cloudisms/cloudisms/internal/web/items"
	_ "github.com/cloudisms/cloudisms/internal/web/linked"
	_ "github.com/cloudisms/cloudisms/internal/web/ops"
	_ "github.com/cloudisms/cloudisms/internal/web/people"
	_ "github.com/cloudisms/cloudisms/internal/web/registers"
	_ "github.com/cloudisms/cloudisms/internal/web/reports"
	_ "github.com/cloudisms/cloudisms/internal/web/risk"
	_ "github.com/cloudisms/cloudisms/internal/web/scope"
	_ "github.com/cloudisms/cloudisms/internal/web/search"
	_ "github.com/cloudisms/cloudisms/internal/web/soa"
	_ "github.com/cloudisms/cloudisms/internal/web/ssoweb"
	_ "github.com/cloudisms/cloudisms/internal/web/trends"
)

// App is the web UI.
type App = site.App

// New builds the UI with every area; templates are parsed and checked at
// start, so a broken template stops the server instead of a page.
func New(s *store.Store, log *slog.Logger, now func() time.Time) (*App, error) {
	return site.New(s, log, now)
}
