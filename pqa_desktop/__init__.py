"""PQA Desktop: children's social care Performance & Quality Assurance workbook builder."""

__version__ = "1.0.0"
