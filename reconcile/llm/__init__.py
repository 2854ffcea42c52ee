"""The LLM layer: settings, prompts, one structured call with retries, cache, record and replay.

- ``config.LLMSettings``: model, endpoint, key, mode, limits (CLI options and environment).
- ``client.LLMClient.structured``: one structured call for any stage.
- ``prompting``: jinja2 prompt templates and their fingerprints.
- ``replay`` / ``transport``: recorded exchanges on disk and the HTTP transports that
  capture and serve them; ``fixtures``: replay clients, ``wrap`` and ``check``.
- ``cache``: answers on disk by content; ``pricing``: the price table.
"""
