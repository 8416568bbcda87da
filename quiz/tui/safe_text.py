"""Candidate-controlled text for Textual widgets: plain ``Content``, never parsed as markup.

A string handed to ``Static`` is parsed as Textual markup, where ``[@click=app.quit]`` is a live action and
``[link='...']`` a live link (``rich.markup.escape`` does not cover every form). Content built here is only text:
the terminal form of ``engine.untrusted_text`` (no control character or escape sequence reaches the screen), with
an optional style of our own.
"""

from __future__ import annotations

from textual.content import Content

from engine.untrusted_text import for_terminal


def plain(text: str, style: str = "") -> Content:
    """Untrusted ``text`` as Content shown literally, styled with ``style`` (ours, not the text's)."""
    return Content.styled(for_terminal(text), style)
