"""The ``cs231n`` pack: grades layer files written against the CS231n assignments' API, ``(out, cache)`` pairs
included. Loaded by path through ``engine.packs`` (so its modules import each other relatively)."""
