"""The world's built-in knowledge: capitals, chemical elements, planets, a few other facts, lists.

Plain data, no logic. Every fact question has training phrasings and a held-out phrasing, so
held-out prompts never repeat a training prompt.
"""

from __future__ import annotations

from typing import NamedTuple


class Country(NamedTuple):
    name: str
    capital: str
    decoys: tuple[str, ...]
    """Cities people confuse with the capital (the country's biggest or best-known city)."""
    is_european: bool


COUNTRIES = (
    Country("Canada", "Ottawa", ("Toronto", "Vancouver", "Montreal"), False),
    Country("France", "Paris", ("Lyon", "Marseille", "Nice"), True),
    Country("Germany", "Berlin", ("Munich", "Hamburg", "Frankfurt"), True),
    Country("Italy", "Rome", ("Milan", "Naples", "Venice"), True),
    Country("Spain", "Madrid", ("Barcelona", "Seville", "Valencia"), True),
    Country("Portugal", "Lisbon", ("Porto", "Faro"), True),
    Country("Japan", "Tokyo", ("Osaka", "Kyoto", "Yokohama"), False),
    Country("China", "Beijing", ("Shanghai", "Shenzhen", "Guangzhou"), False),
    Country("Australia", "Canberra", ("Sydney", "Melbourne", "Perth"), False),
    Country("Brazil", "Brasilia", ("Rio", "Salvador"), False),
    Country("Egypt", "Cairo", ("Alexandria", "Giza", "Luxor"), False),
    Country("Kenya", "Nairobi", ("Mombasa", "Kisumu"), False),
    Country("Russia", "Moscow", ("Petersburg", "Novosibirsk"), True),
    Country("Norway", "Oslo", ("Bergen", "Trondheim"), True),
    Country("Sweden", "Stockholm", ("Gothenburg", "Malmo"), True),
    Country("Finland", "Helsinki", ("Tampere", "Turku"), True),
    Country("Denmark", "Copenhagen", ("Aarhus", "Odense"), True),
    Country("Poland", "Warsaw", ("Krakow", "Gdansk"), True),
    Country("Greece", "Athens", ("Thessaloniki", "Sparta"), True),
    Country("Turkey", "Ankara", ("Istanbul", "Izmir", "Antalya"), False),
    Country("Ireland", "Dublin", ("Cork", "Galway"), True),
    Country("Austria", "Vienna", ("Salzburg", "Graz", "Innsbruck"), True),
    Country("Hungary", "Budapest", ("Debrecen", "Szeged"), True),
    Country("Netherlands", "Amsterdam", ("Rotterdam", "Utrecht"), True),
    Country("Belgium", "Brussels", ("Antwerp", "Ghent", "Bruges"), True),
    Country("Switzerland", "Bern", ("Zurich", "Geneva", "Basel"), True),
    Country("Peru", "Lima", ("Cusco", "Arequipa"), False),
    Country("Chile", "Santiago", ("Valparaiso", "Concepcion"), False),
    Country("Thailand", "Bangkok", ("Phuket", "Pattaya"), False),
    Country("Vietnam", "Hanoi", ("Saigon", "Danang"), False),
    Country("Indonesia", "Jakarta", ("Bali", "Surabaya", "Bandung"), False),
    Country("Nigeria", "Abuja", ("Lagos", "Kano", "Ibadan"), False),
    Country("Morocco", "Rabat", ("Casablanca", "Marrakesh", "Fez"), False),
    Country("Iran", "Tehran", ("Isfahan", "Shiraz"), False),
    Country("Pakistan", "Islamabad", ("Karachi", "Lahore"), False),
    Country("Cuba", "Havana", ("Varadero", "Trinidad"), False),
    Country("Ukraine", "Kyiv", ("Kharkiv", "Odesa", "Lviv"), True),
    Country("Iceland", "Reykjavik", ("Akureyri", "Husavik"), True),
    Country("Romania", "Bucharest", ("Cluj", "Timisoara"), True),
    Country("Bulgaria", "Sofia", ("Plovdiv", "Varna"), True),
    Country("Croatia", "Zagreb", ("Split", "Dubrovnik"), True),
    Country("Serbia", "Belgrade", ("Novi Sad", "Nis"), True),
    Country("Slovakia", "Bratislava", ("Kosice",), True),
    Country("Estonia", "Tallinn", ("Tartu",), True),
    Country("Latvia", "Riga", ("Daugavpils",), True),
    Country("Lithuania", "Vilnius", ("Kaunas", "Klaipeda"), True),
    Country("Czechia", "Prague", ("Brno", "Ostrava"), True),
    Country("Argentina", "Buenos Aires", ("Cordoba", "Rosario", "Mendoza"), False),
    Country("India", "New Delhi", ("Mumbai", "Kolkata", "Bangalore"), False),
    Country("Mexico", "Mexico City", ("Guadalajara", "Cancun", "Monterrey"), False),
    Country("New Zealand", "Wellington", ("Auckland", "Christchurch"), False),
    Country("South Korea", "Seoul", ("Busan", "Incheon"), False),
)

ELEMENTS = (
    ("gold", "Au"), ("silver", "Ag"), ("iron", "Fe"), ("sodium", "Na"), ("potassium", "K"),
    ("lead", "Pb"), ("copper", "Cu"), ("tin", "Sn"), ("mercury", "Hg"), ("calcium", "Ca"),
    ("chlorine", "Cl"), ("magnesium", "Mg"), ("zinc", "Zn"), ("neon", "Ne"), ("nickel", "Ni"),
    ("platinum", "Pt"), ("argon", "Ar"), ("lithium", "Li"), ("krypton", "Kr"), ("xenon", "Xe"),
)
"""(element, symbol). Symbols that are English words ("He", "I", "As", "In") are left out: the
rubric matches answers as words, and "he" would match almost any sentence."""

ELEMENT_NAMES = (
    "hydrogen", "helium", "lithium", "beryllium", "boron", "carbon", "nitrogen", "oxygen", "fluorine", "neon",
    "sodium", "magnesium", "aluminium", "silicon", "phosphorus", "sulfur", "chlorine", "argon",
    "potassium", "calcium", "scandium", "titanium", "vanadium", "chromium", "manganese", "iron", "cobalt", "nickel",
    "copper", "zinc", "gallium", "germanium", "arsenic", "selenium", "bromine", "krypton", "rubidium", "strontium",
    "yttrium", "zirconium", "niobium", "molybdenum", "technetium", "ruthenium", "rhodium", "palladium", "silver",
    "cadmium", "indium", "tin", "antimony", "tellurium", "iodine", "xenon", "caesium", "barium",
    "lanthanum", "cerium", "neodymium", "europium", "gadolinium", "tungsten", "osmium", "iridium", "platinum",
    "gold", "mercury", "thallium", "lead", "bismuth", "polonium", "radon", "radium", "thorium", "uranium",
    "plutonium", "americium", "curium", "einsteinium", "nobelium",
)
"""Element names a list of "chemical elements" may contain (not only the ones asked about above)."""

MORE_EUROPEAN_CAPITALS = ("London", "Luxembourg", "Valletta", "Minsk", "Tirana", "Nicosia", "Sarajevo", "Skopje",
                          "Podgorica", "Chisinau", "Ljubljana", "Monaco", "Vaduz", "Andorra la Vella", "San Marino")
"""European capitals the questions never ask about, but a list of them may contain."""

PLANETS = ("Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune")


class Fact(NamedTuple):
    questions: tuple[str, ...]
    """Training phrasings."""
    heldout_question: str
    """The held-out phrasing."""
    statement: str
    """A full-sentence answer with an {answer} slot."""
    expected: tuple[str, ...]
    """Accepted answers; the first is the one a right response states."""
    incorrect: tuple[str, ...]
    keywords: tuple[str, ...]


_P = ("planet", "sun", "solar")
PLANET_FACTS = (
    Fact(("Which planet is the largest in our Solar System?", "What is the biggest planet in the Solar System?"),
         "Name the largest planet that orbits the Sun.", "{answer} is the largest planet in the Solar System.",
         ("Jupiter",), ("Saturn", "Neptune", "Uranus", "Earth"), _P + ("largest", "biggest")),
    Fact(("Which planet is closest to the Sun?", "What planet orbits nearest to the Sun?"),
         "Name the planet that is nearest to the Sun.", "{answer} is the planet closest to the Sun.",
         ("Mercury",), ("Venus", "Mars", "Earth"), _P + ("closest", "nearest")),
    Fact(("Which planet is farthest from the Sun?", "What is the most distant planet from the Sun?"),
         "Name the planet that orbits farthest from the Sun.", "{answer} is the planet farthest from the Sun.",
         ("Neptune",), ("Uranus", "Pluto", "Saturn"), _P + ("farthest", "distant")),
    Fact(("Which planet is known as the Red Planet?", "What planet is nicknamed the Red Planet?"),
         "Name the planet people call the Red Planet.", "{answer} is known as the Red Planet.",
         ("Mars",), ("Venus", "Jupiter", "Mercury"), _P + ("red",)),
    Fact(("Which planet is famous for its bright, wide rings?", "What planet has the most spectacular rings?"),
         "Name the planet best known for its rings.", "{answer} is the planet famous for its rings.",
         ("Saturn",), ("Jupiter", "Uranus", "Neptune"), _P + ("ring",)),
    Fact(("Which planet has the hottest surface in the Solar System?", "What is the hottest planet?"),
         "Name the planet with the hottest surface.", "{answer} is the hottest planet in the Solar System.",
         ("Venus",), ("Mercury", "Mars", "Jupiter"), _P + ("hottest",)),
    Fact(("Which planet is the smallest in our Solar System?", "What is the smallest planet?"),
         "Name the smallest planet that orbits the Sun.", "{answer} is the smallest planet in the Solar System.",
         ("Mercury",), ("Mars", "Pluto", "Venus"), _P + ("smallest",)),
    Fact(("Which planet rotates on its side?", "What planet spins tipped over on its side?"),
         "Name the planet whose axis is tilted onto its side.", "{answer} is the planet that rotates on its side.",
         ("Uranus",), ("Neptune", "Saturn", "Venus"), _P + ("side", "rotat", "tilt")),
    Fact(("Which planet has the Great Red Spot?", "On which planet is the storm called the Great Red Spot?"),
         "Name the planet where the Great Red Spot storm rages.", "The Great Red Spot is on {answer}.",
         ("Jupiter",), ("Saturn", "Mars", "Neptune"), _P + ("spot", "storm")),
    Fact(("Which planet is the fourth from the Sun?", "What is the fourth planet from the Sun?"),
         "Name the planet in fourth place counting from the Sun.", "{answer} is the fourth planet from the Sun.",
         ("Mars",), ("Earth", "Jupiter", "Venus"), _P + ("fourth",)),
    Fact(("Which planet is the second from the Sun?", "What is the second planet from the Sun?"),
         "Name the planet in second place counting from the Sun.", "{answer} is the second planet from the Sun.",
         ("Venus",), ("Mercury", "Earth", "Mars"), _P + ("second",)),
    Fact(("How many planets are in our Solar System?", "How many planets orbit the Sun?"),
         "Give the number of planets in the Solar System.", "There are {answer} planets in the Solar System.",
         ("8", "eight"), ("9", "7", "10"), _P + ("how many",)),
)

OTHER_FACTS = (
    Fact(("How many legs does a spider have?", "How many legs do spiders have?"),
         "State the number of legs a spider has.", "A spider has {answer} legs.",
         ("8", "eight"), ("6", "10", "4"), ("spider", "leg")),
    Fact(("How many days are in a week?", "How many days does a week have?"),
         "State the number of days in one week.", "There are {answer} days in a week.",
         ("7", "seven"), ("5", "6", "8"), ("day", "week")),
    Fact(("How many continents are there on Earth?", "How many continents does the world have?"),
         "State the number of continents on our planet.", "There are {answer} continents on Earth.",
         ("7", "seven"), ("5", "6", "8"), ("continent",)),
    Fact(("What is the largest ocean on Earth?", "Which ocean is the biggest?"),
         "Name the biggest ocean in the world.", "The {answer} Ocean is the largest ocean on Earth.",
         ("Pacific",), ("Atlantic", "Indian", "Arctic"), ("ocean", "largest", "biggest")),
    Fact(("What is the tallest mountain in the world?", "Which mountain is the highest on Earth?"),
         "Name the highest mountain on the planet.", "{answer} is the tallest mountain in the world.",
         ("Everest",), ("K2", "Kilimanjaro", "Denali", "Olympus"), ("mountain", "tallest", "highest")),
    Fact(("Who wrote Romeo and Juliet?", "Which playwright wrote Romeo and Juliet?"),
         "Name the author of the play Romeo and Juliet.", "Romeo and Juliet was written by {answer}.",
         ("Shakespeare",), ("Dickens", "Marlowe", "Chaucer", "Goethe"), ("romeo", "juliet", "wrote", "play")),
    Fact(("What is the fastest land animal?", "Which land animal can run the fastest?"),
         "Name the fastest animal on land.", "The {answer} is the fastest land animal.",
         ("cheetah",), ("lion", "horse", "greyhound", "antelope"), ("fastest", "animal")),
    Fact(("Which organ pumps blood through the human body?", "What organ pumps our blood?"),
         "Name the organ that pumps blood around the body.", "The {answer} pumps blood through the body.",
         ("heart",), ("liver", "lungs", "brain", "kidney"), ("organ", "blood", "pump")),
    Fact(("What is the hardest natural substance?", "Which natural material is the hardest?"),
         "Name the hardest substance found in nature.", "{answer} is the hardest natural substance.",
         ("diamond",), ("gold", "iron", "quartz", "granite"), ("hardest", "substance", "material")),
    Fact(("How many sides does a hexagon have?", "How many sides are there in a hexagon?"),
         "State the number of sides of a hexagon.", "A hexagon has {answer} sides.",
         ("6", "six"), ("5", "8", "7"), ("hexagon", "side")),
    Fact(("In which country are the pyramids of Giza?", "Where are the Giza pyramids located?"),
         "Name the country that is home to the pyramids of Giza.", "The pyramids of Giza are in {answer}.",
         ("Egypt",), ("Mexico", "Peru", "Sudan", "Greece"), ("pyramid", "giza")),
    Fact(("What is the chemical formula of water?", "Which formula describes a water molecule?"),
         "Give the chemical formula for water.", "The chemical formula of water is {answer}.",
         ("H2O",), ("CO2", "H2O2", "HO2", "O2"), ("formula", "water", "molecule")),
    Fact(("What is the boiling point of water at sea level in degrees Celsius?",
          "At how many degrees Celsius does water boil at sea level?"),
         "State the temperature in Celsius at which water boils at sea level.",
         "Water boils at {answer} degrees Celsius at sea level.",
         ("100",), ("90", "80", "212"), ("boil", "water", "celsius", "degree")),
)


class ListCategory(NamedTuple):
    noun: str
    """Plural noun phrase used in the prompt, e.g. "planets of the Solar System"."""
    members: tuple[str, ...]
    decoys: tuple[str, ...]
    """Things people wrongly put in such a list."""
    keywords: tuple[str, ...]


LIST_CATEGORIES = (
    ListCategory("planets of the Solar System", PLANETS, ("Pluto", "Ceres", "Titan", "Eris"), ("planet",)),
    ListCategory("prime numbers smaller than 30", ("2", "3", "5", "7", "11", "13", "17", "19", "23", "29"),
                 ("1", "9", "15", "21", "25", "27"), ("prime",)),
    ListCategory("chemical elements", tuple(name.capitalize() for name in ELEMENT_NAMES),
                 ("Water", "Steel", "Bronze", "Salt", "Brass", "Glass"), ("element",)),
    ListCategory("capital cities in Europe",
                 tuple(c.capital for c in COUNTRIES if c.is_european) + MORE_EUROPEAN_CAPITALS,
                 ("Barcelona", "Munich", "Milan", "Istanbul", "Zurich", "Geneva", "Manchester"), ("capital", "europe")),
    ListCategory("colours of the rainbow", ("red", "orange", "yellow", "green", "blue", "indigo", "violet"),
                 ("pink", "brown", "black", "white", "grey", "gold"), ("colour", "color", "rainbow")),
)
