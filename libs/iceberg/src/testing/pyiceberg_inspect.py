#!/usr/bin/env python3
"""Reads an Iceberg table with pyiceberg (SqlCatalog) and prints what a reader sees, as one JSON object:
rows, schema, files planned for an optional row filter, partition values, snapshots and their summaries.

    pyiceberg_inspect.py <uri> <warehouse> <catalog> <namespace.table> [row-filter]

A <uri> of http(s):// opens pyiceberg's REST catalog instead; its FileIO properties (s3.endpoint,
s3.access-key-id, …) come as a JSON object in the environment variable PYICEBERG_PROPERTIES.
"""
import base64
import datetime
import decimal
import json
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
    uri, warehouse, catalog_name, identifier = sys.argv[1:5]
    row_filter = sys.argv[5] if len(sys.argv) > 5 else None
    if uri.startswith(("http://", "https://")):
        import os
        from pyiceberg.catalog.rest import RestCatalog

        properties = json.loads(os.environ.get("PYICEBERG_PROPERTIES", "{}"))
        catalog = RestCatalog(catalog_name, uri=uri, **properties)
    else:
        from pyiceberg.catalog.sql import SqlCatalog

        catalog = SqlCatalog(catalog_name, uri=uri, warehouse=warehouse)
    table = catalog.load_table(identifier)
    scan = table.scan(row_filter=row_filter) if row_filter else table.scan()
    tasks = list(scan.plan_files())
    all_tasks = list(table.scan().plan_files())
    arrow = scan.to_arrow()
    out = {
        "rows": arrow.to_pylist(),
        "arrow_types": {f.name: str(f.type) for f in arrow.schema},
        "schema": [{"id": f.field_id, "name": f.name, "type": str(f.field_type), "required": f.required} for f in table.schema().fields],
        "planned_files": len(tasks),
        "total_files": len(all_tasks),
        "files": [
            {
                "path": t.file.file_path,
                "record_count": t.file.record_count,
                "partition": [to_plain(v) for v in t.file.partition],
                "null_value_counts": {str(k): v for k, v in (t.file.null_value_counts or {}).items()},
                "value_counts": {str(k): v for k, v in (t.file.value_counts or {}).items()},
                "has_bounds": sorted((t.file.lower_bounds or {}).keys()),
            }
            for t in all_tasks
        ],
        "snapshots": [
            {"id": s.snapshot_id, "parent": s.parent_snapshot_id, "sequence": s.sequence_number, "summary": s.summary.model_dump() if s.summary else None}
            for s in table.metadata.snapshots
        ],
        "current_snapshot": table.metadata.current_snapshot_id,
        "spec": str(table.spec()),
    }
    sys.stdout.write(json.dumps(out, default=to_json))
    return 0


def to_plain(v):
    return v


if __name__ == "__main__":
    sys.exit(main())
