"""The description of the API: as OpenAPI 3.1 JSON for tools, and as a page for people."""

from __future__ import annotations

import json

from flask import render_template

from portal.access import public
from portal.api import bp
from portal.api.core import json_response
from portal.api.openapi import description

METHODS = ("get", "post", "put", "delete")


@bp.route("/openapi.json")
@public
def openapi():
    response = json_response(description())
    response.headers["Access-Control-Allow-Origin"] = "*"  # a public description, read by API tools
    return response


def _schema_name(schema: dict) -> str:
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1]


@bp.route("/docs")
@public
def docs():
    spec = description()
    operations = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            operations.append({"method": method.upper(), "path": "/api/v1" + path, "summary": op["summary"],
                               "tag": op["tags"][0], "parameters": op.get("parameters", []),
                               "body": _schema_name(body) if body else None,
                               "responses": {code: _schema_name(r.get("content", {}).get("application/json", {})
                                                                .get("schema", {}))
                                             for code, r in op["responses"].items()}})
    schemas = {name: json.dumps(schema, indent=2, ensure_ascii=False)
               for name, schema in spec["components"]["schemas"].items()}
    return render_template("api/docs.html", info=spec["info"], operations=operations, schemas=schemas)
