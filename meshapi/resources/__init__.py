"""Resources: the ``client.<area>.<action>(...)`` methods, one module per area of the API."""
