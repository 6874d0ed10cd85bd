"""Inputs layer: reading and checking what users hand us (CONTRACT §1, §5).

Cells and readers (files as text), typed tables, params files, the fact-find workbook (read and
the empty template written), `clientcare validate`. Every problem names file, sheet, row, column."""
