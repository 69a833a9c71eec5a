package consent

import (
	"io"
	"net/http"
)

// startHTML returns the rewriting stream for an HTML response, or nil to
// pass it through.
func (m *Manager) startHTML(dst io.Writer, r *http.Request, st *State, h http.Header) htmlStream {
	return nil
}
