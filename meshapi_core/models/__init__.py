"""Pydantic models of the gateway's requests and responses, one module per area.

:mod:`~meshapi_core.models.base` holds the two kinds of model (strict requests, lenient
replies) and :mod:`~meshapi_core.models.pages` the page shapes; every other module is one area
of the API. ``scripts/generate.py`` exports the public names of every module here.
"""
