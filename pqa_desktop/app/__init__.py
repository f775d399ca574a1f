"""PySide6 desktop app: a thin layer over pqa_desktop.core.pipeline.run."""
