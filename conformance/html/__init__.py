"""The static HTML report: a site built from saved results alone.

``build_site(results, out)`` writes index.html (provenance, area x runner
matrix, headlines), areas/<area>.html, cases/<id>.html, memory.html,
differences.html and, given a baseline comparison, changes.html. Every link
is relative, so the site opens from the file system; there is no script.
"""

from conformance.html.site import SiteSummary, build_site

__all__ = ["SiteSummary", "build_site"]
