"""Code written for other SDKs runs here unchanged: the whole compatibility surface.

Each idiom is a view over the one implementation: an alias, a signature that also takes the
other spelling, or a thin module at an old import path. None is a second implementation of a
call, and none behaves differently by spelling but one: meshapi 0.1.12's ``parse(params,
response_format)`` returns the parsed value alone, where openai-python's ``parse(**fields)``
returns the completion that holds it (the same call's ``message.parsed``). Every row below
has a test that runs the idiom as its users write it (``tests/compat/``), and
``docs/migrating.md`` shows each one.

meshapi 0.1.11 (the vendor's SDK)
---------------------------------

=====================================================  =========================================
its idiom                                              served by
=====================================================  =========================================
the 132 names of its ``meshapi.__all__``               ``meshapi/__init__.py``'s lazy table:
                                                       models from ``meshapi.types`` (its names
                                                       are aliases in ``meshapi_core.models``),
                                                       the rest from :mod:`.vendor` and
                                                       :mod:`.vendor_clients`
``MeshAPIConfig``                                      :mod:`.vendor`
``SyncHttpClient``, ``AsyncHttpClient``,               :mod:`.vendor_clients`
``ChatResource``, ``AsyncRagResource``...
a resource made from a config                          ``AsyncResource.__init__``
(``RealtimeResource(config)``)                         (``meshapi/_async/resource.py``)
``import meshapi._types`` / ``_errors`` / ``_http`` /  thin modules at those paths, each warning
``meshapi.resources.<name>``                           once (:func:`.vendor.moved`)
first arguments by keyword (``create(params=...)``,    the methods' signatures
``get(model_id=...)``)                                 (``meshapi/_async/resources/``)
``templates.create(params=CreateTemplateParams())``    ``meshapi_core.params.bind`` (the model
                                                       also has a ``params`` field)
``rag.list(10, 0)``                                    an overload of ``rag.list``
``models.list(free=, type=, provider=)``               named parameters of ``models.list``
``parse(params, response_format)`` (0.1.12; a model,   ``parse``'s signature, and
a TypedDict, a dataclass or a JSON Schema dict)        ``meshapi_core.structured``'s
                                                       ``schema_reader``,
                                                       ``response_format_for``,
                                                       ``parsed_value``
``err.provider_error``, ``err.details`` (a list),      ``meshapi_core.errors.MeshAPIError``
``retry_after_seconds`` printed as an int,
``MeshAPIError(message, status=, error_code=, ...)``,
``MeshAPIError.stream_interrupted(cause)``
=====================================================  =========================================
"""
