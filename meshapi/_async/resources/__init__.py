"""The resources of the API, one module per area (async; the source of ``meshapi/_sync``)."""
