"""Code lists of the front door: census codes, channels, concerns, consent, outcomes, RAG."""

from django.db import models


class Gender(models.TextChoices):
    """Children in Need census gender codes."""

    NOT_RECORDED = "0", "Not recorded or unborn"
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"


class Ethnicity(models.TextChoices):
    """Children in Need census ethnicity codes."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Source(models.TextChoices):
    """Children in Need census referral source codes."""

    FAMILY = "1A", "Individual: family member, relative or carer"
    ACQUAINTANCE = "1B", "Individual: acquaintance (including neighbours and child minders)"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health services: GP"
    HEALTH_VISITOR = "3B", "Health services: health visitor"
    SCHOOL_NURSE = "3C", "Health services: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health services: other primary health services"
    A_AND_E = "3E", "Health services: A&E (emergency department)"
    OTHER_HEALTH = "3F", "Health services: other (e.g. hospice)"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "LA services: social care"
    OTHER_INTERNAL = "5B", "LA services: other internal department"
    ANOTHER_LA = "5C", "LA services: another local authority"
    EARLY_HELP = "5D", "LA services: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Channel(models.TextChoices):
    MARF = "marf", "MARF"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    POLICE_NOTIFICATION = "police_notification", "Police notification"
    API = "api", "API"


class Concern(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    EXPLOITATION = "exploitation", "Exploitation (CSE/CCE)"
    MISSING = "missing", "Missing"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    SELF_NEGLECT = "self_neglect", "Self-neglect"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    NOT_GIVEN = "not_given", "Not given (shared under a lawful basis)"
    NOT_SOUGHT = "not_sought", "Not sought"


class Outcome(models.TextChoices):
    NFA = "NFA", "No further action"
    SIGNPOST = "SIGNPOST", "Signpost to another agency"
    EARLY_HELP = "EARLY_HELP", "Early help"
    MASH_ENQUIRY = "MASH_ENQUIRY", "MASH enquiry"
    REFERRAL = "REFERRAL", "Referral to social care"
    EXISTING_CASE = "EXISTING_CASE", "Transfer to the team holding the case"


class Rag(models.TextChoices):
    RED = "RED", "Red"
    AMBER = "AMBER", "Amber"
    GREEN = "GREEN", "Green"


# What the referrer is told, in plain words (no details of anyone else).
OUTCOME_FOR_REFERRER = {
    Outcome.NFA: "We looked at your concern carefully and decided no further action is needed "
    "from children's or adults' social care at this time.",
    Outcome.SIGNPOST: "We have passed your concern to the service best placed to help.",
    Outcome.EARLY_HELP: "We have asked our early help service to offer support to the family.",
    Outcome.MASH_ENQUIRY: "We are gathering information from partner agencies to decide what "
    "help is needed.",
    Outcome.REFERRAL: "We have referred your concern to social care for an assessment.",
    Outcome.EXISTING_CASE: "We have passed your concern to the team already working with the "
    "family.",
}
