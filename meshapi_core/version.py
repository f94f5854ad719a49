"""The SDK's version, defined once and read by packaging, headers and ``meshapi.__version__``."""

__version__ = "0.2.0"
