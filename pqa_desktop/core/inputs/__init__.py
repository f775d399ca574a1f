"""See pqa_desktop/core/__init__.py."""
