package oscal

import (
	"time"

	"github.com/cloudisms/cloudisms/internal/gate"
)

// Imports bounds the framework imports the process reads at once: OSCAL
// catalogs and profiles, and framework libraries (internal/library), which
// the same pages and API routes take. A 16 MB catalog allocates some
// 250 MB while it is read, so two run at once, eight wait up to 30 s,
// and the rest are refused with a *gate.BusyError (503 with Retry-After).
var Imports = gate.New(2, 8, 30*time.Second)
