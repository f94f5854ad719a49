"""mkdocs hooks: nothing yet."""
