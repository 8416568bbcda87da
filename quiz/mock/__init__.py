"""Timed mock interviews: presets as data, reproducible draws, a resumable session, and a scored report."""
