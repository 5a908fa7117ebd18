#!/usr/bin/env python3
"""Independent reader of the local stack's Iceberg tables (pyiceberg SqlCatalog on the stack's
PostgreSQL, file warehouse; or pyiceberg's REST catalog with tables on S3): prints the rows of a
table as JSON lines on stdout, or with --inspect one JSON object of what a reader sees: rows, schema,
the files planned for the row filter and all files with their partition values and metrics, and the
snapshots with their summaries.

    read_iceberg.py <namespace.table> [row-filter] [--inspect] [--uri URI] [--warehouse file://...] [--catalog NAME]
    read_iceberg.py <namespace.table> [row-filter] [--inspect] --type rest --uri http://... \
        [--property s3.endpoint=http://...] [--property s3.access-key-id=...] ...

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


def open_catalog(parser, args):
    properties = {}
    for item in args.property:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--property {item}: expected KEY=VALUE")
        properties[key] = value
    if args.type == "rest":
        if not args.uri:
            parser.error("--uri (the REST catalog's http:// URI) is required")
        from pyiceberg.catalog.rest import RestCatalog

        if args.warehouse:
            properties["warehouse"] = args.warehouse
        return RestCatalog(args.catalog, uri=args.uri, **properties)
    if not args.uri or not args.warehouse:
        parser.error("--uri and --warehouse (or MATIH_ICEBERG_URI / MATIH_ICEBERG_WAREHOUSE) are required")

    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog(args.catalog, uri=args.uri, warehouse=args.warehouse, **properties)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("identifier", help="namespace.table")
    parser.add_argument("row_filter", nargs="?", default=None)
    parser.add_argument("--uri", default=os.environ.get("MATIH_ICEBERG_URI"))
    parser.add_argument("--warehouse", default=os.environ.get("MATIH_ICEBERG_WAREHOUSE"))
    parser.add_argument("--catalog", default=os.environ.get("MATIH_ICEBERG_CATALOG", "matih"))
    parser.add_argument("--type", choices=["sql", "rest"], default="sql", help="sql: SqlCatalog (JDBC layout); rest: REST catalog")
    parser.add_argument("--property", action="append", default=[], metavar="KEY=VALUE", help="a catalog/FileIO property (s3.endpoint, …)")
    parser.add_argument("--inspect", action="store_true", help="one JSON object: rows, schema, files, snapshots")
    args = parser.parse_args()
    catalog = open_catalog(parser, args)
    table = catalog.load_table(args.identifier)
    scan = table.scan(row_filter=args.row_filter) if args.row_filter else table.scan()
    out = sys.stdout
    if args.inspect:
        out.write(json.dumps(inspect(table, scan), default=to_json))
    else:
        for row in scan.to_arrow().to_pylist():
            out.write(json.dumps(row, default=to_json, sort_keys=True) + "\n")
    out.flush()
    return 0


def inspect(table, scan):
    planned = list(scan.plan_files())
    every = list(table.scan().plan_files())
    arrow = scan.to_arrow()
    return {
        "rows": arrow.to_pylist(),
        "arrow_types": {f.name: str(f.type) for f in arrow.schema},
        "schema": [{"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required} for f in table.schema().fields],
        "planned_files": len(planned),
        "total_files": len(every),
        "files": [
            {
                "path": t.file.file_path,
                "record_count": t.file.record_count,
                "partition": list(t.file.partition),
                "null_value_counts": {str(k): v for k, v in (t.file.null_value_counts or {}).items()},
                "value_counts": {str(k): v for k, v in (t.file.value_counts or {}).items()},
                "has_bounds": sorted((t.file.lower_bounds or {}).keys()),
            }
            for t in every
        ],
        "snapshots": [
            {"id": s.snapshot_id, "parent": s.parent_snapshot_id, "sequence": s.sequence_number, "summary": s.summary.model_dump() if s.summary else None}
            for s in table.metadata.snapshots
        ],
        "current_snapshot": table.metadata.current_snapshot_id,
        "spec": str(table.spec()),
    }


if __name__ == "__main__":
    sys.exit(main())
