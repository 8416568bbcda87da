"""Everything a person reads: the question bank and the coding tasks' texts, with their schema and loader."""
