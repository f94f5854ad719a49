"""The Sans-IO gateway: state, credentials, clock, plans, errors, validation, replies and
accounts, and :mod:`~meshapi.testing._gateway.dispatcher`, which turns a
:class:`~meshapi.testing._gateway.plan.GatewayRequest` into a
:class:`~meshapi.testing._gateway.plan.ResponsePlan` through the route table
(:mod:`meshapi.testing._routes`). No sockets, no event loop: the servers
(:mod:`meshapi.testing._servers`) carry plans out."""
