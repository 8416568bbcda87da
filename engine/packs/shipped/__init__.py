"""The task packs nnprep ships (``--pack NAME``); each folder is a pack (``docs/packs.md``)."""
