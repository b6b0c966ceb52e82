"""A realistic request body for each operation that takes one, shown in the spec (and sent
by schemathesis's examples phase): a Normandy machining supplier, a Cléon plant's RFQ for
5-axis milled aluminium housings, a quote for it."""

from __future__ import annotations

NORMANDY_MACHINIST = {
    "legal_name": "Usinage de Précision de la Seine SAS",
    "trade_name": "UPS Cléon",
    "country": "FR",
    "siret": "73282932000074",
    "naf_code": "25.62B",
    "website": "https://www.usinage-seine.example",
    "description": "Fraisage 5 axes et tournage de pièces aluminium et acier pour l'automobile et l'aéronautique.",
    "employees": 42,
    "founded_year": 1987,
    "sites": [{"name": "Atelier principal", "address": "12 rue de l'Industrie", "postal_code": "76410",
               "city": "Cléon", "country": "FR", "latitude": 49.3124, "longitude": 1.0295}],
    "sectors": ["automotive", "aerospace"],
    "capabilities": [{"code": "machining.milling.5axis", "materials": ["aluminium", "steel"],
                      "max_part_size": "800 x 600 x 500 mm", "tolerance": "±0.01 mm",
                      "capacity": "40,000 parts a year"}],
    "certifications": [{"type": "iso-9001", "number": "FR-2024-0042", "issuing_body": "AFNOR",
                        "valid_from": "2024-01-15", "valid_until": "2027-01-14"}],
    "digital": ["edi"],
    "contacts": [{"name": "Claire Martin", "role": "Responsable commerciale",
                  "email": "claire.martin@usinage-seine.example", "phone": "+33 2 35 00 00 00"}],
}

CLEON_RFQ = {
    "title": "Carters en aluminium fraisés 5 axes",
    "description": "2 000 carters de boîte de vitesses en AlSi9Cu3, fraisage 5 axes, tolérances ±0,02 mm, "
                   "livrés à l'usine de Cléon.",
    "required_capabilities": ["machining.milling.5axis"],
    "required_certifications": ["iatf-16949"],
    "quantity": "2000",
    "unit": "pieces",
    "near": "Cléon",
    "max_distance_km": 50,
    "response_deadline": "2027-03-01T17:00:00+01:00",
    "needed_by": "2027-06-30",
    "visibility": "invited",
    "sealed": False,
    "budget": "90000.00",
    "budget_visible": False,
    "currency": "EUR",
}

QUOTE = {"unit_price": "43.80", "currency": "EUR", "quantity": "2000", "lead_time_days": 35,
         "valid_until": "2027-04-30", "notes": "Brut AlSi9Cu3 fourni par nos soins; contrôle 3D sur 5 % des pièces."}

REQUEST_EXAMPLES = {
    "createOrganisation": {"name": "Moteurs de la Seine — usine de Cléon", "kind": "buyer"},
    "issueApiKey": {"name": "SAP Ariba connector", "role": "buyer",
                    "organisation_id": "3f1c2a9e-6b7d-4e0f-9a51-2d8c7b6e4a10"},
    "createSupplier": {**NORMANDY_MACHINIST, "organisation_id": "7a2e5c1b-0d3f-4b6a-8e9c-1f2a3b4c5d6e"},
    "replaceSupplier": NORMANDY_MACHINIST,
    "updateSupplier": {"employees": 48, "digital": ["edi", "e-invoicing"]},
    "createRfq": CLEON_RFQ,
    "updateRfq": {"quantity": "2500", "needed_by": "2027-07-15"},
    "awardRfq": {"quote_id": "0b9f6c3e-2a1d-4c5b-8e7f-6a5b4c3d2e1f"},
    "inviteSuppliers": {"supplier_ids": ["5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"]},
    "declineRfq": {"reason": "capacity", "comment": "Nos centres 5 axes sont pleins jusqu'en septembre."},
    "submitQuote": QUOTE,
    "reviseQuote": {**QUOTE, "unit_price": "41.90", "lead_time_days": 30},
    "retrySearchOutbox": {"ids": [1042, 1043]},
    "createWebhook": {"url": "https://erp.moteurs-seine.example/proxisource/webhooks",
                      "event_types": ["quote.*", "invitation.declined", "rfq.awarded"],
                      "description": "SAP Ariba connector, Cléon plant"},
    "updateWebhook": {"event_types": ["quote.*", "rfq.*"], "enabled": True},
    "createImport": {"file": "Raison sociale;SIRET;Pays;Site 1 ville;Site 1 code postal;Capacités\r\n"
                              "Atelier Dupré;73282932000074;FR;Rouen;76000;Fraisage 5 axes | Tournage\r\n",
                     "dry_run": True},
}
