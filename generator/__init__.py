"""tiepcan: YAML per agency → validated model → page values → a static bundle per agency, plus a portal.

Pipeline stages, one module each, numbered the same in each module's docstring and in README.md:
1 load → 2 validate → 3 render → 4 build (MkDocs, only through mkdocs_adapter) → 5 export →
6 index → 7 feeds → 8 publish (leakscan, then the swap); 9 package is its own command.
"""

__version__ = "0.1.0"
