"""Where generated suppliers sit: real French places, denser around industrial areas.

A supplier's main site is drawn in two steps: an industrial area (a *hub*)
by weight, then a real GeoNames place within the hub's radius, nearer places
more likely (weight 1 / (1 + (d / spread)²)). One pseudo-hub, "France",
draws uniformly from every French place. The Rouen–Elbeuf–Cléon area has
the highest weight and a tight spread: it is the densest.

Each hub also tilts the sectors its suppliers serve (car plants around
Cléon and Sochaux, chemicals in the Seine estuary, aerospace in Toulouse...).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from dataclasses import dataclass

from .. import places
from search.geo import haversine_km


@dataclass(frozen=True)
class Hub:
    name: str
    lat: float
    lon: float
    weight: float
    radius_km: float
    sectors: dict[str, float]  # sector weight multipliers around this hub
    word: str  # a regional word for company names ("Normandie", "Rhône")


ROUEN = (49.36, 1.06)  # between Rouen, Elbeuf and Cléon

HUBS = (
    Hub("Rouen–Elbeuf–Cléon", *ROUEN, 18, 30, {"automotive": 3, "chemicals": 2, "pharmaceuticals": 1.5,
                                               "energy": 1.5}, "Seine"),
    Hub("Le Havre", 49.50, 0.16, 7, 25, {"chemicals": 3, "oil-and-gas": 4, "energy": 2, "naval": 3,
                                         "transport": 2.5, "aerospace": 1.5}, "Estuaire"),
    Hub("Port-Jérôme", 49.49, 0.57, 3, 15, {"chemicals": 4, "oil-and-gas": 4, "energy": 2}, "Caux"),
    Hub("Évreux–Val-de-Reuil", 49.15, 1.18, 4, 25, {"pharmaceuticals": 4, "cosmetics": 3,
                                                    "medical-devices": 2}, "Eure"),
    Hub("Vernon", 49.09, 1.49, 2, 15, {"aerospace": 4, "defence": 2}, "Vexin"),
    Hub("Caen", 49.18, -0.37, 2, 25, {"automotive": 1.5, "agrifood": 2, "nuclear": 2, "electronics": 2},
        "Normandie"),
    Hub("Paris region", 48.86, 2.35, 8, 45, {"aerospace": 1.5, "finance": 3, "electronics": 1.5,
                                             "pharmaceuticals": 1.5}, "Île-de-France"),
    Hub("Lyon", 45.76, 4.84, 7, 35, {"chemicals": 3, "pharmaceuticals": 2.5, "energy": 1.5}, "Rhône"),
    Hub("Lille", 50.63, 3.06, 5, 35, {"rail": 3, "agrifood": 2, "automotive": 1.5}, "Nord"),
    Hub("Dunkerque", 51.03, 2.38, 2, 20, {"energy": 3, "chemicals": 2, "nuclear": 2, "naval": 2},
        "Flandre"),
    Hub("Toulouse", 43.60, 1.44, 6, 35, {"aerospace": 5, "defence": 2, "electronics": 1.5}, "Occitanie"),
    Hub("Bordeaux", 44.84, -0.58, 3, 35, {"aerospace": 3, "defence": 2, "agrifood": 1.5}, "Gironde"),
    Hub("Grenoble", 45.19, 5.72, 4, 30, {"electronics": 4, "energy": 2.5, "medical-devices": 2},
        "Alpes"),
    Hub("Vallée de l'Arve", 46.06, 6.58, 2, 15, {"automotive": 2.5, "medical-devices": 2,
                                                 "aerospace": 1.5}, "Arve"),
    Hub("Saint-Étienne", 45.43, 4.39, 3, 25, {"industrial-equipment": 2, "medical-devices": 2,
                                              "defence": 1.5}, "Forez"),
    Hub("Nantes–Saint-Nazaire", 47.22, -1.90, 4, 40, {"naval": 3, "aerospace": 3, "agrifood": 2},
        "Atlantique"),
    Hub("Rennes", 48.11, -1.68, 2, 30, {"automotive": 2, "agrifood": 3, "electronics": 1.5},
        "Bretagne"),
    Hub("Le Mans", 48.00, 0.20, 2, 25, {"automotive": 2.5, "agrifood": 1.5}, "Maine"),
    Hub("Sochaux–Montbéliard", 47.51, 6.80, 3, 25, {"automotive": 4, "rail": 2, "energy": 1.5},
        "Franche-Comté"),
    Hub("Strasbourg–Mulhouse", 48.20, 7.55, 4, 55, {"automotive": 2, "pharmaceuticals": 2,
                                                    "rail": 1.5}, "Alsace"),
    Hub("Metz–Nancy", 48.90, 6.18, 2, 40, {"automotive": 2, "energy": 2}, "Lorraine"),
    Hub("Clermont-Ferrand", 45.78, 3.08, 2, 25, {"automotive": 2.5, "pharmaceuticals": 1.5},
        "Auvergne"),
    Hub("Marseille–Fos", 43.40, 5.15, 4, 35, {"oil-and-gas": 3, "chemicals": 2.5, "naval": 2,
                                              "aerospace": 2}, "Provence"),
    Hub("Orléans–Tours", 47.65, 1.30, 2, 50, {"cosmetics": 3, "pharmaceuticals": 2, "nuclear": 1.5},
        "Loire"),
    Hub("France", 46.6, 2.4, 18, 0, {}, "France"),  # anywhere in France
)

# The demo's region: the Seine valley hubs around Rouen.
REGIONS = {
    "france": tuple(h.name for h in HUBS),
    "rouen": ("Rouen–Elbeuf–Cléon", "Le Havre", "Port-Jérôme", "Évreux–Val-de-Reuil", "Vernon"),
}

# Metropolitan France (Corsica included).
FRANCE_BBOX = {"lat": (41.3, 51.2), "lon": (-5.3, 9.7)}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return haversine_km(lat1, lon1, lat2, lon2)


@dataclass(frozen=True)
class _Sampler:
    """Places with cumulative weights, sampled with bisect."""

    places: tuple[places.Place, ...]
    cumulative: tuple[float, ...]

    def pick(self, u: float) -> places.Place:
        total = self.cumulative[-1]
        return self.places[min(bisect.bisect_right(self.cumulative, u * total), len(self.places) - 1)]


@functools.cache
def french_places() -> tuple[places.Place, ...]:
    """Places of metropolitan France with an ordinary five-digit postal code (the API accepts no
    other for France; GeoNames also lists military codes such as "13661 AIR")."""
    lat_range, lon_range = FRANCE_BBOX["lat"], FRANCE_BBOX["lon"]
    return tuple(p for p in places.all_places("FR")
                 if len(p.postal_code) == 5 and p.postal_code.isdigit()
                 and lat_range[0] <= p.latitude <= lat_range[1] and lon_range[0] <= p.longitude <= lon_range[1])


@functools.cache
def _sampler(hub_name: str) -> _Sampler:
    hub = next(h for h in HUBS if h.name == hub_name)
    everywhere = french_places()
    if hub.radius_km == 0:
        return _Sampler(everywhere, tuple(range(1, len(everywhere) + 1)))
    spread = hub.radius_km / 2
    dlat = hub.radius_km / 111.0
    dlon = hub.radius_km / (111.0 * math.cos(math.radians(hub.lat)))
    chosen, weights = [], []
    for place in everywhere:
        if abs(place.latitude - hub.lat) > dlat or abs(place.longitude - hub.lon) > dlon:
            continue
        d = distance_km(hub.lat, hub.lon, place.latitude, place.longitude)
        if d <= hub.radius_km:
            chosen.append(place)
            weights.append(1.0 / (1.0 + (d / spread) ** 2))
    return _Sampler(tuple(chosen), tuple(itertools.accumulate(weights)))


@functools.cache
def hubs_of(region: str) -> tuple[tuple[Hub, ...], tuple[float, ...]]:
    names = REGIONS[region]
    chosen = tuple(h for h in HUBS if h.name in names)
    return chosen, tuple(itertools.accumulate(h.weight for h in chosen))


def pick_hub(region: str, u: float) -> Hub:
    chosen, cumulative = hubs_of(region)
    return chosen[min(bisect.bisect_right(cumulative, u * cumulative[-1]), len(chosen) - 1)]


def pick_place(hub: Hub, u: float) -> places.Place:
    return _sampler(hub.name).pick(u)


@functools.cache
def department_of(postal_code: str) -> str | None:
    """As the API derives it from the postal code (api.suppliers.service._locate)."""
    return places.department_of(postal_code)
