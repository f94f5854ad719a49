"""Pydantic models of the gateway's requests and responses, one module per area."""
