"""nnprep's Textual user interface: screens, widgets and their styles (quiz/tui/styles/*.tcss)."""
