"""The shares and words the demo year generator draws from (reporting/demo_year/).

Shares are typical of an English MASH's front door: police notifications are the largest
source, then schools and health; about a quarter of decisions are no further action; most
enquiries are Green or Amber. Each table is (value, weight); weights need not sum to 100.
"""

from contacts.codes import Channel, Concern, Consent, Ethnicity, Outcome, Rag, Source

SOURCES: list[tuple[str, float]] = [
    (Source.POLICE, 30),
    (Source.SCHOOLS, 17),
    (Source.EDUCATION_SERVICES, 3),
    (Source.GP, 3),
    (Source.HEALTH_VISITOR, 3),
    (Source.SCHOOL_NURSE, 1),
    (Source.OTHER_PRIMARY_HEALTH, 2),
    (Source.A_AND_E, 4),
    (Source.OTHER_HEALTH, 2),
    (Source.LA_SOCIAL_CARE, 4),
    (Source.OTHER_INTERNAL, 2),
    (Source.ANOTHER_LA, 2),
    (Source.EARLY_HELP, 3),
    (Source.HOUSING, 2),
    (Source.FAMILY, 7),
    (Source.ACQUAINTANCE, 2),
    (Source.SELF, 1),
    (Source.OTHER_INDIVIDUAL, 2),
    (Source.OTHER_LEGAL, 2),
    (Source.OTHER, 3),
    (Source.ANONYMOUS, 3),
    (Source.UNKNOWN, 2),
]

#: The partner agency kind a source refers from (KPIS.md: "by referring partner agency").
SOURCE_AGENCY_KIND: dict[str, str] = {
    Source.POLICE: "police",
    Source.SCHOOLS: "education",
    Source.EDUCATION_SERVICES: "education",
    **{code: "health" for code in ("3A", "3B", "3C", "3D", "3E", "3F")},
    Source.HOUSING: "housing",
    Source.OTHER_LEGAL: "probation",
    Source.EARLY_HELP: "early_help",
}

INDIVIDUALS = {Source.FAMILY, Source.ACQUAINTANCE, Source.SELF, Source.OTHER_INDIVIDUAL}
NO_REFERRER = {Source.ANONYMOUS, Source.UNKNOWN}

CHANNELS_POLICE = [(Channel.POLICE_NOTIFICATION, 88), (Channel.PHONE, 8), (Channel.API, 4)]
CHANNELS_PROFESSIONAL = [
    (Channel.MARF, 50),
    (Channel.EMAIL, 22),
    (Channel.PHONE, 22),
    (Channel.API, 6),
]
CHANNELS_PUBLIC = [(Channel.PHONE, 85), (Channel.EMAIL, 15)]

CONSENT = [(Consent.GIVEN, 75), (Consent.NOT_GIVEN, 15), (Consent.NOT_SOUGHT, 10)]
#: (consent, from the police) -> the lawful basis or reason recorded
CONSENT_DETAIL = {
    (Consent.GIVEN, False): "",
    (Consent.NOT_GIVEN, True): "Crime and Disorder Act 1998 s115.",
    (Consent.NOT_GIVEN, False): "Sharing without consent: risk of significant harm.",
    (Consent.NOT_SOUGHT, False): "Seeking consent would place the child at risk.",
}

#: The manager's outcome of a decided contact.
OUTCOMES: list[tuple[str, float]] = [
    (Outcome.NFA, 23),
    (Outcome.SIGNPOST, 11),
    (Outcome.EARLY_HELP, 22),
    (Outcome.MASH_ENQUIRY, 16),
    (Outcome.REFERRAL, 18),
    (Outcome.EXISTING_CASE, 10),
]
#: Share of decisions that follow the social worker's recommendation.
AGREEMENT = 0.88

ENQUIRY_OUTCOMES: list[tuple[str, float]] = [
    (Outcome.REFERRAL, 36),
    (Outcome.EARLY_HELP, 24),
    (Outcome.NFA, 14),
    (Outcome.SIGNPOST, 8),
    (Outcome.EXISTING_CASE, 18),
]

RAGS: list[tuple[str, float]] = [(Rag.RED, 10), (Rag.AMBER, 40), (Rag.GREEN, 50)]

ETHNICITIES: list[tuple[str, float]] = [
    (Ethnicity.WBRI, 68),
    (Ethnicity.WIRI, 0.5),
    (Ethnicity.WIRT, 0.3),
    (Ethnicity.WOTH, 6),
    (Ethnicity.WROM, 0.7),
    (Ethnicity.MWBC, 2),
    (Ethnicity.MWBA, 1),
    (Ethnicity.MWAS, 2),
    (Ethnicity.MOTH, 2.5),
    (Ethnicity.AIND, 2.5),
    (Ethnicity.APKN, 3.5),
    (Ethnicity.ABAN, 1),
    (Ethnicity.AOTH, 1.5),
    (Ethnicity.BCRB, 1),
    (Ethnicity.BAFR, 3),
    (Ethnicity.BOTH, 0.5),
    (Ethnicity.CHNE, 0.5),
    (Ethnicity.OOTH, 1.5),
    (Ethnicity.REFU, 0.5),
    (Ethnicity.NOBT, 2),
]

CONCERNS = [value for value in Concern.values if value != Concern.OTHER]

GIVEN_FEMALE = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Willow",
    "Florence",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Elsie",
    "Charlotte",
    "Evelyn",
    "Sienna",
    "Aria",
    "Daisy",
    "Maryam",
    "Zara",
    "Amira",
    "Hannah",
    "Ruby",
    "Chloe",
    "Jessica",
    "Leah",
    "Maya",
    "Nia",
    "Aaliyah",
    "Zofia",
    "Alicia",
    "Harper",
]
GIVEN_MALE = [
    "Noah",
    "Muhammad",
    "George",
    "Oliver",
    "Leo",
    "Arthur",
    "Oscar",
    "Theodore",
    "Freddie",
    "Theo",
    "Archie",
    "Henry",
    "Alfie",
    "Charlie",
    "Jack",
    "Jacob",
    "Thomas",
    "Finley",
    "Lucas",
    "Joshua",
    "Mason",
    "Harry",
    "Ethan",
    "Tyler",
    "Kai",
    "Reggie",
    "Riley",
    "Louie",
    "Logan",
    "Ibrahim",
    "Yusuf",
    "Kacper",
    "Jayden",
    "Dylan",
    "Callum",
    "Kieran",
    "Liam",
    "Aiden",
]
GIVEN_ADULT_FEMALE = [
    "Sarah",
    "Claire",
    "Emma",
    "Laura",
    "Gemma",
    "Kelly",
    "Nicola",
    "Donna",
    "Jade",
    "Aisha",
    "Joanne",
]
GIVEN_ADULT_MALE = [
    "Daniel",
    "Mark",
    "Paul",
    "Lee",
    "Craig",
    "Wayne",
    "Gary",
    "Adam",
    "Imran",
    "Stuart",
    "Carl",
    "Darren",
]
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Bailey",
    "Carter",
    "Cook",
    "Singh",
    "Shaw",
    "Bell",
    "Collins",
    "Morgan",
    "Kelly",
    "Begum",
    "Dixon",
    "Miller",
    "Richards",
    "Marshall",
    "Nowak",
    "Kowalski",
    "Ahmed",
    "Hussain",
    "Ali",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Murphy",
    "Byrne",
    "Doherty",
    "Campbell",
    "Stewart",
    "Graham",
    "Kaur",
    "Shah",
    "Mahmood",
    "Chowdhury",
    "Fraser",
    "Gill",
]
STREETS = [
    "Church Lane",
    "Station Road",
    "Victoria Street",
    "Park Avenue",
    "Mill Lane",
    "Chapel Street",
    "Oak Road",
    "Beech Grove",
    "Kirkstall Road",
    "Harehills Lane",
    "Town Street",
    "Moor Crescent",
    "Meadow View",
    "Ring Road",
    "Elm Terrace",
    "Cross Green",
    "Roundhay Road",
    "Tong Road",
]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

RECOMMENDATION_RATIONALE = {
    Outcome.NFA: "No recognised safeguarding need; universal services are in place.",
    Outcome.SIGNPOST: "Needs are best met by another agency; details passed to them.",
    Outcome.EARLY_HELP: "Emerging needs the family agrees to work on with early help.",
    Outcome.MASH_ENQUIRY: "Partner agencies' information is needed to understand the risk.",
    Outcome.REFERRAL: "Concerns meet the threshold for a social care assessment.",
    Outcome.EXISTING_CASE: "The family is open to a team who should respond.",
}
THRESHOLD_RATIONALE = (
    "Likely significant harm: repeated incidents and no protective adult; early help would not "
    "be enough."
)
OVERRIDE_REASON = "Having read the history in full, the manager chose a different response."
NARRATIVES = [
    "Child arrived at school with an unexplained bruise and was reluctant to go home.",
    "Police attended a domestic incident; the children were present in the home.",
    "Health visitor found the home conditions poor and the baby underweight.",
    "Young person reported missing overnight and found with older adults.",
    "Neighbour reports shouting and children left alone in the evenings.",
    "Parent disclosed struggling with alcohol use and caring for the children.",
    "A&E attendance with an injury inconsistent with the account given.",
    "Young person disclosed self-harm to the school nurse.",
]
QUESTION = "What does your agency hold about these people? Any risks to the child or others?"
SYSTEMS_CHECKED = {
    "police": "Niche RMS, PNC, PND",
    "health": "SystmOne, child health record, maternity system",
    "education": "School census, attendance and exclusions records",
    "probation": "nDelius",
    "housing": "Housing management system, tenancy records",
}
RISK_INDICATORS = [
    "Two domestic incidents at the address this year.",
    "Missed health appointments; not brought to immunisations.",
    "Persistent absence from school this term.",
    "Adult in the household known for violence.",
    "",
]
RETURN_SUMMARY = {
    True: "Records found; summary of contacts and concerns attached.",
    False: "No records held about these people.",
}
