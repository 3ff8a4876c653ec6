"""schemathesis hooks for quotewire's contract run (tests/contract/run.sh loads them).

A page cursor is a token only the server issues: it encodes the position in one list
under one set of filters, and any other string is rightly refused with 400
`invalid_cursor`. No schema can say "a value this server returned", so the generator is
kept from forging cursors. Every check still runs on every response; the cursor
itself is tested in tests/api (paging to the end, a cursor from another query, garbage).
"""

import schemathesis


@schemathesis.hook
def map_query(context, query):
    if query and "cursor" in query:
        query = {name: value for name, value in query.items() if name != "cursor"}
    return query
