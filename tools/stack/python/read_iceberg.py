#!/usr/bin/env python3
"""Independent reader of the local stack's Iceberg tables (pyiceberg SqlCatalog on the stack's
PostgreSQL, file warehouse): prints the rows of a table as JSON lines on stdout.

    read_iceberg.py <namespace.table> [row-filter] [--uri URI] [--warehouse file://...] [--catalog NAME]

The row filter is pyiceberg's expression syntax, e.g. "id > 10 and name = 'a'". Defaults for the
options come from MATIH_ICEBERG_URI, MATIH_ICEBERG_WAREHOUSE and MATIH_ICEBERG_CATALOG.
"""
import argparse
import base64
import datetime
import decimal
import json
import os
import sys
import uuid


def to_json(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot encode {type(value).__name__}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("identifier", help="namespace.table")
    parser.add_argument("row_filter", nargs="?", default=None)
    parser.add_argument("--uri", default=os.environ.get("MATIH_ICEBERG_URI"))
    parser.add_argument("--warehouse", default=os.environ.get("MATIH_ICEBERG_WAREHOUSE"))
    parser.add_argument("--catalog", default=os.environ.get("MATIH_ICEBERG_CATALOG", "matih"))
    args = parser.parse_args()
    if not args.uri or not args.warehouse:
        parser.error("--uri and --warehouse (or MATIH_ICEBERG_URI / MATIH_ICEBERG_WAREHOUSE) are required")

    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(args.catalog, uri=args.uri, warehouse=args.warehouse)
    table = catalog.load_table(args.identifier)
    scan = table.scan(row_filter=args.row_filter) if args.row_filter else table.scan()
    out = sys.stdout
    for row in scan.to_arrow().to_pylist():
        out.write(json.dumps(row, default=to_json, sort_keys=True) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
