"""Gongwen's engine: official documents (公文) from draft to archive.

This package owns the domain: models, the lifecycles, permissions, numbering, deadlines, audit
and the commands and queries the outside world calls. It must never import the web layer
(Flask, WTForms, Werkzeug); `webui/` depends on it, never the other way round.
"""
