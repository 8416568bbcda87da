"""One Screen per job; each module is imported only when its screen is first opened."""
