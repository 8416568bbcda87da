"""Batch grading: folders of candidates graded by a pool of warm sandboxes, written as they finish."""
