"""PQA Desktop: children's social care Performance & Quality Assurance workbook builder."""

__version__ = "0.1.0"
