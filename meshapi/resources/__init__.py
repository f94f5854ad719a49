"""meshapi 0.1.11's resource modules (``meshapi.resources.chat``...), kept so their imports
run: each warns once and names the import from :mod:`meshapi` to use instead."""
