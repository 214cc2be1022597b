"""Stage 1, decoding: the bytes of a capture -> text, with the reason for the codec chosen.

:func:`decode` (BOM > HTTP header > meta, validated; see :mod:`normalize.decoding.decoder`) and the one
Content-Type parser :func:`charset_from_content_type`; :mod:`normalize.decoding.mojibake` reads back a
whole page that was decoded with a Latin codec upstream.
"""

from normalize.decoding.decoder import Decoded, charset_from_content_type, decode

__all__ = ["Decoded", "charset_from_content_type", "decode"]
