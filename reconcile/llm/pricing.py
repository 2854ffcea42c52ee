"""What tokens cost: a small editable price table (reconcile/data/prices.yaml).

An unknown model has an unknown cost (``None``), shown as such, never as 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from reconcile.errors import ConfigError

PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "prices.yaml"


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


@functools.cache
def load_prices(path: Path = PRICES_FILE) -> dict[str, Price]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {
            str(name): Price(float(entry["input"]), float(entry["output"]))
            for name, entry in (data.get("models") or {}).items()
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise ConfigError(f"The price table {path} cannot be read: {error}.") from error


def price_for(
    model: str,
    *,
    price_in: float | None = None,
    price_out: float | None = None,
    table: dict[str, Price] | None = None,
) -> Price | None:
    """The price of ``model``: the overrides if both are given, else the table entry.

    A single override replaces that half of the table's price; with no table
    entry and not both overrides, the price is unknown.
    """
    prices = load_prices() if table is None else table
    bare = model.rsplit("/", 1)[-1]  # "openai/gpt-4o" on routers is priced as "gpt-4o"
    listed = prices.get(model) or prices.get(bare)
    if listed is None:
        # a dated snapshot ("gpt-4o-mini-2024-07-18") takes its family's price
        prefixes = [name for name in prices if bare.startswith(name + "-")]
        if prefixes:
            listed = prices[max(prefixes, key=len)]
    if price_in is not None and price_out is not None:
        return Price(price_in, price_out)
    if listed is None:
        return None
    return Price(
        listed.input if price_in is None else price_in,
        listed.output if price_out is None else price_out,
    )
