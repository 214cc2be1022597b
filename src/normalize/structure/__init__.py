"""Stage 3, structure: the lines of an article -> body, furniture (``removed``, with kinds) and metadata.

Where furniture is decided: :mod:`~normalize.structure.furniture` (kinds in ``data/extract_furniture.toml``).
"""
