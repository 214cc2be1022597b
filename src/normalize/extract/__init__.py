"""Stage 2, extraction: an HTML page -> its article(s), main text found by trafilatura plus the rules of
Chinese portals (:func:`extract_html`; the page tree in :mod:`normalize.extract.tree`, what the page says
about itself in :mod:`normalize.extract.head`, pages of several articles in :mod:`normalize.extract.parts`).
"""

from normalize.extract.page import Extraction, extract_html

__all__ = ["Extraction", "extract_html"]
