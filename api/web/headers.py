"""Security headers of every page: no script but our own, no framing, no referrer leaks."""

from __future__ import annotations

from typing import Final

# The one script is our own file (batch progress). Inline SVG is markup, not script or style,
# so a strict policy still draws the charts; its colours are presentation attributes, which
# style-src does not govern.
CSP: Final = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
