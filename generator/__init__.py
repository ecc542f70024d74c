"""tiepcan: YAML per agency → validated model → Markdown → MkDocs bundle per agency, plus a portal.

Pipeline stages, one module each: load → validate → render → build → publish.
"""

__version__ = "0.1.0"
