"""Excel add-in build pieces (VBA project, workbook parts). Imports nothing on purpose."""
