"""Stage 3, structure: an article draft -> its body, its furniture (``removed``, with kinds) and its metadata.

Both inputs arrive as :class:`~normalize.structure.draft.Draft` s (lines with their source hints, and
the page head) and go the same way (:func:`normalize.structure.stage.structure_article`):

1. :func:`normalize.structure.furniture.classify` names the furniture kind of every line — **where
   furniture is decided**, for HTML pages and text captures alike;
2. :func:`normalize.structure.body.select_body` keeps every other line and groups the removed ones;
3. the caller's line repairs (``join``: :func:`normalize.repairs.lines.join_broken_lines` in
   :func:`normalize.clean`) run on the body;
4. :func:`normalize.structure.meta.read_metadata` reads the headline, date, source and names from the
   body, the labelled lines and the head.

A text capture holding a whole e-paper page is first cut into its articles
(:mod:`normalize.structure.epaper`); an HTML page holding several articles arrives as one draft per
article (:mod:`normalize.extract.parts`).
"""
