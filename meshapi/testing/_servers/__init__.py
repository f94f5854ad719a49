"""The emulator's I/O: the h11 socket server (:mod:`~meshapi.testing._servers.http`), its
WebSocket sessions (:mod:`~meshapi.testing._servers.websocket`), TLS
(:mod:`~meshapi.testing._servers.tls`) and the in-process transports
(:mod:`~meshapi.testing._servers.inprocess`), each driving the Sans-IO gateway."""
