"""Several parquet snapshots of one schema read as one frame of cells, stacked in Arrow as they are
read: what `toolkit.inputs.tables.load_clients` checks for a province's monthly exports (two
1,000,000-row files). The cells are those `readers.read_raw` gives file by file, stacked as pandas
stacks them; files that could differ so are left to be read one by one. For a projected table
(`Table.project`) only its columns are decoded (`readers.parquet_names`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from toolkit.base.schema import Table
from toolkit.inputs.readers import (
    _check_rows,
    _parquet_columns,
    _unique_names,
    input_file_problem,
    parquet_names,
    pre_buffer,
)


def read_parquet_stacked(paths: list[Path], table: Table | None = None,
                         ) -> tuple[pd.DataFrame, list[int]] | None:
    """Several parquet files of one schema as one frame of cells, and each file's row count: the
    cells `read_raw` gives file by file, stacked as `pd.concat(..., ignore_index=True)` stacks them.

    Stacked in Arrow as they are read (`_parquet_columns`), every cell is copied once instead of
    twice (then by pandas' concat); text of few distinct values stored as a dictionary stays one
    (`_dictionary_columns`: a categorical column, the same cells). None when the files cannot be
    stacked without a difference (not all parquet or readable, empty, another schema, a row index of
    their own, an integer or boolean column with nulls in one file only): then each is read on its
    own and reported as always. `table`: a projection reads only the columns it maps to."""
    files: list[pq.ParquetFile] = []
    try:
        for path in paths:
            if path.suffix.lower() != ".parquet" or input_file_problem(path) is not None:
                return None
            files.append(pq.ParquetFile(path, pre_buffer=pre_buffer(table)))
            _check_rows(path, files[-1].metadata.num_rows)
        keys = [_stacking_key(f.schema_arrow) for f in files]
        if not all(f.metadata.num_rows for f in files) or None in keys or len(set(keys)) != 1:
            return None
        names = None if table is None else parquet_names(files[0].schema_arrow, table)
        dictionaries = _dictionary_columns(paths, files, names)
        if dictionaries:
            for file in files:
                file.close()
            files = [pq.ParquetFile(path, read_dictionary=dictionaries, pre_buffer=pre_buffer(table)) for path in paths]
        stacked = _parquet_columns(files, same_nulls=True, names=names)
    except Exception:  # noqa: BLE001 - InputError or a corrupt file: read and reported on its own
        return None
    finally:
        for file in files:
            file.close()
    if stacked is None:
        return None
    sizes = [f.metadata.num_rows for f in files]
    frame = stacked.to_pandas(split_blocks=True, self_destruct=True)
    del stacked
    frame.index = pd.RangeIndex(len(frame))
    return frame, sizes


#: A text column whose dictionary in the first rows of the first row group has at most this share of
#: their number is read as a dictionary by `read_parquet_stacked` (when the file stores it so): a
#: categorical column.
DICTIONARY_SHARE = 0.1
#: Those first rows, at most. A batch carries the row group's dictionary page, which can hold more
#: values than its rows (then the column is not chosen), and a column whose dictionary overflowed into
#: plain pages has a dictionary that grows with the rows read: either way the answer errs towards
#: plain text, which only costs speed.
DICTIONARY_SAMPLE_ROWS = 65_536


def _dictionary_columns(paths: list[Path], files: list[pq.ParquetFile],
                        names: list[str] | None = None) -> list[str]:
    """The text columns every row group of every file stores dictionary-encoded (branch, gender, card
    level…) with few distinct values in the first row group: read as dictionaries, their text is not
    decoded cell by cell, and `cells.ParsedColumn` parses each distinct value without hashing the cells.
    `names`: only those columns are candidates (the others are not read)."""
    schema, first = files[0].schema_arrow, files[0].metadata
    encoded = [name for i, name in enumerate(schema.names) if names is None or name in names
               if pyarrow.types.is_string(schema.field(i).type) or pyarrow.types.is_large_string(schema.field(i).type)
               if all(f.metadata.row_group(g).column(i).has_dictionary_page
                      for f in files for g in range(f.metadata.num_row_groups))]
    if not encoded or not first.num_row_groups or not first.row_group(0).num_rows:
        return []
    with pq.ParquetFile(paths[0], read_dictionary=encoded, pre_buffer=False) as probe:
        # The first rows only: a file written as one row group would have all its text decoded here
        # (1 s of a 1,000,000-row snapshot's 3 s load).
        sample = next(probe.iter_batches(batch_size=min(first.row_group(0).num_rows, DICTIONARY_SAMPLE_ROWS),
                                         row_groups=[0], columns=encoded, use_threads=False))
    limit = DICTIONARY_SHARE * sample.num_rows
    return [name for name, column in zip(encoded, sample.columns, strict=True)
            if pyarrow.types.is_dictionary(column.type) and len(column.dictionary) <= limit]


def _plain_type(kind: pyarrow.DataType) -> bool:
    return any(is_(kind) for is_ in (pyarrow.types.is_string, pyarrow.types.is_large_string, pyarrow.types.is_integer,
                                     pyarrow.types.is_floating, pyarrow.types.is_boolean,
                                     pyarrow.types.is_timestamp, pyarrow.types.is_date))


def _stacking_key(schema: pyarrow.Schema) -> str | None:
    """What must agree between files for cells stacked in Arrow to be pandas' stacked cells (the
    schema and pandas' metadata but for each file's row count); None when the file keeps a row index
    of its own (pandas would not stack it) or has a column of another type than text, number,
    boolean or date (pandas stacks categoricals differently)."""
    meta = dict(schema.pandas_metadata or {})
    index = meta.pop("index_columns", [])
    own_index = any(not isinstance(d, dict) or (d.get("kind"), d.get("start"), d.get("step")) != ("range", 0, 1)
                    for d in index)
    if own_index or not _unique_names(schema) or not all(_plain_type(t) for t in schema.types):
        return None
    return repr((schema.remove_metadata(), meta, [d.get("name") for d in index]))
