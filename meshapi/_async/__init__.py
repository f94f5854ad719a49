"""The async half of the SDK, and the source of the blocking half (``meshapi/_sync``)."""
