"""The bundled sample portal: article data, build script, generated static site and its local server."""
