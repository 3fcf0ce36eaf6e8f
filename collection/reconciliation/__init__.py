"""Settlement files: imported once, reconciled in the database.

A provider's settlement file lists what it paid out to us, one transaction a line. Importing
stores the file (by content hash, refusing one already imported) and queues its reconciliation;
a file that is not UTF-8 text (named by the line of its first bad byte), not the provider's or
without rows is refused before it is stored (``govportal.importing.scan_csv``).

Reconciling reads the file, streaming (constant memory), into a temporary table. On PostgreSQL
the file goes in as it is, by COPY, and is judged at once, while a second connection
(``FileCheck``, on a thread) copies it again and checks it on its own: every value in its usual
form, and which lines repeat an earlier line's transaction or payment reference. The file's own
checks do not depend on our payments, so the two connections keep two cores busy. A file that is
not plainly good (or any file on SQLite) is read row by row in Python instead, which lists every
bad row, and its repeats are found in the database. A single bad row fails the whole file,
nothing kept. Then a handful of set-based statements:

- ``judge``: one ``CREATE TEMPORARY TABLE … AS SELECT`` gives each line its payment, that
  payment's collecting entity and an outcome (unknown / settled by an earlier file / status
  mismatch / amount mismatch / matched);
- ``settle``: each payment's first line, if it matched, becomes its ``Settlement`` (keyed by the
  payment: settled once), inserted in payment order; no payment row is updated;
- ``keep``: the lines that settled nothing go to a small temporary table with their final
  outcome: lines repeating an earlier line become duplicates there (and a first line repeating
  another payment's transaction gives its settlement back);
- ``match``: those lines are kept whole (``SettlementRow``), each put in front of staff as a
  discrepancy; the outcomes are counted; payments that succeeded with us more than
  ``SETTLEMENT_WINDOW_DAYS`` before the file's last settlement and appear in no settlement file
  are reported missing.

All of it runs in one transaction: a file is reconciled completely or not at all. Progress
(rows read) goes to the cache, not the database, because the rows' transaction stays open
until the end and the page must see progress before it commits (the cache is Redis in
production, shared by the worker and the web tier).

A file belongs to the collecting entity whose merchant account it reports (``MerchantAccount``;
a sandbox file names none and belongs to the entity it is imported for): only that entity's fund
officers and head import it, and it settles only that entity's payments. Its lines about another
entity's payments are discrepancies in front of the file's entity (``other_entity``), never
settlements, and only that entity's payments can be missing from it.

The package: ``formats`` (one module per provider's file: its columns, its checks, and how a line
becomes the common staging row), ``services`` (import, reconcile, the task), ``reading``
(checking rows, the staging table), ``matching`` (the SQL), ``progress`` (for the pages), ``fetching`` (asking a
provider's adapter for a day's file, for staff).
"""

from collection.reconciliation.fetching import FETCH_PROVIDERS, settlement_fetch_request, settlement_fetch_run
from collection.reconciliation.matching import OUTCOMES
from collection.reconciliation.progress import Progress, settlement_progress
from collection.reconciliation.reading import PROBLEMS, SETTLEMENT_FORMATS, bad_rows_of, error_messages
from collection.reconciliation.services import (
    IMPORT_ROLES,
    MAX_FILE_BYTES,
    can_import,
    import_entities,
    settlement_import,
    settlement_reconcile,
    settlement_reconcile_now,
)

__all__ = [
    "FETCH_PROVIDERS",
    "IMPORT_ROLES",
    "MAX_FILE_BYTES",
    "OUTCOMES",
    "PROBLEMS",
    "SETTLEMENT_FORMATS",
    "Progress",
    "bad_rows_of",
    "can_import",
    "import_entities",
    "error_messages",
    "settlement_fetch_request",
    "settlement_fetch_run",
    "settlement_import",
    "settlement_progress",
    "settlement_reconcile",
    "settlement_reconcile_now",
]
