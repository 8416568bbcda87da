"""The nnprep application: the Textual TUI, the CLI, the progress store, scheduling, mock interviews, reports."""
