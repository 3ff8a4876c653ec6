"""schemathesis hooks for quotewire's contract run (tests/contract/run.sh loads them).

A page cursor is a token only the server issues: it encodes the position in one list
under one set of filters, and any other string is rightly refused with 400
`invalid_cursor`. No schema can say "a value this server returned", so the generator is
kept from forging cursors. Every check still runs on every response; the cursor
itself is tested in tests/api (paging to the end, a cursor from another query, garbage).
"""

import json

import schemathesis


@schemathesis.hook
def map_query(context, query):
    if query and "cursor" in query:
        query = {name: value for name, value in query.items() if name != "cursor"}
    return query


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """An NDJSON batch: the items the schema describes, one JSON value per line. A value
    that is not a list has no lines to write: it is sent as an empty body, which the
    server refuses (a batch holds at least one item)."""
    if not isinstance(value, list):
        return b""
    return "".join(json.dumps(item) + "\n" for item in value).encode("utf-8")


@schemathesis.hook("filter_body")
def batch_bodies_are_lists(ctx, body):
    """A batch body is a list of items in both its media types; NDJSON cannot write a
    value that is not a list (there is no line structure to give it), so non-list batch
    bodies are not generated. The JSON form's "not an array" refusal is tested in
    tests/api/batch.rs."""
    operation = getattr(ctx, "operation", None)
    if operation is not None and operation.path == "/v1/articles:batch":
        return isinstance(body, list)
    return True
