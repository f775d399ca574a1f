"""Qt-free core: inputs -> records -> measures -> workbook. Nothing here may import Qt."""
