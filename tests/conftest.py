"""Shared fixtures."""

from __future__ import annotations

import pytest

from tests.support.inprocess import InProcessRunner


@pytest.fixture(scope="session")
def inprocess() -> InProcessRunner:
    """Runs our own known submissions in-process (fast); hostile code goes through the sandbox only."""
    return InProcessRunner()
