"""General knowledge the extractor reads reports with: states, kinds of platform and of
organisation, titles of posts, number words. Nothing here is about one report."""

from __future__ import annotations

from ..namespaces import SCHEMA, Vocabulary

DKO = Vocabulary().ontology

# State -> the adjectives and other names that refer to it.
STATES = {
    "India": ("Indian",), "Russia": ("Russian", "Russian Federation"),
    "United States": ("US", "U.S.", "USA", "American", "United States of America"),
    "China": ("Chinese",), "France": ("French",), "Israel": ("Israeli",),
    "United Kingdom": ("UK", "U.K.", "Britain", "British"), "Germany": ("German",),
    "Pakistan": ("Pakistani",), "Ukraine": ("Ukrainian",), "Philippines": ("Philippine",),
    "Vietnam": ("Vietnamese",), "Indonesia": ("Indonesian",), "Armenia": ("Armenian",),
    "Brazil": ("Brazilian",), "Egypt": ("Egyptian",), "Turkey": ("Turkish", "Türkiye"),
    "Japan": ("Japanese",), "Australia": ("Australian",), "Italy": ("Italian",),
    "Spain": ("Spanish",), "Sweden": ("Swedish",), "Iran": ("Iranian",),
    "Saudi Arabia": ("Saudi",), "United Arab Emirates": ("UAE", "Emirati"),
    "Malaysia": ("Malaysian",), "Thailand": ("Thai",), "Bangladesh": ("Bangladeshi",),
    "Sri Lanka": ("Sri Lankan",), "Nepal": ("Nepalese",), "Myanmar": ("Burmese",),
    "Belarus": ("Belarusian",), "Kazakhstan": ("Kazakh",), "Algeria": ("Algerian",),
    "South Korea": ("South Korean",), "North Korea": ("North Korean",),
    "Greece": ("Greek",), "Poland": ("Polish",), "Canada": ("Canadian",),
    "Singapore": ("Singaporean",), "Mongolia": ("Mongolian",), "Syria": ("Syrian",),
}

# Head nouns of platforms, longest first, and the class each names.
PLATFORM_KINDS = (
    ("air defence system", DKO.AirDefenceSystem), ("air-defence system", DKO.AirDefenceSystem),
    ("air defense system", DKO.AirDefenceSystem),
    ("missile defence system", DKO.MissileDefenceSystem),
    ("surface-to-air missile", DKO.AirDefenceSystem),
    ("cruise missile", DKO.CruiseMissile), ("anti-ship missile", DKO.CruiseMissile),
    ("fighter jet", DKO.FighterAircraft), ("fighter aircraft", DKO.FighterAircraft),
    ("fighter", DKO.FighterAircraft), ("jet", DKO.FighterAircraft),
    ("transport aircraft", DKO.TransportAircraft), ("helicopter", DKO.Helicopter),
    ("submarine", DKO.Submarine), ("frigate", DKO.WarshipClass), ("destroyer", DKO.WarshipClass),
    ("corvette", DKO.WarshipClass), ("aircraft carrier", DKO.WarshipClass),
    ("tank", DKO.ArmouredVehicle), ("armoured vehicle", DKO.ArmouredVehicle),
    ("howitzer", DKO.ArtillerySystem), ("rocket system", DKO.ArtillerySystem),
    ("gun", DKO.ArtillerySystem), ("rifle", DKO.SmallArm), ("engine", DKO.AircraftEngine),
    ("drone", DKO.UnmannedAerialVehicle), ("unmanned aerial vehicle", DKO.UnmannedAerialVehicle),
    ("missile system", DKO.Missile), ("missile", DKO.Missile), ("system", None),
)
# Design bureaux' prefixes of designations, when the report names no kind.
DESIGNATION_PREFIXES = {
    "su": DKO.FighterAircraft, "mig": DKO.FighterAircraft, "f": DKO.FighterAircraft,
    "j": DKO.FighterAircraft, "ka": DKO.Helicopter, "mi": DKO.Helicopter,
    "il": DKO.TransportAircraft, "an": DKO.TransportAircraft, "c": DKO.TransportAircraft,
    "t": DKO.ArmouredVehicle, "bmp": DKO.ArmouredVehicle, "s": DKO.AirDefenceSystem,
    "ak": DKO.SmallArm, "al": DKO.AircraftEngine, "rd": DKO.AircraftEngine,
    "kh": DKO.Missile, "p": DKO.Submarine,
}

# Last words of organisation names, and the class each names.
ORGANISATION_WORDS = {
    "Limited": DKO.Company, "Ltd": DKO.Company, "Ltd.": DKO.Company, "Corporation": DKO.Company,
    "Aerospace": DKO.Company, "Industries": DKO.Company, "Systems": DKO.Company,
    "Shipyard": DKO.Company, "Shipyards": DKO.Company, "Dynamics": DKO.Company,
    "Electronics": DKO.Company, "Technologies": DKO.Company, "Company": DKO.Company,
    "Inc": DKO.Company, "Group": DKO.Company,
    "Organisation": DKO.GovernmentAgency, "Organization": DKO.GovernmentAgency,
    "Ministry": DKO.GovernmentAgency, "Agency": DKO.GovernmentAgency,
    "Council": DKO.GovernmentAgency, "Department": DKO.GovernmentAgency,
    "Service": DKO.GovernmentAgency, "Institute": DKO.GovernmentAgency,
    "Commission": DKO.Commission, "Committee": DKO.Commission,
    "Force": DKO.ArmedService, "Navy": DKO.ArmedService, "Army": DKO.ArmedService,
    "Guard": DKO.ArmedService, "Forces": DKO.ArmedService, "Concern": DKO.Company,
    "Bureau": DKO.Company, "Works": DKO.Company, "Aviation": DKO.Company,
    "Aeronautics": DKO.Company, "Shipbuilding": DKO.Company, "Engineering": DKO.Company,
    "Holding": DKO.Company, "Holdings": DKO.Company,
}
# First words of Russian and other company names.
COMPANY_PREFIXES = ("NPO", "JSC", "PJSC", "OAO", "KB", "Rostec", "Rosoboronexport", "United")
# Independent institutes that measure arms transfers, and their acronyms.
MEASURERS = {"Stockholm International Peace Research Institute": "SIPRI"}
# Prefixes of the names of individual ships.
SHIP_PREFIXES = ("INS", "HMS", "USS", "RFS", "PNS", "BRP", "HMAS", "KRI")

# Titles before a person's name; the post they name.
TITLES = (
    "First Deputy Prime Minister", "Deputy Prime Minister", "Prime Minister",
    "Defence Minister", "Defense Minister", "Foreign Minister", "External Affairs Minister",
    "Minister of Defence", "Minister of External Affairs", "Deputy Defence Minister",
    "Defence Secretary", "Foreign Secretary", "National Security Adviser",
    "Chief of Defence Staff", "Chief of Army Staff", "Chief of Naval Staff", "Chief of Air Staff",
    "Air Chief Marshal", "Vice Admiral", "Rear Admiral", "Admiral", "Lieutenant General",
    "Lt Gen", "Lt. Gen.", "Major General", "General", "Gen.", "President", "Ambassador",
    "Chairman", "chairman", "Director General", "Chief Executive", "CEO", "Minister",
    "counterpart", "Colonel", "Col.",
)
SCHEMA_PLACE = SCHEMA.Place

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "two dozen": 24, "a dozen": 12, "dozen": 12, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100,
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MULTIPLIERS = {"thousand": 1e3, "lakh": 1e5, "million": 1e6, "mn": 1e6, "crore": 1e7,
               "cr": 1e7, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
CURRENCIES = {"USD": "USD", "US$": "USD", "$": "USD", "dollars": "USD", "Rs": "INR",
              "Rs.": "INR", "INR": "INR", "rupees": "INR", "₹": "INR", "EUR": "EUR", "€": "EUR",
              "euros": "EUR", "RUB": "RUB", "roubles": "RUB", "rubles": "RUB"}
# Words that are capitalised but never name a thing.
NOT_NAMES = frozenset((
    "The", "A", "An", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We",
    "Our", "Their", "His", "Her", "Under", "On", "In", "At", "By", "For", "With", "From", "To",
    "Of", "And", "But", "Additionally", "Meanwhile", "However", "According", "Officials",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Based",
    "Report",
)) | set(MONTHS)
