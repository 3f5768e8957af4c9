"""Digests (SPEC §7): the leaders' digest and each unit's feedback, rendered from the last sync's
results and sent once per period through one of three transports.

The pipe, pure in the middle, I/O at the edges:

```
State.results() + history ─► context (pure) ─► render (jinja2 + css-inline) ─► message (MIME)
                                  ▲                     ▲ chart (matplotlib PNG)
                        period (which period, due?)                          │
                                                     sending (ledger) ─► transports (outbox/smtp/gmail)
```

`commands` holds what the CLI calls (`report`, `run`); `writeback` puts a unit's findings into its
own Google Sheet. Nothing in `period`, `context` or `render` does I/O.
"""
