"""The vocabulary of product.md, defined once. UI labels, the caseload file, the measures and the
hub all read these enums; the stored and exchanged form is always the enum's value."""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A StrEnum whose members also carry a short English label for screens and documents."""

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


class ReferralSource(Vocabulary):
    GP = "gp"
    PRACTICE_NURSE = "practice_nurse"
    PRACTICE_STAFF = "practice_staff"
    MENTAL_HEALTH = "mental_health"
    PHYSIO = "physio"
    JOBCENTRE = "jobcentre"
    SELF = "self"
    OTHER = "other"


class SessionType(Vocabulary):
    INITIAL_ASSESSMENT = "initial_assessment"
    REVIEW = "review"
    JOB_SEARCH = "job_search"
    IN_WORK_SUPPORT = "in_work_support"
    TELEPHONE = "telephone"
    VIDEO = "video"


class Attendance(Vocabulary):
    BOOKED = "booked"
    ATTENDED = "attended"
    DNA = "dna"
    CANCELLED_BY_PARTICIPANT = "cancelled_by_participant"
    CANCELLED_BY_COACH = "cancelled_by_coach"


class GoalStatus(Vocabulary):
    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class GoalCategory(Vocabulary):
    WORK = "work"
    EDUCATION = "education"
    VOLUNTEERING = "volunteering"
    HEALTH = "health"
    CONFIDENCE = "confidence"
    FINANCE = "finance"
    PRACTICAL = "practical"


class StepOwner(Vocabulary):
    PARTICIPANT = "participant"
    COACH = "coach"
    OTHER = "other"


class ContactKind(Vocabulary):
    CONTACT = "contact"
    APPLICATION = "application"
    INTERVIEW = "interview"
    OFFER = "offer"


class OutcomeType(Vocabulary):
    JOB_START = "job_start"
    SELF_EMPLOYMENT = "self_employment"
    EDUCATION_START = "education_start"
    VOLUNTEERING_START = "volunteering_start"
    JOB_RETAINED = "job_retained"
    SUSTAINED_13_WEEKS = "sustained_13_weeks"
    SUSTAINED_26_WEEKS = "sustained_26_weeks"
    JOB_END = "job_end"


class Benefit(Vocabulary):
    ESA_ASSESSMENT = "esa_assessment"
    ESA_WRAG = "esa_wrag"
    ESA_SUPPORT = "esa_support"
    INCAPACITY_BENEFIT = "incapacity_benefit"
    JSA = "jsa"
    UC_SEARCHING = "uc_searching"
    UC_LCW = "uc_lcw"
    UC_LCWRA = "uc_lcwra"
    INCOME_SUPPORT = "income_support"
    PIP_DLA = "pip_dla"
    NONE = "none"
    OTHER = "other"


# Out-of-work benefits (formats.md §3, left_out_of_work_benefits).
OUT_OF_WORK_BENEFITS: frozenset[Benefit] = frozenset(
    {
        Benefit.ESA_ASSESSMENT,
        Benefit.ESA_WRAG,
        Benefit.ESA_SUPPORT,
        Benefit.INCAPACITY_BENEFIT,
        Benefit.JSA,
        Benefit.UC_SEARCHING,
        Benefit.UC_LCW,
        Benefit.UC_LCWRA,
        Benefit.INCOME_SUPPORT,
    }
)


class ConditionCategory(Vocabulary):
    MENTAL_HEALTH = "mental_health"
    SEVERE_MENTAL_ILLNESS = "severe_mental_illness"
    MUSCULOSKELETAL = "musculoskeletal"
    CARDIOVASCULAR = "cardiovascular"
    RESPIRATORY = "respiratory"
    DIABETES_ENDOCRINE = "diabetes_endocrine"
    NEUROLOGICAL = "neurological"
    LEARNING_DISABILITY = "learning_disability"
    SENSORY = "sensory"
    SUBSTANCE_MISUSE = "substance_misuse"
    OTHER = "other"


class EmploymentStatus(Vocabulary):
    UNEMPLOYED_LT_6M = "unemployed_lt_6m"
    UNEMPLOYED_6_12M = "unemployed_6_12m"
    UNEMPLOYED_1_2Y = "unemployed_1_2y"
    UNEMPLOYED_2Y_PLUS = "unemployed_2y_plus"
    NEVER_WORKED = "never_worked"
    EMPLOYED_OFF_SICK = "employed_off_sick"


class ClosureReason(Vocabulary):
    SUSTAINED_EMPLOYMENT = "sustained_employment"
    MOVED_AWAY = "moved_away"
    WITHDREW = "withdrew"
    LOST_CONTACT = "lost_contact"
    HEALTH = "health"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NOT_ELIGIBLE = "not_eligible"
    OTHER = "other"


class Sex(Vocabulary):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    NOT_STATED = "not_stated"


class QualificationLevel(Vocabulary):
    ENTRY = "entry"
    L1 = "1"
    L2 = "2"
    L3 = "3"
    L4 = "4"
    L5 = "5"
    L6 = "6"
    L7 = "7"
    L8 = "8"
    NONE = "none"


class AgeBand(Vocabulary):
    AGE_16_24 = "16_24"
    AGE_25_34 = "25_34"
    AGE_35_49 = "35_49"
    AGE_50_64 = "50_64"
    AGE_65_PLUS = "65_plus"


# Labels where the capitalised word would read badly on screen or paper.
_LABELS: dict[str, str] = {
    "gp": "GP",
    "physio": "Physiotherapy",
    "jobcentre": "Jobcentre Plus",
    "self": "Self-referral",
    "dna": "Did not attend",
    "in_work_support": "In-work support",
    "esa_assessment": "ESA (assessment phase)",
    "esa_wrag": "ESA (work-related activity group)",
    "esa_support": "ESA (support group)",
    "jsa": "Jobseeker's Allowance",
    "uc_searching": "Universal Credit (searching for work)",
    "uc_lcw": "Universal Credit (limited capability for work)",
    "uc_lcwra": "Universal Credit (LCW and work-related activity)",
    "pip_dla": "PIP or DLA",
    "none": "None",
    "unemployed_lt_6m": "Unemployed under 6 months",
    "unemployed_6_12m": "Unemployed 6–12 months",
    "unemployed_1_2y": "Unemployed 1–2 years",
    "unemployed_2y_plus": "Unemployed 2 years or more",
    "employed_off_sick": "Employed, off sick (job retention)",
    "sustained_13_weeks": "Sustained 13 weeks",
    "sustained_26_weeks": "Sustained 26 weeks",
    "diabetes_endocrine": "Diabetes or endocrine",
    "entry": "Entry level",
    "not_stated": "Not stated",
    "16_24": "16–24",
    "25_34": "25–34",
    "35_49": "35–49",
    "50_64": "50–64",
    "65_plus": "65 and over",
}
