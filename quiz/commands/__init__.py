"""CLI command groups: each module has ``register(subparsers)`` and imports heavy things only when it runs."""
