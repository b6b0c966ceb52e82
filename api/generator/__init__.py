"""Realistic supplier data, deterministic from a seed: the demo's (`flask --app api demo load`)
and the benchmarks' (bench/run.py).

    python -m api.generator --suppliers 10000 --seed 42 --database-url postgresql+psycopg://... --rebuild

- population.py: how common each trade, sector, certification and head count is;
- geography.py: where suppliers sit (real GeoNames places, densest around Rouen–Elbeuf–Cléon);
- vocabulary.py: the words of company names, addresses and descriptions;
- identifiers.py: valid SIRET, SIREN and VAT numbers, domains, phone numbers;
- suppliers.py: supplier number *i*, drawn from its own random generator seeded with (seed, i);
- writing.py: batches of suppliers into the real tables, each with the history entry, event and
  search-outbox row its creation through the API would have written.

The search index is built by the real rebuild (`--rebuild`, or `flask --app api search rebuild`);
the outbox rows also let a drainer index the suppliers when no rebuild follows.
"""

from .suppliers import DEFAULT_SEED, Generator
from .writing import write

__all__ = ["DEFAULT_SEED", "Generator", "write"]
