"""Settlement files: imported once, reconciled in the database.

A provider's settlement file lists what it paid out to us, one transaction a line. Importing
stores the file (by content hash, refusing one already imported) and queues its reconciliation.
Reconciling reads the file once, streaming (constant memory), and sends its rows into a
temporary table. On PostgreSQL the file goes in as it is, by COPY, and one statement checks
every row; a file that is not plainly good there (or any file on SQLite) is read row by row in
Python (batched inserts on SQLite), which lists every bad row. A single bad row fails the whole
file, nothing kept. Matching is then a handful of set-based statements, the same SQL on both
databases:

- one ``INSERT … SELECT`` stores every row with its outcome (duplicate / unknown / status
  mismatch / amount mismatch / matched), its payment and that payment's collecting entity; a
  matched row is its payment's settlement (at most one per payment, by a unique constraint), so
  settling writes no payment row;
- one ``INSERT … SELECT`` puts every row that did not match in front of staff (a discrepancy);
- one ``INSERT … SELECT`` reports payments that succeeded with us more than
  ``SETTLEMENT_WINDOW_DAYS`` before the file's last settlement and appear in no settlement file.

All of it runs in one transaction: a file is reconciled completely or not at all. Progress
(rows read) goes to the cache, not the database, because the rows' transaction stays open
until the end and the page must see progress before it commits (the cache is Redis in
production, shared by the worker and the web tier).

The package: ``services`` (import, reconcile, the task), ``reading`` (checking rows, the
staging table), ``matching`` (the SQL), ``progress`` (for the pages).
"""

from collection.reconciliation.matching import OUTCOMES
from collection.reconciliation.progress import Progress, settlement_progress
from collection.reconciliation.reading import PROBLEMS, SETTLEMENT_FORMATS, error_messages
from collection.reconciliation.services import (
    IMPORT_ROLES,
    MAX_FILE_BYTES,
    can_import,
    settlement_import,
    settlement_reconcile,
    settlement_reconcile_now,
)

__all__ = [
    "IMPORT_ROLES",
    "MAX_FILE_BYTES",
    "OUTCOMES",
    "PROBLEMS",
    "SETTLEMENT_FORMATS",
    "Progress",
    "can_import",
    "error_messages",
    "settlement_import",
    "settlement_progress",
    "settlement_reconcile",
    "settlement_reconcile_now",
]
