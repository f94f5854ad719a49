"""Benchmarks of the MeshAPI SDK against the transports' floor and peer SDKs; see README.md."""
