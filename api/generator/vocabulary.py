"""Words the generator builds French company profiles from.

Plain data, no logic: surnames and first names common in France, the trade
words of each capability area, legal forms, streets, issuing bodies.
"""

from __future__ import annotations

SURNAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
    "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal",
    "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix",
    "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland",
    "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
    "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
    "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier",
    "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger",
    "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux", "Cousin", "Germain",
    "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier",
    "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob",
    "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain",
    "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître",
    "Bénard", "Marechal", "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy",
    "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier",
    "Laporte", "Lecoq", "Lesueur", "Quesnel", "Delamare", "Lemonnier", "Duboc", "Hébert",
    "Levasseur", "Vautier", "Lecanu", "Anquetil", "Bréant", "Thiboutot",
)

FIRST_NAMES = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick", "Stéphane",
    "Laurent", "Frédéric", "Olivier", "Éric", "Sébastien", "Julien", "David", "Thierry", "Pascal",
    "Vincent", "Guillaume", "Thomas", "Antoine", "Maxime", "Romain", "Alexandre", "Mathieu",
    "Hugo", "Lucas", "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine",
    "Valérie", "Christine", "Céline", "Stéphanie", "Sophie", "Aurélie", "Émilie", "Julie",
    "Camille", "Claire", "Laure", "Caroline", "Anne", "Élodie", "Karine", "Virginie", "Léa",
    "Manon", "Chloé", "Sarah", "Inès", "Amandine", "Hélène", "Delphine", "Agnès", "Mélanie",
)

CONTACT_ROLES = (
    "Gérant", "Directeur général", "Présidente", "Responsable commercial", "Chargée d'affaires",
    "Responsable qualité", "Responsable de production", "Responsable méthodes", "Acheteur",
    "Directrice administrative et financière", "Technico-commercial", "Responsable HSE",
)

# Legal forms by how often small industrial firms use them (micro firms favour SARL/EURL/SASU).
LEGAL_FORMS_SMALL = (("SARL", 40), ("SAS", 25), ("SASU", 15), ("EURL", 15), ("SNC", 5))
LEGAL_FORMS_LARGE = (("SAS", 60), ("SA", 25), ("SARL", 15))

# Per capability area: trade words used in names, and the usual NAF rev. 2 code.
AREAS = {
    "machining": (("Usinage", "Mécanique", "Mécanique de Précision", "Précision", "Décolletage"), "25.62B"),
    "forming": (("Tôlerie", "Découpage", "Emboutissage", "Tôlerie Fine", "Formage"), "25.50B"),
    "joining": (("Soudure", "Métallerie", "Soudage", "Assemblages Soudés"), "25.62B"),
    "surface": (("Traitement de Surface", "Peinture Industrielle", "Galvanoplastie", "Revêtements",
                 "Thermolaquage"), "25.61Z"),
    "heat_treatment": (("Traitements Thermiques", "Thermique Industrielle", "Trempe"), "25.61Z"),
    "plastics": (("Plasturgie", "Plastiques", "Composites", "Injection Plastique", "Polymères"), "22.29A"),
    "casting_forging": (("Fonderie", "Forge", "Forges", "Fonderie de Précision"), "25.50A"),
    "additive": (("Impression 3D", "Fabrication Additive", "Prototypage"), "32.99Z"),
    "electrical": (("Électricité Industrielle", "Électronique", "Câblage", "Électrotechnique",
                    "Automatismes"), "27.90Z"),
    "assembly": (("Assemblage", "Machines Spéciales", "Montage Industriel", "Mécatronique"), "28.99B"),
    "metrology": (("Métrologie", "Contrôle", "Essais", "Contrôles Industriels"), "71.20B"),
    "maintenance": (("Maintenance Industrielle", "Services Industriels", "Maintenance",
                     "Dépannage Industriel"), "33.12Z"),
    "engineering": (("Ingénierie", "Bureau d'Études", "Études Industrielles", "Conception"), "71.12B"),
    "logistics": (("Transports", "Logistique", "Emballages", "Conditionnement"), "52.29A"),
    "cleaning": (("Nettoyage Industriel", "Propreté Industrielle", "Hygiène Industrielle"), "81.22Z"),
    "boilermaking": (("Chaudronnerie", "Tuyauterie", "Charpente Métallique", "Chaudronnerie Industrielle"),
                     "25.29Z"),
    "tooling": (("Outillage", "Moules", "Outillages de Précision", "Moulistes"), "25.73B"),
}

# Short stems for invented brand names ("Mécanor", "Thermitec").
STEMS = ("Méca", "Tech", "Indus", "Nor", "Proto", "Métal", "Usi", "Thermi", "Plast", "Électro",
         "Chaudro", "Sud", "Ouest", "Inox", "Alu", "Precis", "Form", "Cap", "Néo", "Hydro", "Soud")
SUFFIXES = ("tec", "form", "pro", "nor", "plus", "concept", "systèmes", "services", "industrie",
            "process", "logic", "mat", "ic", "al")

# Materials by area, for capability details and descriptions.
MATERIALS = {
    "machining": ("acier", "inox 316L", "aluminium", "titane", "laiton", "Inconel", "bronze", "PEEK"),
    "forming": ("acier", "inox", "aluminium", "acier galvanisé", "cuivre"),
    "joining": ("acier", "inox", "aluminium", "titane"),
    "surface": ("aluminium", "acier", "zamak", "inox"),
    "heat_treatment": ("acier", "acier allié", "fonte", "titane"),
    "plastics": ("PA66", "PP", "ABS", "PEEK", "POM", "PC", "fibre de carbone", "fibre de verre"),
    "casting_forging": ("fonte", "aluminium", "acier", "bronze", "laiton"),
    "additive": ("Ti6Al4V", "inox 316L", "aluminium AlSi10Mg", "PA12", "Inconel 718"),
    "boilermaking": ("acier", "inox 304L", "inox 316L", "duplex", "aluminium"),
    "tooling": ("acier à outils", "aluminium", "carbure"),
}

TOLERANCES = ("±0,1 mm", "±0,05 mm", "±0,02 mm", "±0,01 mm", "±0,005 mm")
PART_SIZES = ("100 x 100 x 100 mm", "300 x 200 x 150 mm", "600 x 400 x 300 mm", "1 200 x 800 x 600 mm",
              "2 000 x 1 000 x 800 mm", "4 000 x 2 000 x 1 500 mm", "6 000 x 2 500 x 2 000 mm")
CAPACITIES = ("prototypes et petites séries", "500 pièces par an", "5 000 pièces par an",
              "50 000 pièces par an", "200 000 pièces par an", "1 million de pièces par an")

STREETS = (
    "rue de l'Industrie", "rue du Général de Gaulle", "avenue Jean Jaurès", "rue des Forges",
    "rue Pasteur", "rue de la République", "rue des Ateliers", "avenue de la Libération",
    "rue Gustave Eiffel", "rue Denis Papin", "rue Ampère", "rue Blaise Pascal", "rue Lavoisier",
    "rue des Artisans", "chemin des Prés", "route de Paris", "rue de la Gare", "rue du Moulin",
    "allée des Érables", "rue Joseph Cugnot", "rue Louis Blériot", "rue Marie Curie",
    "avenue des Fusillés", "rue du Port", "quai de Seine", "boulevard Industriel",
)
ZONES = ("ZI", "ZA", "ZAC", "Parc d'activités")

ISSUING_BODIES = ("AFNOR Certification", "Bureau Veritas Certification", "SGS ICS", "DEKRA Certification",
                  "LRQA France", "TÜV Rheinland France", "Intertek France", "APAVE Certification")
SPECIAL_BODIES = {
    "mase": "Association MASE", "gmp": "ANSM", "nadcap": "Performance Review Institute",
    "cefri": "CEFRI", "qualibat": "Qualibat", "qualifelec": "Qualifelec", "ecovadis": "EcoVadis",
    "engage-rse": "AFNOR Certification", "atex": "INERIS", "tisax": "ENX Association",
    "easa-part-21g": "OSAC", "easa-part-145": "OSAC", "iso-17025": "COFRAC",
}

DESCRIPTION_OPENINGS = (
    "{kind} implantée à {city} depuis {year}",
    "Entreprise familiale fondée en {year} à {city}",
    "{kind} basée à {city}, créée en {year}",
    "Sous-traitant industriel installé à {city} depuis {year}",
)
KINDS = ("PME industrielle", "Entreprise industrielle", "Société de services industriels", "Atelier")
